import type { StudyCheckinRow } from '@/app/db/database'
import { weekStudy } from '@/domain/completion'

/** A member's study in one week, as the 学习 page shows it. */
export interface StudyWeekState {
  week: string
  studied: boolean
  checkins: number
  minutes: number
}

/** Newest date first, then the most recently edited first (ids break ties so the order is stable). */
export function compareStudyCheckins(a: StudyCheckinRow, b: StudyCheckinRow): number {
  if (a.date !== b.date)
    return a.date < b.date ? 1 : -1
  if (a.updatedAt !== b.updatedAt)
    return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The rows to list: tombstones dropped, sorted by `compareStudyCheckins`. */
export function sortStudyCheckins(rows: readonly StudyCheckinRow[]): StudyCheckinRow[] {
  return rows.filter(row => !row.deleted).sort(compareStudyCheckins)
}

/** Whether the week counts as studied, with its check-ins and minutes (tombstones do not count). */
export function studyWeekState(rows: readonly StudyCheckinRow[], week: string): StudyWeekState {
  return { week, ...weekStudy(rows, week) }
}
