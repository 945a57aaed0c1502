import type { ComputedRef, Ref } from 'vue'
import type { CheckinSessionStatus } from '@/app/components/study/checkinSession'
import type { BranchSessionRow, StudyCheckinRow } from '@/app/db/database'
import { computed } from 'vue'
import { overlaps } from '@/app/components/sessions/sessionDays'
import { checkinSessionStatuses } from '@/app/components/study/checkinSession'
import { db } from '@/app/db/database'
import { checkinsDatedBetween, getSession, listSessions, sessionsStartingBetween } from '@/app/db/sessions'
import { useSessionStore } from '@/app/stores/session'
import { monthRange } from '@/domain/summary'
import { addDays, weekRange } from '@/domain/week'
import { useLiveQuery } from './useLiveQuery'
import { useCurrentWeek } from './useToday'

/**
 * The branch's sessions on this phone whose first day falls in `month` (a session spanning two
 * months belongs to the one it starts in), by date and time, live from IndexedDB: works offline.
 */
export function useBranchSessions(month: Ref<string>): { sessions: Readonly<Ref<BranchSessionRow[]>>, loaded: ComputedRef<boolean> } {
  const state = useLiveQuery(
    async () => {
      const { start, end } = monthRange(month.value)
      return { loaded: true, rows: await sessionsStartingBetween(start, end) }
    },
    { loaded: false, rows: [] as BranchSessionRow[] },
    [month],
  )
  return { sessions: computed(() => state.value.rows), loaded: computed(() => state.value.loaded) }
}

/** One session on this phone, live; null when it is not here or was cancelled. */
export function useBranchSession(id: Ref<string>): { session: ComputedRef<BranchSessionRow | null>, loaded: ComputedRef<boolean> } {
  const state = useLiveQuery(
    async () => {
      const row = id.value ? await getSession(id.value) : undefined
      return { loaded: true, row: row && !row.deleted ? row : null }
    },
    { loaded: false, row: null as BranchSessionRow | null },
    [id],
  )
  return { session: computed(() => state.value.row), loaded: computed(() => state.value.loaded) }
}

/**
 * This week's sessions on the phone (本周活动): those with a day in the current ISO week, by date.
 * A session over several days that began last week is among them.
 */
export function useWeekSessions(): Readonly<Ref<BranchSessionRow[]>> {
  const week = useCurrentWeek()
  const rows = useLiveQuery(
    async () => {
      const { start, end } = weekRange(week.value)
      // A session lasts days, not weeks: one that began up to four weeks back may still run.
      const candidates = await sessionsStartingBetween(addDays(start, -28), end)
      return candidates.filter(row => overlaps(row, start, end))
    },
    [] as BranchSessionRow[],
    [week],
  )
  return rows
}

/**
 * The member's own check-ins from four weeks before this week to its end, live: enough to tell
 * which of 本周活动 the member has signed in to, and whether a typed code is a second sign-in.
 */
export function useRecentCheckins(): Readonly<Ref<StudyCheckinRow[]>> {
  const session = useSessionStore()
  const week = useCurrentWeek()
  return useLiveQuery(
    async () => {
      const memberId = session.member?.id
      if (!memberId)
        return []
      const { start, end } = weekRange(week.value)
      return checkinsDatedBetween(memberId, addDays(start, -28), addDays(end, 1))
    },
    [] as StudyCheckinRow[],
    [week, () => session.member?.id],
  )
}

/** Every live session on the phone, live (for the 学习 list's sign-in statuses). */
export function useAllSessions(): Readonly<Ref<BranchSessionRow[]>> {
  return useLiveQuery(listSessions, [] as BranchSessionRow[])
}

/**
 * One of the member's check-ins with what it is to the sessions on the phone, live: 活动签到 shows
 * the sign-in just made, and its outcome once a sync has brought the session (or not).
 */
export function useCheckinSession(id: Ref<string>): { checkin: ComputedRef<StudyCheckinRow | null>, status: ComputedRef<CheckinSessionStatus | null> } {
  const state = useLiveQuery(
    async () => {
      const row = id.value ? await db.studyCheckins.get(id.value) : undefined
      return { row: row && !row.deleted ? row : null, sessions: row ? await listSessions() : [] }
    },
    { row: null as StudyCheckinRow | null, sessions: [] as BranchSessionRow[] },
    [id],
  )
  const checkin = computed(() => state.value.row)
  const status = computed(() => state.value.row ? checkinSessionStatuses([state.value.row], state.value.sessions).get(state.value.row.id) ?? null : null)
  return { checkin, status }
}
