import type { Ref, ShallowRef } from 'vue'
import type { RecordRowByTable } from '@/app/db/database'
import type { FirstPage, FirstPageTable } from '@/app/db/firstPage'
import type { MemberTable } from '@/domain/records'
import { computed, ref, shallowRef } from 'vue'
import { PAGE_SIZE } from '@/app/components/app/paging'
import { takeFirstPage } from '@/app/db/firstPage'
import { compareByDateThenEdit, compareByEdit, countRecords, listRecords, newestRecords } from '@/app/db/records'
import { useSessionStore } from '@/app/stores/session'
import { useLiveQuery } from './useLiveQuery'

// The list orders live beside the queries that read them (db/records.ts); here for the lists' callers.
export { compareByDateThenEdit, compareByEdit }

/**
 * The signed-in member's own live rows of a table (tombstones left out, other members' problems
 * too), sorted by `compare`, live from IndexedDB. Empty while nobody is signed in.
 */
export function useMemberRecords<T extends MemberTable>(table: T, compare: (a: RecordRowByTable[T], b: RecordRowByTable[T]) => number): Readonly<Ref<RecordRowByTable[T][]>> {
  const session = useSessionStore()
  return useLiveQuery(
    async () => {
      const memberId = session.member?.id
      return memberId ? (await listRecords(table, memberId)).sort(compare) : []
    },
    [] as RecordRowByTable[T][],
    () => session.member?.id,
  )
}

/** A list read a page at a time: the rows read, how many there are in all, and the next page (asked as the end nears). */
export interface RecordPage<Row> {
  rows: Readonly<Ref<Row[]>>
  total: Readonly<Ref<number>>
  more: () => void
}

/**
 * The signed-in member's newest live rows of a table, a page at a time (`PAGE_SIZE`, `more()` adds
 * one), live from IndexedDB: only the shown rows and an index count are read, so opening a list of
 * 2,000 costs one page. `by` is the index that orders it: `'date'` (newest date, then latest edit;
 * `compareByDateThenEdit`) or `'updatedAt'` (latest edit; `compareByEdit`).
 */
export function useNewestRecords<T extends 'studyCheckins' | 'serviceLogs' | 'problems' | 'readingNotes'>(table: T, by: T extends 'readingNotes' ? 'updatedAt' : 'date' | 'updatedAt'): RecordPage<RecordRowByTable[T]> {
  const session = useSessionStore()
  const compare = (by === 'date' ? compareByDateThenEdit : compareByEdit) as (a: RecordRowByTable[T], b: RecordRowByTable[T]) => number
  const limit = ref(PAGE_SIZE)
  // 学习's first page was read at start (db/firstPage.ts): shown until the live query answers.
  const early = table === 'studyCheckins' && by === 'date' ? useFirstPage('studyCheckins') : shallowRef(null)
  const page = useLiveQuery<{ rows: RecordRowByTable[T][], total: number } | null>(
    async () => {
      const memberId = session.member?.id
      if (!memberId)
        return { rows: [] as RecordRowByTable[T][], total: 0 }
      const [rows, count] = await Promise.all([
        newestRecords(table, memberId, by as never, limit.value, compare),
        countRecords(table, memberId),
      ])
      return { rows, total: count }
    },
    null,
    [() => session.member?.id, limit],
  )
  const shown = computed(() => page.value ?? (early.value as { rows: RecordRowByTable[T][], total: number } | null) ?? { rows: [], total: 0 })
  return {
    rows: computed(() => shown.value.rows),
    total: computed(() => shown.value.total),
    more: () => (limit.value += PAGE_SIZE),
  }
}

/**
 * The list's first page as read at start (`startFirstPage`), once it is there and if it is the
 * signed-in member's; null otherwise. Taken once: a list opened later reads live only.
 */
export function useFirstPage<T extends FirstPageTable>(table: T): Readonly<ShallowRef<FirstPage<T> | null>> {
  const session = useSessionStore()
  const page = shallowRef<FirstPage<T> | null>(null)
  void takeFirstPage(table)?.then((read) => {
    if (read && read.memberId === session.member?.id)
      page.value = read
  })
  return page
}
