/** 字数 as a writer counts it: characters (a CJK character or an emoji is one), spaces and line breaks not counted. */
export function wordCount(text: string): number {
  let count = 0
  for (const char of text) {
    if (!/\s/.test(char))
      count++
  }
  return count
}
