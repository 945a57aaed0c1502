/**
 * A session's days and what a sign-in on a day means for it, on the phone before any sync: the
 * member is told at once when the phone can tell (an expired code, a second sign-in); the server
 * and `matchAttendance` decide the rest after sync.
 */
import type { BranchSessionRow, StudyCheckinRow } from '@/app/db/database'
import type { StudyForm } from '@/domain/records'
import type { SessionForm } from '@/domain/sessions'
import { STUDY_FORMS } from '@/domain/records'
import { isSessionDay, sessionLastDay as lastDay } from '@/domain/sessions'

export { isSessionDay, lastDay }

/**
 * The 学习形式 of a sign-in to a session of `form`: the same where the form is a study form too;
 * a meeting that is not (支部党员大会, 支部委员会, 党小组会) signs in as 支部集中学习, its session linked.
 */
export function checkinFormOf(form: SessionForm): StudyForm {
  return (STUDY_FORMS as readonly string[]).includes(form) ? form as StudyForm : 'branch_study'
}

/** Whether the session has a day in `[from, to]`. */
export function overlaps(session: Pick<BranchSessionRow, 'date' | 'endDate'>, from: string, to: string): boolean {
  return session.date <= to && lastDay(session) >= from
}

/** What typing a code on `today` leads to, given the phone's sessions with that code and the member's check-ins. */
export type SignInVerdict
  = | { kind: 'sign-in', session: BranchSessionRow }
    | { kind: 'already', session: BranchSessionRow }
    | { kind: 'expired', session: BranchSessionRow }
    | { kind: 'unknown' }

/** Whether one of the member's live check-ins already signs in to `session`. */
export function signedInTo(session: BranchSessionRow, checkins: readonly StudyCheckinRow[]): boolean {
  return checkins.some(checkin => !checkin.deleted && (checkin.sessionId === session.id
    || (!checkin.sessionId && checkin.sessionCode === session.code && isSessionDay(session, checkin.date))))
}

/**
 * The verdict on a typed code: a session of the phone with that code held today (or, signed in
 * already, that one); else the latest with that code, expired; else unknown (a session the phone has
 * not pulled: the check-in keeps the code and is matched after sync).
 */
export function judgeSignIn(today: string, withCode: readonly BranchSessionRow[], checkins: readonly StudyCheckinRow[]): SignInVerdict {
  const live = withCode.filter(session => !session.deleted)
  const current = live.find(session => isSessionDay(session, today))
  if (current)
    return signedInTo(current, checkins) ? { kind: 'already', session: current } : { kind: 'sign-in', session: current }
  const latest = [...live].sort((a, b) => lastDay(b).localeCompare(lastDay(a)))[0]
  return latest ? { kind: 'expired', session: latest } : { kind: 'unknown' }
}
