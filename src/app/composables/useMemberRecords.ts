import type { Ref } from 'vue'
import type { RecordRowByTable } from '@/app/db/database'
import type { MemberTable } from '@/domain/records'
import { computed, ref } from 'vue'
import { PAGE_SIZE } from '@/app/components/app/paging'
import { countRecords, listRecords, newestRecords } from '@/app/db/records'
import { useSessionStore } from '@/app/stores/session'
import { useLiveQuery } from './useLiveQuery'

/** Newest date first, then the most recently edited (ids break ties so the order is stable). */
export function compareByDateThenEdit(a: { date: string, updatedAt: number, id: string }, b: { date: string, updatedAt: number, id: string }): number {
  if (a.date !== b.date)
    return a.date < b.date ? 1 : -1
  if (a.updatedAt !== b.updatedAt)
    return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The most recently edited first (ids break ties). */
export function compareByEdit(a: { updatedAt: number, id: string }, b: { updatedAt: number, id: string }): number {
  if (a.updatedAt !== b.updatedAt)
    return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

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

/** One page of a list (加载更多): the rows shown, how many there are in all, and the next page. */
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
  const page = useLiveQuery(
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
    { rows: [] as RecordRowByTable[T][], total: 0 },
    [() => session.member?.id, limit],
  )
  return {
    rows: computed(() => page.value.rows),
    total: computed(() => page.value.total),
    more: () => (limit.value += PAGE_SIZE),
  }
}
