import { DEFAULT_TIME_ZONE, shiftWeek, todayIn, weekKey, weeksInYear } from './week'

/**
 * A member's own progress arithmetic (我的进度): totals per period, the study streak in ISO weeks
 * and the year strip. Pure: the app passes its rows and today's date.
 */

/** The fields of a study check-in the totals need. */
export interface CheckinForProgress { date: string, minutes: number, deleted?: boolean }
/** The fields of a service log the totals need; `id` and `memberId` make one 人次. */
export interface ServiceForProgress { id: string, memberId: string, date: string, hours: number, deleted?: boolean }
/** Notes carry no date: a note counts on the day it was last written (`updatedAt`, in the branch's zone). */
export interface NoteForProgress { updatedAt: number, deleted?: boolean }
export interface ProblemForProgress { date: string, deleted?: boolean }

/** Service hours and 人次: one member in one activity counts once, however many residents it served. */
export interface ServiceTotals { hours: number, count: number }

/** What 我的进度 shows for one period. */
export interface PeriodFigures {
  checkins: number
  minutes: number
  serviceHours: number
  /** 人次 of service. */
  serviceCount: number
  notes: number
  problems: number
}

export interface YearWeekCell { week: string, studied: boolean }

export interface ProgressSummary {
  today: string
  week: PeriodFigures
  month: PeriodFigures
  year: PeriodFigures
  /** Weeks in a row with study, up to this week (or last week while this one has none yet). */
  streak: number
  /** The ISO week-year of this week and its 52 or 53 weeks. */
  stripYear: number
  yearWeeks: YearWeekCell[]
}

/** `YYYY-MM` of a date. */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}

/** Service hours and 人次 of live logs; a log listed twice (same member and id) counts once. */
export function serviceTotals(logs: Iterable<ServiceForProgress>): ServiceTotals {
  const seen = new Set<string>()
  let hours = 0
  for (const log of logs) {
    const key = `${log.memberId}:${log.id}`
    if (log.deleted || seen.has(key))
      continue
    seen.add(key)
    hours += log.hours
  }
  return { hours, count: seen.size }
}

/** One month of service logs with its totals. */
export interface ServiceMonth<T> { month: string, hours: number, count: number, logs: T[] }

/**
 * Live logs grouped by month, newest month first; each month's logs keep the given order
 * (sort them newest first before calling).
 */
export function serviceMonths<T extends ServiceForProgress>(logs: readonly T[]): ServiceMonth<T>[] {
  const byMonth = new Map<string, T[]>()
  for (const log of logs) {
    if (log.deleted)
      continue
    const month = monthOf(log.date)
    const list = byMonth.get(month) ?? []
    list.push(log)
    byMonth.set(month, list)
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([month, list]) => ({ month, ...serviceTotals(list), logs: list }))
}

/**
 * Weeks with study in a row ending at `current`. A current week not studied yet does not break
 * the streak that ended last week; ISO weeks run on across year ends (2026-W53 → 2027-W01).
 */
export function studyStreak(studiedWeeks: ReadonlySet<string>, current: string): number {
  let week = studiedWeeks.has(current) ? current : shiftWeek(current, -1)
  let streak = 0
  while (studiedWeeks.has(week)) {
    streak++
    week = shiftWeek(week, -1)
  }
  return streak
}

/** The weeks of an ISO week-year (52 or 53), each marked studied or not. */
export function yearWeeks(year: number, studiedWeeks: ReadonlySet<string>): YearWeekCell[] {
  return Array.from({ length: weeksInYear(year) }, (_, i) => {
    const week = `${year}-W${String(i + 1).padStart(2, '0')}`
    return { week, studied: studiedWeeks.has(week) }
  })
}

/** The weeks with at least one live check-in. */
export function studiedWeeks(checkins: Iterable<CheckinForProgress>): Set<string> {
  const weeks = new Set<string>()
  for (const c of checkins) {
    if (!c.deleted)
      weeks.add(weekKey(c.date))
  }
  return weeks
}

function emptyFigures(): PeriodFigures {
  return { checkins: 0, minutes: 0, serviceHours: 0, serviceCount: 0, notes: 0, problems: 0 }
}

/**
 * This week's, this month's and this year's figures, the streak and the year strip, from the
 * member's own rows. `today` is the branch's date; weeks are ISO, months and years by the calendar.
 */
export function progressSummary(
  rows: { checkins: readonly CheckinForProgress[], services: readonly ServiceForProgress[], notes: readonly NoteForProgress[], problems: readonly ProblemForProgress[] },
  today: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): ProgressSummary {
  const week = weekKey(today)
  const month = monthOf(today)
  const year = today.slice(0, 4)
  const figures = { week: emptyFigures(), month: emptyFigures(), year: emptyFigures() }
  const periodsOf = (date: string): PeriodFigures[] => {
    const hit: PeriodFigures[] = []
    if (weekKey(date) === week)
      hit.push(figures.week)
    if (monthOf(date) === month)
      hit.push(figures.month)
    if (date.slice(0, 4) === year)
      hit.push(figures.year)
    return hit
  }
  for (const c of rows.checkins) {
    if (c.deleted)
      continue
    for (const f of periodsOf(c.date)) {
      f.checkins++
      f.minutes += c.minutes
    }
  }
  const servicesByPeriod = { week: [] as ServiceForProgress[], month: [] as ServiceForProgress[], year: [] as ServiceForProgress[] }
  for (const s of rows.services) {
    if (s.deleted)
      continue
    if (weekKey(s.date) === week)
      servicesByPeriod.week.push(s)
    if (monthOf(s.date) === month)
      servicesByPeriod.month.push(s)
    if (s.date.slice(0, 4) === year)
      servicesByPeriod.year.push(s)
  }
  for (const period of ['week', 'month', 'year'] as const) {
    const totals = serviceTotals(servicesByPeriod[period])
    figures[period].serviceHours = totals.hours
    figures[period].serviceCount = totals.count
  }
  for (const n of rows.notes) {
    if (n.deleted)
      continue
    for (const f of periodsOf(todayIn(timeZone, n.updatedAt)))
      f.notes++
  }
  for (const p of rows.problems) {
    if (p.deleted)
      continue
    for (const f of periodsOf(p.date))
      f.problems++
  }
  const studied = studiedWeeks(rows.checkins)
  const stripYear = Number(week.slice(0, 4))
  return { today, ...figures, streak: studyStreak(studied, week), stripYear, yearWeeks: yearWeeks(stripYear, studied) }
}
