import type { SignInVerdict } from '@/app/components/sessions/sessionDays'
import type { BranchSessionRow } from '@/app/db/database'
import type { SessionData } from '@/domain/sessions'
import { defineStore } from 'pinia'
import { toRaw } from 'vue'
import { checkinFormOf, isSessionDay, judgeSignIn, lastDay, overlaps } from '@/app/components/sessions/sessionDays'
import { randomSessionCode } from '@/app/components/sessions/signInCode'
import { randomUuid } from '@/app/db/meta'
import { saveRecord } from '@/app/db/records'
import { checkinsDatedBetween, getSession, removeSession, saveSession, sessionsWithCode } from '@/app/db/sessions'
import { validateRecordData } from '@/domain/records'
import { DEFAULT_TIME_ZONE, todayIn } from '@/domain/week'
import { NotSignedInError, RecordValidationError } from './recordWriter'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'
import { useSyncStore } from './sync'

export { NotSignedInError, RecordValidationError } from './recordWriter'

/** Thrown when a member who is not a secretary of the branch tries to write a session. */
export class NotSecretaryError extends Error {
  constructor() {
    super('Only a branch secretary can write sessions')
    this.name = 'NotSecretaryError'
  }
}

/** What 新建活动 / 编辑 takes: the session's own fields; the code, minutes and leaves are kept apart. */
export type SessionInput = Omit<SessionData, 'code' | 'minutes' | 'leaves'>

/** The minutes a sign-in records when the member cannot say (the session's length is not known). */
export const SIGN_IN_MINUTES = 60

/**
 * The branch's sessions (组织生活): a secretary creates, edits and cancels them, writes 会议记录 and
 * 请假, all on the phone first and synced like every record, so it works in a meeting room with no
 * network; the 签到码 is made here. A member signs in (`signIn`): a study check-in of their own that
 * carries the session's code (and its id when the phone has it). Read them with `useBranchSessions`.
 */
export const useBranchSessionsStore = defineStore('branchSessions', () => {
  const session = useSessionStore()
  const settings = useSettingsStore()
  const sync = useSyncStore()

  function secretaryId(): string {
    const member = session.member
    if (!member)
      throw new NotSignedInError()
    if (member.role !== 'secretary')
      throw new NotSecretaryError()
    return member.id
  }

  /** A code no live session of the phone uses on any of these days. */
  async function freshCode(date: string, endDate: string | null | undefined): Promise<string> {
    for (;;) {
      const code = randomSessionCode()
      const clashes = (await sessionsWithCode(code)).filter(other => overlaps(other, date, endDate && endDate > date ? endDate : date))
      if (clashes.length === 0)
        return code
    }
  }

  async function write(id: string, data: SessionData): Promise<void> {
    const checked = validateRecordData('sessions', data, settings.locale)
    if (!checked.ok)
      throw new RecordValidationError(checked.issues)
    await saveSession(secretaryId(), id, checked.data, Date.now(), { branchId: session.member!.branchId })
    sync.scheduleSoon()
  }

  /**
   * Saves a new session (no `id`, a new 签到码 made here) or an edit (keeps its code, minutes and
   * leaves), checked against the domain schema (`RecordValidationError` with `data.<field>` paths).
   * Returns the session's id.
   */
  async function save(input: SessionInput, id?: string): Promise<string> {
    secretaryId()
    const previous = id ? await getSession(id) : undefined
    const raw = { ...toRaw(input) } as SessionInput
    const code = previous && !previous.deleted ? previous.code : await freshCode(raw.date, raw.endDate)
    const data = { ...raw, code } as SessionData
    if (previous?.minutes)
      data.minutes = previous.minutes
    if (previous?.leaves?.length)
      data.leaves = toRaw(previous.leaves).map(leave => ({ ...leave }))
    const sessionId = id ?? randomUuid()
    await write(sessionId, data)
    return sessionId
  }

  async function update(id: string, change: (data: SessionData) => SessionData): Promise<void> {
    secretaryId()
    const previous = await getSession(id)
    if (!previous || previous.deleted)
      throw new Error(`Session ${id} is not on this phone`)
    const current = structuredClone(toRaw(previous)) as BranchSessionRow
    await write(id, change(current))
  }

  /** Saves the 会议记录 (blank clears it). */
  function saveMinutes(id: string, minutes: string): Promise<void> {
    return update(id, data => ({ ...data, minutes: minutes.trim() ? minutes : null }))
  }

  /** Records a member's 请假 with its reason (a second one for the member replaces the first). */
  function addLeave(id: string, memberId: string, reason: string): Promise<void> {
    return update(id, data => ({ ...data, leaves: [...(data.leaves ?? []).filter(leave => leave.memberId !== memberId), { memberId, reason: reason.trim() }] }))
  }

  /** Withdraws a member's 请假. */
  function removeLeave(id: string, memberId: string): Promise<void> {
    return update(id, data => ({ ...data, leaves: (data.leaves ?? []).filter(leave => leave.memberId !== memberId) }))
  }

  /** Cancels (取消活动) a session: a tombstone; members' sign-ins stay their own records. */
  async function cancel(id: string): Promise<void> {
    secretaryId()
    await removeSession(id)
    sync.scheduleSoon()
  }

  /**
   * Signs the member in: a study check-in of their own, saved on the phone at once (offline too),
   * carrying the code always and the session's id, form, topic and a day of it when the phone has
   * the session (else `unknownTopic`, the form 支部集中学习, matched after sync). Returns the check-in's id.
   */
  async function signIn(code: string, known: BranchSessionRow | null, unknownTopic: string): Promise<string> {
    const memberId = session.member?.id
    if (!memberId)
      throw new NotSignedInError()
    const today = todayIn(DEFAULT_TIME_ZONE)
    const data: Record<string, unknown> = known
      ? { date: isSessionDay(known, today) ? today : known.date, form: checkinFormOf(known.form), topic: known.topic, minutes: SIGN_IN_MINUTES, sessionId: known.id, sessionCode: code }
      : { date: today, form: 'branch_study', topic: unknownTopic, minutes: SIGN_IN_MINUTES, sessionCode: code }
    const checked = validateRecordData('studyCheckins', data, settings.locale)
    if (!checked.ok)
      throw new RecordValidationError(checked.issues)
    const id = randomUuid()
    await saveRecord('studyCheckins', memberId, id, checked.data)
    sync.scheduleSoon()
    return id
  }

  /**
   * What the phone can tell about a typed code now (see `judgeSignIn`): the sessions with that code
   * it holds and the member's check-ins on their days.
   */
  async function judge(code: string): Promise<SignInVerdict> {
    const memberId = session.member?.id
    if (!memberId)
      throw new NotSignedInError()
    const withCode = await sessionsWithCode(code)
    if (withCode.length === 0)
      return { kind: 'unknown' }
    const from = withCode.reduce((first, row) => row.date < first ? row.date : first, withCode[0]!.date)
    const to = withCode.reduce((last, row) => lastDay(row) > last ? lastDay(row) : last, lastDay(withCode[0]!))
    const checkins = await checkinsDatedBetween(memberId, from, to)
    return judgeSignIn(todayIn(DEFAULT_TIME_ZONE), withCode, checkins)
  }

  return { save, saveMinutes, addLeave, removeLeave, cancel, signIn, judge }
})
