import type { Ref } from 'vue'
import { onBeforeUnmount, onMounted, ref } from 'vue'

/** Gap left above a block the reader scrolls to (px), so it does not touch the sync bar. */
const TOP_GAP = 8

interface ReaderViewportHandlers {
  /** The member scrolled: the first block on screen and how far down the furthest one on screen is (0–100). */
  onRead: (position: number, percent: number) => void
  /** The member scrolled the end of the text onto the screen. */
  onEnd: () => void
  /** How many blocks the text has (the page may not have drawn them all yet). */
  total: () => number
}

/**
 * Where the reader stands in a material's text: which block (`data-block`) is first on screen
 * between the sticky header and the tools bar, scrolling to a block (restoring a position, following
 * 朗读), and telling the member's own scrolling apart from the reader's, which is never saved.
 */
export function useReaderViewport(root: Ref<HTMLElement | null>, handlers: ReaderViewportHandlers): {
  userScrolled: Ref<boolean>
  firstVisible: () => number | null
  percentAt: (index: number) => number
  restore: (index: number) => void
  scrollToBlock: (index: number) => void
  reveal: (index: number) => void
  endOnScreen: () => boolean
} {
  const userScrolled = ref(false)
  // The scroll position the reader itself went to: a scroll event landing there is not the member's.
  let ownScrollY: number | null = null

  function blockElements(): HTMLElement[] {
    return root.value ? [...root.value.querySelectorAll<HTMLElement>('[data-block]')] : []
  }

  function topEdge(): number {
    return document.querySelector('.app-header')?.getBoundingClientRect().bottom ?? 0
  }

  function bottomEdge(): number {
    return document.querySelector('.reader-tools')?.getBoundingClientRect().top ?? window.innerHeight
  }

  const indexOf = (element: HTMLElement | undefined): number | null => element ? Number(element.dataset.block) : null

  /** First block whose bottom is below the header (binary search: blocks are in document order). */
  function firstVisibleElement(elements: HTMLElement[]): HTMLElement | undefined {
    const top = topEdge() + 1
    let low = 0
    let high = elements.length - 1
    let found: HTMLElement | undefined
    while (low <= high) {
      const middle = (low + high) >> 1
      if (elements[middle]!.getBoundingClientRect().bottom > top) {
        found = elements[middle]
        high = middle - 1
      }
      else {
        low = middle + 1
      }
    }
    return found
  }

  /** Last block whose top is above the tools bar. */
  function lastVisibleIndex(elements: HTMLElement[]): number {
    const bottom = bottomEdge() - 1
    let low = 0
    let high = elements.length - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (elements[middle]!.getBoundingClientRect().top < bottom) {
        found = middle
        low = middle + 1
      }
      else {
        high = middle - 1
      }
    }
    return found
  }

  function firstVisible(): number | null {
    return indexOf(firstVisibleElement(blockElements()))
  }

  function percentAt(index: number): number {
    const count = blockElements().length
    return count ? Math.min(100, Math.round((index + 1) / count * 100)) : 0
  }

  function scrollToBlock(index: number): void {
    const element = blockElements()[index]
    if (!element)
      return
    const target = Math.max(0, window.scrollY + element.getBoundingClientRect().top - topEdge() - TOP_GAP)
    window.scrollTo({ top: target, behavior: 'instant' })
    ownScrollY = window.scrollY
  }

  /** Goes to a saved position; the first block is the top of the page (title included). */
  function restore(index: number): void {
    if (index <= 0) {
      if (window.scrollY !== 0) {
        window.scrollTo({ top: 0, behavior: 'instant' })
        ownScrollY = window.scrollY
      }
      return
    }
    scrollToBlock(index)
  }

  /** Brings a block into view if it is not wholly on screen (the paragraph being read aloud). */
  function reveal(index: number): void {
    const element = blockElements()[index]
    if (!element)
      return
    const box = element.getBoundingClientRect()
    if (box.top < topEdge() || box.bottom > bottomEdge())
      scrollToBlock(index)
  }

  /** Whether every block is drawn and the last one's bottom is on screen (a short text is, at once). */
  function endOnScreen(): boolean {
    const elements = blockElements()
    const end = elements.at(-1)
    return Boolean(end) && elements.length >= handlers.total() && end!.getBoundingClientRect().bottom <= bottomEdge()
  }

  function onScroll(): void {
    if (ownScrollY !== null && Math.abs(window.scrollY - ownScrollY) < 2) {
      ownScrollY = null
      return
    }
    ownScrollY = null
    userScrolled.value = true
    const elements = blockElements()
    const first = indexOf(firstVisibleElement(elements))
    // Until every block is drawn, neither the percentage nor the end can be told.
    if (first === null || elements.length < handlers.total())
      return
    const last = lastVisibleIndex(elements)
    handlers.onRead(first, elements.length ? Math.round((last + 1) / elements.length * 100) : 0)
    if (endOnScreen())
      handlers.onEnd()
  }

  onMounted(() => window.addEventListener('scroll', onScroll, { passive: true }))
  onBeforeUnmount(() => window.removeEventListener('scroll', onScroll))

  return { userScrolled, firstVisible, percentAt, restore, scrollToBlock, reveal, endOnScreen }
}
