import { weekRange } from './week'

/**
 * Who was in the branch, and who was retired, on a day (issue #12): the rules every past week and
 * month is counted by, so that a member joining, leaving or retiring later never changes them.
 *
 * A member is in the branch from `joinedOn` (入支部日期) up to the day before `leftOn` (转出/离开).
 * Their status on a day is that of the latest change effective on or before it (changes of one day
 * in the order they were entered); before the first change, the first change's status (the one
 * they joined with); with no change recorded at all, their status today.
 */

export interface MemberTimeline {
  id: string
  joinedOn: string
  leftOn: string | null
  retiredNow: boolean
  /** Oldest first: by `from`, then in the order entered. */
  statuses: readonly { from: string, retired: boolean }[]
}

export function inBranchOn(member: MemberTimeline, date: string): boolean {
  return member.joinedOn <= date && (member.leftOn === null || date < member.leftOn)
}

export function retiredOn(member: MemberTimeline, date: string): boolean {
  let status: boolean | undefined
  for (const change of member.statuses) {
    if (change.from > date)
      break
    status = change.retired
  }
  return status ?? member.statuses[0]?.retired ?? member.retiredNow
}

/**
 * The part of a week a member's membership is judged over: a past week from its Monday to its
 * Sunday (who was in the branch on any day of it); the current week (and a later one) is judged
 * today, so a member who has left is gone from this week's lists and reminders at once. Their
 * status that week is the one on `statusDay` (the Sunday, or today).
 */
export function weekSpan(week: string, today: string): { from: string, to: string, statusDay: string } {
  const { start, end } = weekRange(week)
  if (end < today)
    return { from: start, to: end, statusDay: end }
  return { from: today, to: today, statusDay: today }
}

/** In the branch on some day of a week's span (see `weekSpan`): worked out once for a week's many members. */
export function inBranchInSpan(member: MemberTimeline, span: { from: string, to: string }): boolean {
  return member.joinedOn <= span.to && (member.leftOn === null || member.leftOn > span.from)
}

/** In the branch on some day of the week's span (see `weekSpan`). */
export function inBranchInWeek(member: MemberTimeline, week: string, today: string): boolean {
  return inBranchInSpan(member, weekSpan(week, today))
}
