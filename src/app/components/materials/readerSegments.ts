import type { MaterialBlock } from '@/domain/materialText'

/** A run of the reader's text: one block, or consecutive list items drawn as one `<ul>`/`<ol>`. */
export type ReaderSegment
  = | { kind: 'block', index: number, block: MaterialBlock }
    | { kind: 'list', ordered: boolean, items: { index: number, text: string }[] }

/** Groups consecutive items of the same kind into lists; every block keeps its index (position, 朗读). */
export function readerSegments(blocks: readonly MaterialBlock[]): ReaderSegment[] {
  const segments: ReaderSegment[] = []
  blocks.forEach((block, index) => {
    if (block.kind !== 'item') {
      segments.push({ kind: 'block', index, block })
      return
    }
    const last = segments.at(-1)
    if (last?.kind === 'list' && last.ordered === block.ordered)
      last.items.push({ index, text: block.text })
    else
      segments.push({ kind: 'list', ordered: block.ordered, items: [{ index, text: block.text }] })
  })
  return segments
}
