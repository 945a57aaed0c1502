import { weekKey } from './week'

/** The fields of a study check-in that completion arithmetic needs. */
export interface CheckinForCompletion {
  date: string
  minutes: number
  deleted?: boolean
}

/** A member's study in one week: studied when at least one live check-in is dated in it. */
export function weekStudy(checkins: readonly CheckinForCompletion[], week: string): { studied: boolean, checkins: number, minutes: number } {
  let count = 0
  let minutes = 0
  for (const c of checkins) {
    if (c.deleted || weekKey(c.date) !== week)
      continue
    count++
    minutes += c.minutes
  }
  return { studied: count > 0, checkins: count, minutes }
}
