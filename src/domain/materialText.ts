/**
 * A study material's text as the reader shows it. Secretaries paste text from Word documents (one
 * paragraph per line, outline numbering such as 一、 and （一）) or write a light Markdown subset
 * (`#`–`###` headings, `> ` quotes, `- `/`* `/`1. ` list items). Pure and linear in the text's
 * length, so a 100,000-character material parses in a few milliseconds on a phone.
 */

/** One block of a material: the unit the reader renders, scrolls to (`position`) and reads aloud. */
export type MaterialBlock
  = | { kind: 'heading', level: 1 | 2 | 3, text: string }
    | { kind: 'paragraph', text: string }
    | { kind: 'quote', text: string }
    | { kind: 'item', ordered: boolean, text: string }

/** Whitespace at either end of a pasted line: ASCII, the ideographic (full-width) space, no-break and zero-width spaces. */
const EDGE_SPACE = /^[\s\u200B]+|[\s\u200B]+$/g

const MARKDOWN_HEADING = /^(#{1,6})[ \t\u3000]+(\S.*)$/
const QUOTE = /^>[ \t\u3000]?(.*)$/
const BULLET = /^[-*•·][ \t\u3000]+(\S.*)$/
/** `1. `, `2) `, and the Chinese `1、` / full-width `1．` (no space needed after those). */
const NUMBERED = /^(?:\d{1,3}[.)][ \t\u3000]+|\d{1,3}[、．][ \t\u3000]*)(\S.*)$/
/** 一、 … (level 2) and （一） / (一) … (level 3): the outline numbering of Chinese documents. */
const OUTLINE_2 = /^(?:[一二三四五六七八九十百]{1,4}、|第[一二三四五六七八九十百零\d]{1,4}[章节篇部分讲])/
const OUTLINE_3 = /^[（(][一二三四五六七八九十]{1,3}[）)]/
/** An outline line is a heading only when short and not a sentence (no closing 。！？；). */
const OUTLINE_MAX_CHARS = 40
const SENTENCE_END = /[。！？；!?;：:]$/
const BOLD = /\*\*(.+?)\*\*|__(.+?)__/g

function clean(text: string): string {
  return text.replace(EDGE_SPACE, '').replace(BOLD, (_, a: string | undefined, b: string | undefined) => a ?? b ?? '')
}

function outlineLevel(line: string): 2 | 3 | null {
  if (line.length > OUTLINE_MAX_CHARS || SENTENCE_END.test(line))
    return null
  if (OUTLINE_2.test(line))
    return 2
  if (OUTLINE_3.test(line))
    return 3
  return null
}

function parseLine(line: string): MaterialBlock | null {
  let match = MARKDOWN_HEADING.exec(line)
  if (match) {
    const text = clean(match[2]!)
    return text ? { kind: 'heading', level: Math.min(match[1]!.length, 3) as 1 | 2 | 3, text } : null
  }
  match = QUOTE.exec(line)
  if (match) {
    const text = clean(match[1]!)
    return text ? { kind: 'quote', text } : null
  }
  match = BULLET.exec(line)
  if (match)
    return { kind: 'item', ordered: false, text: clean(match[1]!) }
  const level = outlineLevel(line)
  if (level)
    return { kind: 'heading', level, text: clean(line) }
  match = NUMBERED.exec(line)
  if (match)
    return { kind: 'item', ordered: true, text: clean(match[1]!) }
  return { kind: 'paragraph', text: clean(line) }
}

/**
 * The blocks of a material's text, in order: one per non-empty line (blank lines only separate),
 * each line trimmed of ASCII and full-width spaces. `**bold**` markers are dropped (the text stays).
 */
export function parseMaterial(body: string): MaterialBlock[] {
  const blocks: MaterialBlock[] = []
  for (const raw of body.split(/\r\n|\n|\r/)) {
    const line = raw.replace(EDGE_SPACE, '')
    if (!line)
      continue
    const block = parseLine(line)
    if (block && block.text)
      blocks.push(block)
  }
  return blocks
}

/** 字数 of a material as the editor shows it: characters (a CJK character or an emoji is one), whitespace not counted. */
export function materialChars(body: string): number {
  let count = 0
  for (const ch of body) {
    if (!/\s/.test(ch) && ch !== '\u3000')
      count++
  }
  return count
}

/** Size of the text in UTF-8 bytes: what the phone keeps for it. */
export function materialBytes(body: string): number {
  let bytes = 0
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i)
    if (code < 0x80) {
      bytes += 1
    }
    else if (code < 0x800) {
      bytes += 2
    }
    else if (code >= 0xD800 && code <= 0xDBFF && i + 1 < body.length) {
      // A surrogate pair is one 4-byte character.
      bytes += 4
      i++
    }
    else {
      bytes += 3
    }
  }
  return bytes
}

/** What 朗读 says for a block: its text with runs of spaces collapsed (headings and items read like paragraphs). */
export function speakableText(block: MaterialBlock): string {
  return block.text.replace(/\s+/g, ' ').trim()
}
