import { shiftWeek, weekRange } from '@/domain/week'

/** One week's slice of the 学习 list. */
export interface CheckinWeekGroup<T> {
  week: string
  /** How the heading names it: 本周, 上周, or by its dates. */
  kind: 'this' | 'last' | 'earlier'
  start: string
  end: string
  checkins: T[]
}

/**
 * Splits check-ins (already newest first) into their ISO weeks, keeping that order, so this week
 * comes first and each row stays in its place within its week.
 */
export function groupCheckinsByWeek<T extends { week: string }>(checkins: readonly T[], thisWeek: string): CheckinWeekGroup<T>[] {
  const lastWeek = shiftWeek(thisWeek, -1)
  const groups = new Map<string, CheckinWeekGroup<T>>()
  for (const checkin of checkins) {
    let group = groups.get(checkin.week)
    if (!group) {
      const kind = checkin.week === thisWeek ? 'this' : checkin.week === lastWeek ? 'last' : 'earlier'
      group = { week: checkin.week, kind, ...weekRange(checkin.week), checkins: [] }
      groups.set(checkin.week, group)
    }
    group.checkins.push(checkin)
  }
  return [...groups.values()]
}
