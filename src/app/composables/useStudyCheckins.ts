import type { ComputedRef, MaybeRefOrGetter, Ref } from 'vue'
import type { StudyWeekState } from './studyCheckinsView'
import type { RecordPage } from './useMemberRecords'
import type { StudyCheckinRow } from '@/app/db/database'
import { computed, toValue } from 'vue'
import { listStudyCheckins, listWeekCheckins } from '@/app/db/studyCheckins'
import { useSessionStore } from '@/app/stores/session'
import { sortStudyCheckins, studyWeekState } from './studyCheckinsView'
import { useLiveQuery } from './useLiveQuery'
import { useNewestRecords } from './useMemberRecords'
import { useCurrentWeek } from './useToday'

/**
 * The signed-in member's check-ins, live from IndexedDB: tombstones left out, newest date first,
 * then the most recently edited. Empty while nobody is signed in.
 */
export function useStudyCheckins(): { checkins: Readonly<Ref<StudyCheckinRow[]>> } {
  const session = useSessionStore()
  const checkins = useLiveQuery(
    async () => {
      const memberId = session.member?.id
      return memberId ? sortStudyCheckins(await listStudyCheckins(memberId)) : []
    },
    [] as StudyCheckinRow[],
    () => session.member?.id,
  )
  return { checkins }
}

/**
 * The 学习 list: the signed-in member's newest check-ins a page at a time (newest date first, then
 * the most recently edited; the order of `useStudyCheckins`), their total, and `more()` for the next page.
 */
export function useStudyCheckinList(): RecordPage<StudyCheckinRow> {
  return useNewestRecords('studyCheckins', 'date')
}

/**
 * One week's study state for the signed-in member (default: this week in the branch's zone):
 * `{ week, studied, checkins (count), minutes }`, live. Reads only that week's check-ins.
 */
export function useStudyWeek(week?: MaybeRefOrGetter<string | undefined>): ComputedRef<StudyWeekState> {
  const session = useSessionStore()
  const thisWeek = useCurrentWeek()
  const shown = computed(() => toValue(week) ?? thisWeek.value)
  const rows = useLiveQuery(
    async () => {
      const memberId = session.member?.id
      const wanted = shown.value
      return { week: wanted, rows: memberId ? await listWeekCheckins(memberId, wanted) : [] }
    },
    { week: '', rows: [] as StudyCheckinRow[] },
    [() => session.member?.id, shown],
  )
  // Until the new week's rows answer, the week shown has none of the old week's.
  return computed(() => studyWeekState(rows.value.week === shown.value ? rows.value.rows : [], shown.value))
}
