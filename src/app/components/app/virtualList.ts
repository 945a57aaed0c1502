import type { Range, VirtualItem } from '@tanstack/vue-virtual'
import type { ComputedRef, Ref } from 'vue'
import { defaultRangeExtractor, useWindowVirtualizer } from '@tanstack/vue-virtual'
import { computed, onScopeDispose, ref, watch } from 'vue'

/** Rows of a phone-sized screen drawn past each edge, so a quick thumb sees no blank. */
export const OVERSCAN = 8

export interface WindowListOptions {
  /** Entries in the list (rows not read yet included, as placeholders). */
  count: () => number
  /** An entry's height before it is measured. */
  estimate: (index: number) => number
  key: (index: number) => string | number
  /**
   * For a list read a page at a time: `unread()` entries at the end are not read yet, and `more()`
   * asks for the next page, once per page, as they near the screen.
   */
  paging?: { unread: () => number, more: () => void }
  /** Entries drawn even far from the screen: a form being typed in keeps what was typed. */
  keep?: () => readonly number[]
}

export interface WindowList {
  /** The list element: where it starts on the page sets the offsets. */
  list: Ref<HTMLElement | null>
  /** `:ref` of the list element. */
  bindList: (element: unknown) => void
  /** The entries near the screen, to draw. */
  items: ComputedRef<VirtualItem[]>
  /** The list's whole height, so the page scrolls as if every entry were there. */
  height: ComputedRef<number>
  /** Where an entry is drawn, from the list's top. */
  offset: (item: VirtualItem) => number
  /** `:ref` of each drawn entry (with `data-index`): measures its real height. */
  measure: (element: unknown) => void
}

function withKept(keep: () => readonly number[]): (range: Range) => number[] {
  return (range) => {
    const near = defaultRangeExtractor(range)
    const kept = keep().filter(index => index < range.count && !near.includes(index))
    return kept.length ? [...near, ...kept].sort((a, b) => a - b) : near
  }
}

/**
 * A long list on the page's own scroll, drawn virtually (@tanstack/vue-virtual): only the entries
 * near the screen are in the DOM, measured as drawn; the list's top is read again whenever the page
 * above it changes height (a list above it, a form opening), so two lists on one page both line up.
 */
export function useWindowList(options: WindowListOptions): WindowList {
  const list = ref<HTMLElement | null>(null)
  const scrollMargin = ref(0)
  const virtualizer = useWindowVirtualizer(computed(() => ({
    count: options.count(),
    estimateSize: options.estimate,
    overscan: OVERSCAN,
    scrollMargin: scrollMargin.value,
    getItemKey: options.key,
    ...(options.keep ? { rangeExtractor: withKept(options.keep) } : {}),
  })))
  const items = computed(() => virtualizer.value.getVirtualItems())
  const height = computed(() => virtualizer.value.getTotalSize())

  const readMargin = () => {
    if (list.value)
      scrollMargin.value = Math.round(list.value.getBoundingClientRect().top + window.scrollY)
  }
  const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(readMargin)
  watch(list, (element, previous) => {
    if (previous)
      observer?.disconnect()
    if (element) {
      readMargin()
      // The page's content box: anything above the list that grows or shrinks moves the list.
      observer?.observe(element.parentElement ?? document.body)
      observer?.observe(document.body)
    }
  })
  onScopeDispose(() => observer?.disconnect())

  // One page asked for at a time: scrolling on before it is read must not ask again each frame.
  const paging = options.paging
  if (paging) {
    let askedAt = -1
    watch(items, (drawn) => {
      const last = drawn.at(-1)
      const unread = paging.unread()
      const readEnd = options.count() - unread
      if (last && unread > 0 && readEnd !== askedAt && last.index >= readEnd - OVERSCAN) {
        askedAt = readEnd
        paging.more()
      }
    })
  }

  return {
    list,
    bindList: (element) => {
      list.value = element instanceof HTMLElement ? element : null
    },
    items,
    height,
    offset: item => item.start - scrollMargin.value,
    measure: (element) => {
      if (element instanceof Element)
        virtualizer.value.measureElement(element)
    },
  }
}
