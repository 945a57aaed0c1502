import type { FieldMessageKey } from './messages'
import type { StudyForm } from './records'
import * as v from 'valibot'
import { fieldMessage } from './messages'
import { charLength, textOfAtMost, UUID_RE } from './text'
import { addDays, isIsoDate } from './week'

/**
 * The branch's sessions (组织生活, issue #13): the meetings a branch holds (三会一课, 主题党日, 集中学习,
 * 读书班 …) as records of their own, written by secretaries and pulled by every member (table
 * `sessions`, synced like `materials`), and how members' study check-ins attend them.
 *
 * A member signs in with a check-in that carries the session's `sessionId` (picked on a phone that
 * has the session) or only its 6-digit `sessionCode` (typed or scanned on a phone that has not pulled
 * it). Nothing is resolved when a row is written, since the secretary's phone may sync the session
 * after the members' phones: attendance is derived when it is read, by `matchAttendance`, the one
 * rule the server's figures and the app's lists share.
 */

/**
 * 支部集中学习, 支部党员大会, 支部委员会, 党小组会, 专题党课, 主题党日, 读书班, 专题研讨, 学习交流, 专题培训.
 * Where a form is also a study form (STUDY_FORMS) it has the same value.
 */
export const SESSION_FORMS = ['branch_study', 'party_congress', 'committee', 'group_meeting', 'party_lecture', 'party_day', 'reading_class', 'seminar', 'exchange', 'training'] as const
export type SessionForm = typeof SESSION_FORMS[number]

export const isSessionForm = (form: string): form is SessionForm => (SESSION_FORMS as readonly string[]).includes(form)

/**
 * The study forms that are sessions: a check-in of one of them is attendance at a session, and one
 * that attends none is an 未关联活动的签到 (it no longer makes a session appear in the figures).
 */
export const SESSION_STUDY_FORMS = ['branch_study', 'party_lecture', 'party_day', 'reading_class', 'seminar', 'exchange', 'training'] as const satisfies readonly (StudyForm & SessionForm)[]

export const isSessionStudyForm = (form: string): boolean => (SESSION_STUDY_FORMS as readonly string[]).includes(form)

/** A 签到码: six ASCII digits, made on the secretary's phone (offline too). */
export const SESSION_CODE_RE = /^\d{6}$/
export const isSessionCode = (value: unknown): value is string => typeof value === 'string' && SESSION_CODE_RE.test(value)

/** A session lasts at most this many days after its first (a 15-day 读书班 at the longest). */
export const SESSION_MAX_EXTRA_DAYS = 14
export const SESSION_MATERIALS_MAX = 20
export const SESSION_LEAVES_MAX = 500
export const SESSION_MINUTES_MAX = 20_000
export const SESSION_TEXT_MAX = 100
export const LEAVE_REASON_MAX = 200

const TIME_RE = /^(?:[01]\d|2[0-3]):[0-5]\d$/

const msg = (key: FieldMessageKey) => (issue: { lang?: string }) => fieldMessage(key, issue.lang)
const uuid = (key: FieldMessageKey) => v.pipe(v.string(msg(key)), v.regex(UUID_RE, msg(key)))
const optionalText = (key: FieldMessageKey, max: number) => v.optional(v.nullable(textOfAtMost(key, max)))

/** A session's day: a real `YYYY-MM-DD` (a session may be planned ahead, so a future day is fine). */
const sessionDate = (key: FieldMessageKey) => v.pipe(v.string(msg(key)), v.check(isIsoDate, msg(key)))

/** 请假: a member of the branch excused from the session, with the reason they gave (may be empty). */
export const sessionLeave = v.object({
  memberId: uuid('memberId'),
  reason: v.optional(textOfAtMost('leaveReason', LEAVE_REASON_MAX), ''),
})
export type SessionLeave = v.InferOutput<typeof sessionLeave>

/**
 * A session as the secretary writes it. `date` is its first day, `endDate` its last when it lasts
 * several days (one session however many days: a two-day 读书班 is one 读书班); `code` the 签到码;
 * `minutes` the 会议记录; `leaves` who asked for leave. Cancelling deletes the row (a tombstone).
 */
export const sessionData = v.pipe(
  v.object({
    form: v.picklist(SESSION_FORMS, msg('sessionForm')),
    topic: v.pipe(textOfAtMost('topic', 200), v.check(s => charLength(s.trim()) >= 1, msg('topic'))),
    date: sessionDate('sessionDate'),
    endDate: v.optional(v.nullable(sessionDate('endDate'))),
    time: v.optional(v.nullable(v.pipe(v.string(msg('time')), v.regex(TIME_RE, msg('time'))))),
    place: optionalText('place', SESSION_TEXT_MAX),
    host: optionalText('host', SESSION_TEXT_MAX),
    speaker: optionalText('speaker', SESSION_TEXT_MAX),
    materialIds: v.optional(v.pipe(v.array(uuid('materialIds'), msg('materialIds')), v.maxLength(SESSION_MATERIALS_MAX, msg('materialIds')))),
    code: v.pipe(v.string(msg('code')), v.regex(SESSION_CODE_RE, msg('code'))),
    minutes: optionalText('sessionMinutes', SESSION_MINUTES_MAX),
    leaves: v.optional(v.pipe(
      v.array(sessionLeave, msg('leaves')),
      v.maxLength(SESSION_LEAVES_MAX, msg('leaves')),
      v.check(list => new Set(list.map(l => l.memberId)).size === list.length, msg('leaves')),
    )),
  }),
  // partialCheck: judged whenever `date` and `endDate` are valid, so the message shows beside others.
  v.forward(
    // (Both are checked again: valibot may run it with a bad `date` still in the input.)
    v.partialCheck([['date'], ['endDate']], s => s.endDate === undefined || s.endDate === null || (isIsoDate(s.date) && isIsoDate(s.endDate) && s.endDate >= s.date && s.endDate <= addDays(s.date, SESSION_MAX_EXTRA_DAYS)), msg('endDate')),
    ['endDate'],
  ),
)
export type SessionData = v.InferOutput<typeof sessionData>

/** The two fields a study check-in gains to sign in to a session (both optional, both nullable). */
export const checkinSessionFields = {
  sessionId: v.optional(v.nullable(uuid('sessionId'))),
  sessionCode: v.optional(v.nullable(v.pipe(v.string(msg('sessionCode')), v.regex(SESSION_CODE_RE, msg('sessionCode'))))),
}

/** A session's last day (its first when it lasts one day). */
export function sessionLastDay(session: { date: string, endDate?: string | null }): string {
  return session.endDate && session.endDate > session.date ? session.endDate : session.date
}

/** Whether `day` is one of the session's days. */
export function isSessionDay(session: { date: string, endDate?: string | null }, day: string): boolean {
  return day >= session.date && day <= sessionLastDay(session)
}

// ---- attendance ---------------------------------------------------------------------------------

/** What `matchAttendance` needs of a session. `branchId` may be absent on a phone (all its sessions are its branch's). */
export interface AttendanceSession {
  id: string
  branchId?: string
  deleted?: boolean
  form: string
  date: string
  endDate?: string | null
  code: string
}

/** What `matchAttendance` needs of a study check-in. */
export interface AttendanceCheckin {
  id: string
  memberId: string
  branchId?: string
  deleted?: boolean
  date: string
  form: string
  sessionId?: string | null
  sessionCode?: string | null
}

/**
 * What a check-in is to the sessions known:
 * - `attends`: it is attendance at `sessionId`;
 * - `none`: it names no session (self study, or a session form logged without one);
 * - `unknownSession`: its `sessionId` is no session of the check-in's branch that is known;
 * - `unknownCode`: no session of its branch has the code (签到码无效);
 * - `expired`: sessions of its branch have the code, none on the check-in's date (已过期; `sessionId` the nearest);
 * - `cancelled`: the session it names by id was cancelled (a tombstone keeps no code, so a sign-in
 *   by the code of a cancelled session is `unknownCode` once the tombstone has replaced it);
 * - `otherBranch`: only another branch's session has the code (不是本支部的活动). The server never
 *   passes other branches' sessions, so it never says so; a caller that knows them may.
 */
export type CheckinVerdict
  = | { kind: 'attends', sessionId: string }
    | { kind: 'none' }
    | { kind: 'unknownSession' }
    | { kind: 'unknownCode' }
    | { kind: 'expired', sessionId: string }
    | { kind: 'cancelled', sessionId: string }
    | { kind: 'otherBranch' }

export interface AttendanceMatch<C extends AttendanceCheckin = AttendanceCheckin> {
  /** Per live session id: the live check-ins that attend it (a member may have several; count members). */
  bySession: Map<string, C[]>
  /** Per live check-in id: what it is to the sessions. */
  verdicts: Map<string, CheckinVerdict>
}

const sameBranch = (a?: string, b?: string): boolean => a === undefined || b === undefined || a === b

/**
 * Which check-ins attend which sessions. A live check-in attends the live session S of its branch when
 * - its `sessionId` is S's id, whatever the check-in's date (the member chose that session; a sign-in
 *   logged days later, or linked later by the secretary, still counts for it), or
 * - it has no `sessionId`, its `sessionCode` is S's code and its date is one of S's days. When two
 *   sessions of the branch share a code on that day (two secretaries offline), the one of the
 *   check-in's form wins, then the earlier, then the smaller id: a check-in attends one session at most.
 * A `sessionId` decides alone: a check-in naming an unknown or cancelled session does not fall back
 * to its code. Deleted check-ins attend nothing. Attendance is distinct members per session: a second
 * sign-in of the same member is another check-in, not another attendee.
 */
export function matchAttendance<C extends AttendanceCheckin>(sessions: readonly AttendanceSession[], checkins: readonly C[]): AttendanceMatch<C> {
  const byId = new Map(sessions.map(s => [s.id, s]))
  const byCode = new Map<string, AttendanceSession[]>()
  for (const s of sessions) {
    const list = byCode.get(s.code)
    if (list)
      list.push(s)
    else
      byCode.set(s.code, [s])
  }
  const bySession = new Map<string, C[]>()
  for (const s of sessions) {
    if (!s.deleted)
      bySession.set(s.id, [])
  }
  const verdicts = new Map<string, CheckinVerdict>()
  for (const checkin of checkins) {
    if (checkin.deleted)
      continue
    const verdict = judge(checkin, byId, byCode)
    verdicts.set(checkin.id, verdict)
    if (verdict.kind === 'attends')
      bySession.get(verdict.sessionId)!.push(checkin)
  }
  return { bySession, verdicts }
}

function judge(checkin: AttendanceCheckin, byId: Map<string, AttendanceSession>, byCode: Map<string, AttendanceSession[]>): CheckinVerdict {
  if (checkin.sessionId) {
    const s = byId.get(checkin.sessionId)
    if (!s || !sameBranch(s.branchId, checkin.branchId))
      return { kind: 'unknownSession' }
    return s.deleted ? { kind: 'cancelled', sessionId: s.id } : { kind: 'attends', sessionId: s.id }
  }
  if (!checkin.sessionCode)
    return { kind: 'none' }
  const withCode = byCode.get(checkin.sessionCode) ?? []
  const ours = withCode.filter(s => sameBranch(s.branchId, checkin.branchId))
  if (ours.length === 0)
    return withCode.length > 0 ? { kind: 'otherBranch' } : { kind: 'unknownCode' }
  const onDay = ours.filter(s => isSessionDay(s, checkin.date))
  const live = onDay.filter(s => !s.deleted)
  if (live.length > 0) {
    const best = [...live].sort((a, b) => Number(b.form === checkin.form) - Number(a.form === checkin.form) || a.date.localeCompare(b.date) || a.id.localeCompare(b.id))[0]!
    return { kind: 'attends', sessionId: best.id }
  }
  if (onDay.length > 0)
    return { kind: 'cancelled', sessionId: onDay[0]!.id }
  const liveOurs = ours.filter(s => !s.deleted)
  if (liveOurs.length === 0)
    return { kind: 'cancelled', sessionId: ours[0]!.id }
  // The nearest session with the code: the one whose days are closest to the check-in's date.
  const distance = (s: AttendanceSession) => checkin.date < s.date ? dayGap(checkin.date, s.date) : dayGap(sessionLastDay(s), checkin.date)
  const nearest = [...liveOurs].sort((a, b) => distance(a) - distance(b) || a.id.localeCompare(b.id))[0]!
  return { kind: 'expired', sessionId: nearest.id }
}

function dayGap(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** The distinct members attending each session of a match. */
export function attendeesBySession(match: AttendanceMatch): Map<string, Set<string>> {
  return new Map([...match.bySession].map(([id, list]) => [id, new Set(list.map(c => c.memberId))]))
}

// ---- the secretary's views (`/api/v1/branch/sessions...`) ---------------------------------------

/** Attendance figures of one session: members of the branch on its first day (`expected`, and 在职 among them). */
export interface SessionAttendanceFigures {
  /** Members of the branch on the session's first day. */
  expected: number
  /** Of them, those who signed in (代签 included). */
  attended: number
  /** Of them, those on leave who did not sign in. */
  onLeave: number
  /** expected − attended − onLeave. */
  absent: number
  /** attended ÷ expected in percent (one decimal), null when no one was expected. */
  rate: number | null
  /** The same over the members 在职 on the session's first day. */
  expectedActive: number
  attendedActive: number
  rateActive: number | null
}

/** A session as the secretary's lists show it: its fields, its figures. */
export interface BranchSession extends SessionData, SessionAttendanceFigures {
  id: string
  week: string
  updatedAt: number
  /** Who created it (the row's owner). */
  authorName: string
}

/** `GET /branch/sessions?month=YYYY-MM`: the live sessions whose first day is in the month, by date and time. */
export interface BranchSessionsResponse {
  month: string
  sessions: BranchSession[]
}

/** One attendee: who, the check-in that counts (the earliest), and 代签 when a secretary entered it. */
export interface SessionAttendee {
  memberId: string
  name: string
  checkinId: string
  date: string
  /** The secretary's name when the check-in was entered for the member (代签), else null. */
  enteredByName: string | null
  /** Retired on the session's first day. */
  retired: boolean
}

export interface SessionLeaveEntry { memberId: string, name: string, reason: string }
export interface SessionAbsentee { memberId: string, name: string, retired: boolean }

/** `GET /branch/sessions/:id`: the session and its attendance lists, names sorted. */
export interface BranchSessionDetailResponse {
  session: BranchSession
  attended: SessionAttendee[]
  leaves: SessionLeaveEntry[]
  absent: SessionAbsentee[]
}

/** `POST /branch/sessions/:id/link`: set `sessionId` on these check-ins of the branch (未关联活动的签到). */
export interface LinkCheckinsRequest { checkinIds: string[] }
/** `linked`: check-ins now naming the session (including those that already did); `unchanged` were already linked to it. */
export interface LinkCheckinsResponse { sessionId: string, linked: number, unchanged: number }

/**
 * `POST /branch/sessions/merge` (合并为一次活动): a new session of `form` on `date` with `topic`
 * (the first check-in's topic by default) and these check-ins linked. `id` is the client's new
 * session id, so a retried request makes one session.
 */
export interface MergeCheckinsRequest {
  id: string
  form: SessionForm
  date: string
  topic?: string
  checkinIds: string[]
}
export interface MergeCheckinsResponse extends LinkCheckinsResponse { session: BranchSession }

/** At most this many check-ins in one link or merge. */
export const LINK_CHECKINS_MAX = 500
