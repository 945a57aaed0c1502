import type { ComputedRef, MaybeRefOrGetter, Ref } from 'vue'
import type { StudyWeekState } from './studyCheckinsView'
import type { StudyCheckinRow } from '@/app/db/database'
import { computed, toValue } from 'vue'
import { listStudyCheckins } from '@/app/db/studyCheckins'
import { useSessionStore } from '@/app/stores/session'
import { sortStudyCheckins, studyWeekState } from './studyCheckinsView'
import { useLiveQuery } from './useLiveQuery'
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
 * One week's study state for the signed-in member (default: this week in the branch's zone):
 * `{ week, studied, checkins (count), minutes }`, live.
 */
export function useStudyWeek(week?: MaybeRefOrGetter<string | undefined>): ComputedRef<StudyWeekState> {
  const { checkins } = useStudyCheckins()
  const thisWeek = useCurrentWeek()
  return computed(() => studyWeekState(checkins.value, toValue(week) ?? thisWeek.value))
}
