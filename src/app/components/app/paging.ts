import type { MaybeRefOrGetter, Ref } from 'vue'
import { computed, ref, toValue, watch } from 'vue'

/** Rows rendered per step: a phone draws 50 rows at once without a stutter, even throttled. */
export const PAGE_SIZE = 50

/**
 * A long list shown a page at a time (加载更多): `limit` grows by one page per `more()`, and starts
 * over when `resetOn` changes (e.g. a new search), so 2,000 rows never render in one go.
 */
export function usePaging(total: MaybeRefOrGetter<number>, resetOn?: MaybeRefOrGetter<unknown>): {
  limit: Ref<number>
  hasMore: Readonly<Ref<boolean>>
  more: () => void
} {
  const limit = ref(PAGE_SIZE)
  if (resetOn !== undefined)
    watch(() => toValue(resetOn), () => (limit.value = PAGE_SIZE))
  const hasMore = computed(() => toValue(total) > limit.value)
  return { limit, hasMore, more: () => (limit.value += PAGE_SIZE) }
}
