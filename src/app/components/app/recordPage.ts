import type { ComputedRef, MaybeRefOrGetter } from 'vue'
import { computed, ref, toValue, watch } from 'vue'
import { useRouter } from 'vue-router'
import { backTo } from './backTo'

export interface RecordPage<T> {
  /** Whether the page can show: a new record at once, an edit once IndexedDB has answered. */
  loaded: ComputedRef<boolean>
  /** The row being edited; null on `/…/new`, and for an id the device does not hold. */
  record: ComputedRef<T | null>
  /** Back to the list (once: a save or delete and the row vanishing may both ask). */
  back: () => void
}

/**
 * What a record page (`/study/:id`, `/service/:id`, `/problems/:id`, `/notes/:id`) takes from its
 * live list. A row that vanishes while its page shows it (deleted here, or by a pull) takes the page
 * back to the list: the live query can see a deletion before the form's `deleted` event, and then
 * the form is already unmounted and Vue drops its event, which left the page on 找不到…. So the
 * page leaves on whichever comes first, and 找不到… is only for an id that was never there.
 */
export function useRecordPage<T extends { id: string }>(rows: MaybeRefOrGetter<readonly T[]>, id: () => string | undefined, list: string): RecordPage<T> {
  const router = useRouter()
  // The live list starts empty until IndexedDB first answers; the form waits for the row it edits.
  const answered = ref(false)
  watch(() => toValue(rows), () => (answered.value = true), { once: true })
  const loaded = computed(() => !id() || answered.value || toValue(rows).length > 0)
  const record = computed(() => {
    const key = id()
    return key ? toValue(rows).find(row => row.id === key) ?? null : null
  })

  let leaving = false
  function back(): void {
    // router.back() twice would leave the list too.
    if (leaving)
      return
    leaving = true
    backTo(router, list)
  }

  watch(record, (now, before) => {
    if (before && !now && before.id === id())
      back()
  })

  return { loaded, record, back }
}
