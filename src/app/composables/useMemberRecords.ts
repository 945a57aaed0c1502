import type { Ref } from 'vue'
import type { RecordRowByTable } from '@/app/db/database'
import type { MemberTable } from '@/domain/records'
import { listRecords } from '@/app/db/records'
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
