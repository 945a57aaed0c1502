import type { BranchSessionRow, StudyCheckinRow } from '@/app/db/database'
import type { CheckinVerdict } from '@/domain/sessions'
import { matchAttendance } from '@/domain/sessions'

/** What a check-in's row says about the session it signs in to: an i18n key under `study.session` and its values. */
export interface CheckinSessionStatus {
  key: 'linked' | 'waiting' | 'unmatched' | 'expired' | 'cancelled' | 'otherBranch'
  params: Record<string, string>
  /** Counted for a session (shown plainly) or not (shown as a warning). */
  counted: boolean
}

/**
 * The status of one check-in given its verdict against the sessions on the phone. A sign-in the
 * phone cannot place says 同步后确认 while it waits to be pushed, and 未匹配到活动 once the server has
 * it and the phone has still pulled no session for it (the secretary's phone may sync later yet).
 */
export function checkinSessionStatus(checkin: StudyCheckinRow, verdict: CheckinVerdict | undefined, sessions: ReadonlyMap<string, BranchSessionRow>): CheckinSessionStatus | null {
  if (!verdict || verdict.kind === 'none')
    return null
  const code = checkin.sessionCode ?? ''
  switch (verdict.kind) {
    case 'attends':
      return { key: 'linked', params: { topic: sessions.get(verdict.sessionId)?.topic ?? '' }, counted: true }
    case 'expired':
      return { key: 'expired', params: { code }, counted: false }
    case 'cancelled':
      return { key: 'cancelled', params: { code }, counted: false }
    case 'otherBranch':
      return { key: 'otherBranch', params: { code }, counted: false }
    default:
      return checkin.sync === 'pending' ? { key: 'waiting', params: { code }, counted: false } : { key: 'unmatched', params: { code }, counted: false }
  }
}

/** The status of each of `checkins` that names a session, by check-in id (see `checkinSessionStatus`). */
export function checkinSessionStatuses(checkins: readonly StudyCheckinRow[], sessions: readonly BranchSessionRow[]): Map<string, CheckinSessionStatus> {
  const named = checkins.filter(checkin => checkin.sessionId || checkin.sessionCode)
  const out = new Map<string, CheckinSessionStatus>()
  if (named.length === 0)
    return out
  const { verdicts } = matchAttendance(sessions, named)
  const byId = new Map(sessions.map(session => [session.id, session]))
  for (const checkin of named) {
    const status = checkinSessionStatus(checkin, verdicts.get(checkin.id), byId)
    if (status)
      out.set(checkin.id, status)
  }
  return out
}
