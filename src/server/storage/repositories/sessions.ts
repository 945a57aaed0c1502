import type { Kysely, Transaction } from 'kysely'
import type { MemberTimeline } from '../../../domain/membership'
import type { AttendanceMatch, BranchSession, BranchSessionDetailResponse, CheckinVerdict, SessionData, SessionForm, SessionLeave } from '../../../domain/sessions'
import type { Database } from '../schema'
import { randomInt } from 'node:crypto'
import { inBranchOn, retiredOn } from '../../../domain/membership'
import { isSessionDay, matchAttendance, SESSION_MAX_EXTRA_DAYS, SESSION_STUDY_FORMS, sessionLastDay } from '../../../domain/sessions'
import { monthRange, percent } from '../../../domain/summary'
import { addDays, weekKey } from '../../../domain/week'
import { takeRevisions } from '../sync'
import { MembershipHistory } from './history'

/**
 * The branch's sessions (组织生活, issue #13) as the secretary's views and the month's figures read
 * them: the sessions, the check-ins that may attend them, `matchAttendance` over both (the rule the
 * app shares), and the expected members of each session's first day from the membership history.
 * Attendance is never stored; the one write here is the secretary's link of check-ins to a session
 * (and 合并为一次活动, which first makes that session).
 */

type Timelines = Map<string, MemberTimeline & { name: string }>

/** A session as matching needs it, with its branch. */
export interface SessionHead {
  id: string
  branchId: string
  deleted: boolean
  form: string
  date: string
  endDate: string | null
  code: string
}

/** A live check-in of the branch that may attend a session. */
export interface SessionCheckin {
  id: string
  memberId: string
  branchId: string
  date: string
  form: string
  topic: string
  sessionId: string | null
  sessionCode: string | null
  enteredByName: string | null
}

/** One session's attendance, counted among the members of the branch on its first day. */
export interface SessionCount {
  session: BranchSession
  /** Expected members who attended, with the check-in that counts (the earliest). */
  attended: Map<string, SessionCheckin>
  /** Expected members on leave who did not attend. */
  onLeave: Map<string, SessionLeave>
  absent: string[]
  expected: string[]
}

/** A month of sessions: each counted, and the month's session-form check-ins that attend none. */
export interface SessionMonth {
  counts: SessionCount[]
  unlinked: SessionCheckin[]
  verdicts: Map<string, CheckinVerdict>
  timelines: Timelines
  /** Every live session of the branch (for the weeks with one). */
  around: SessionHead[]
}

const parsedList = <V>(value: unknown): V[] => (typeof value === 'string' ? JSON.parse(value) as V[] : [])
const byName = new Intl.Collator('zh-CN')

/** Thrown by `link`/`merge` when a check-in id is no live check-in of the branch. */
export class UnknownCheckinsError extends Error {
  constructor(readonly ids: string[]) {
    super(`unknown check-ins: ${ids.join(', ')}`)
  }
}

export class SessionQueries {
  private readonly history: MembershipHistory

  constructor(private readonly db: Kysely<Database>) {
    this.history = new MembershipHistory(db)
  }

  // Every session of the branch, cancelled ones too (a code or id naming one must be known to be judged).
  private async heads(branchId: string, db: Kysely<Database> = this.db): Promise<SessionHead[]> {
    const rows = await db.selectFrom('sessions').select(['id', 'branch_id', 'deleted', 'form', 'date', 'end_date', 'code']).where('branch_id', '=', branchId).execute()
    // A tombstone keeps no content: it can no longer be matched, but an id naming it is `cancelled`.
    return rows.map(r => ({ id: r.id, branchId: r.branch_id, deleted: Number(r.deleted) === 1, form: r.form ?? '', date: r.date ?? '', endDate: r.end_date, code: r.code ?? '' }))
  }

  // The live sessions of the branch starting from `from` to `to`, or the one with `id`, with their authors.
  private async sessionRows(branchId: string, range: { from: string, to: string } | { id: string }) {
    let query = this.db.selectFrom('sessions as s').innerJoin('members as author', 'author.id', 's.member_id').selectAll('s').select('author.name as author_name').where('s.branch_id', '=', branchId).where('s.deleted', '=', 0)
    query = 'id' in range ? query.where('s.id', '=', range.id) : query.where('s.date', '>=', range.from).where('s.date', '<=', range.to)
    return query.orderBy('s.date').orderBy('s.time').orderBy('s.id').execute()
  }

  /**
   * The live check-ins of the branch that may attend the sessions `ids` (with codes `codes`, days up
   * to `lastDay`), and, when `month` is given, every session-form check-in dated in it.
   */
  private async checkins(branchId: string, ids: readonly string[], codes: readonly string[], from: string, lastDay: string, month?: { start: string, end: string }): Promise<SessionCheckin[]> {
    if (ids.length === 0 && codes.length === 0 && !month)
      return []
    const rows = await this.db.selectFrom('study_checkins as r')
      .leftJoin('members as enterer', 'enterer.id', 'r.entered_by')
      .select(['r.id', 'r.member_id', 'r.branch_id', 'r.date', 'r.form', 'r.topic', 'r.session_id', 'r.session_code', 'enterer.name as entered_by_name'])
      .where('r.branch_id', '=', branchId)
      .where('r.deleted', '=', 0)
      .where(eb => eb.or([
        ...(ids.length > 0 ? [eb('r.session_id', 'in', ids)] : []),
        ...(codes.length > 0 ? [eb.and([eb('r.session_code', 'in', codes), eb('r.date', '>=', from), eb('r.date', '<=', lastDay)])] : []),
        ...(month ? [eb.and([eb('r.form', 'in', SESSION_STUDY_FORMS), eb('r.date', '>=', month.start), eb('r.date', '<=', month.end)])] : []),
      ]))
      .orderBy('r.date')
      .orderBy('r.id')
      .execute()
    return rows.map(r => ({ id: r.id, memberId: r.member_id, branchId: r.branch_id, date: r.date!, form: r.form!, topic: r.topic!, sessionId: r.session_id, sessionCode: r.session_code, enteredByName: r.entered_by_name ?? null }))
  }

  private count(row: Record<string, any>, match: AttendanceMatch<SessionCheckin>, timelines: Timelines): SessionCount {
    const data: SessionData = {
      form: row.form,
      topic: row.topic,
      date: row.date,
      endDate: row.end_date ?? null,
      time: row.time ?? null,
      place: row.place ?? null,
      host: row.host ?? null,
      speaker: row.speaker ?? null,
      materialIds: parsedList<string>(row.material_ids),
      code: row.code,
      minutes: row.meeting_minutes ?? null,
      leaves: parsedList<SessionLeave>(row.leaves),
    }
    const day = data.date
    const expected = [...timelines.values()].filter(t => inBranchOn(t, day))
    const expectedIds = new Set(expected.map(t => t.id))
    const attended = new Map<string, SessionCheckin>()
    // Check-ins come ordered by date then id: the first of a member is the one that counts.
    for (const checkin of match.bySession.get(row.id) ?? []) {
      if (expectedIds.has(checkin.memberId) && !attended.has(checkin.memberId))
        attended.set(checkin.memberId, checkin)
    }
    const onLeave = new Map<string, SessionLeave>()
    for (const leave of data.leaves ?? []) {
      if (expectedIds.has(leave.memberId) && !attended.has(leave.memberId))
        onLeave.set(leave.memberId, leave)
    }
    const absent = expected.filter(t => !attended.has(t.id) && !onLeave.has(t.id)).map(t => t.id)
    const active = expected.filter(t => !retiredOn(t, day))
    const attendedActive = active.filter(t => attended.has(t.id)).length
    const session: BranchSession = {
      ...data,
      id: row.id,
      week: row.week,
      updatedAt: Number(row.updated_at),
      authorName: row.author_name,
      expected: expected.length,
      attended: attended.size,
      onLeave: onLeave.size,
      absent: absent.length,
      rate: percent(attended.size, expected.length),
      expectedActive: active.length,
      attendedActive,
      rateActive: percent(attendedActive, active.length),
    }
    return { session, attended, onLeave, absent, expected: expected.map(t => t.id) }
  }

  /**
   * The month's sessions (those starting in it, by date and time), each counted, and the month's
   * check-ins of a session form that attend no session (未关联活动的签到).
   */
  async month(branchId: string, month: string): Promise<SessionMonth> {
    const { start, end } = monthRange(month)
    const [heads, rows, timelines] = await Promise.all([this.heads(branchId), this.sessionRows(branchId, { from: start, to: end }), this.history.timelines(branchId)])
    const checkins = await this.checkins(branchId, rows.map(r => r.id), [...new Set(rows.map(r => r.code!))], start, addDays(end, SESSION_MAX_EXTRA_DAYS), { start, end })
    const match = matchAttendance(heads, checkins)
    const counts = rows.map(row => this.count(row, match, timelines))
    const unlinked = checkins.filter(c => c.date >= start && c.date <= end && (SESSION_STUDY_FORMS as readonly string[]).includes(c.form) && match.verdicts.get(c.id)?.kind !== 'attends')
    return { counts, unlinked, verdicts: match.verdicts, timelines, around: heads.filter(h => !h.deleted) }
  }

  /** One live session of the branch with its attendance lists, or undefined (unknown, cancelled, another branch's). */
  async detail(branchId: string, id: string): Promise<BranchSessionDetailResponse | undefined> {
    const [row] = await this.sessionRows(branchId, { id })
    if (!row)
      return undefined
    const [heads, timelines] = await Promise.all([this.heads(branchId), this.history.timelines(branchId)])
    const checkins = await this.checkins(branchId, [row.id], [row.code!], row.date!, sessionLastDay({ date: row.date!, endDate: row.end_date }))
    const counted = this.count(row, matchAttendance(heads, checkins), timelines)
    const nameOf = (id: string) => timelines.get(id)?.name ?? ''
    const sorted = <T extends { name: string, memberId: string }>(list: T[]) => list.sort((a, b) => byName.compare(a.name, b.name) || a.memberId.localeCompare(b.memberId))
    const day = row.date!
    const retired = (id: string) => {
      const t = timelines.get(id)
      return t !== undefined && retiredOn(t, day)
    }
    return {
      session: counted.session,
      attended: sorted([...counted.attended.values()].map(c => ({ memberId: c.memberId, name: nameOf(c.memberId), checkinId: c.id, date: c.date, enteredByName: c.enteredByName, retired: retired(c.memberId) }))),
      leaves: sorted([...counted.onLeave.values()].map(l => ({ memberId: l.memberId, name: nameOf(l.memberId), reason: l.reason }))),
      absent: sorted(counted.absent.map(id => ({ memberId: id, name: nameOf(id), retired: retired(id) }))),
    }
  }

  /** A live session of the branch as the lists show it, or undefined. */
  async session(branchId: string, id: string): Promise<BranchSession | undefined> {
    return (await this.detail(branchId, id))?.session
  }

  /**
   * Links check-ins of the branch to its live session `sessionId` (the secretary's 关联活动): sets
   * their `sessionId` and gives each changed row a new revision, so the members' phones pull it.
   * `updatedAt` stays the member's: a member's edit made meanwhile still wins on its own terms, and
   * keeps the link (a push without `sessionId` keeps a stored one). One transaction that takes the
   * branch's revision lock first: a member's push of the same row either commits before (and is
   * linked here) or is judged again after (PostgreSQL) / waits (SQLite). Linking again is a no-op.
   * Returns undefined when the session is no live session of the branch.
   */
  async link(branchId: string, sessionId: string, checkinIds: readonly string[]): Promise<{ linked: number, unchanged: number } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await takeRevisions(trx, branchId, 0)
      const session = await trx.selectFrom('sessions').select('id').where('id', '=', sessionId).where('branch_id', '=', branchId).where('deleted', '=', 0).executeTakeFirst()
      if (!session)
        return undefined
      return this.linkIn(trx, branchId, sessionId, checkinIds)
    })
  }

  private async linkIn(trx: Transaction<Database>, branchId: string, sessionId: string, checkinIds: readonly string[]): Promise<{ linked: number, unchanged: number }> {
    const ids = [...new Set(checkinIds)]
    const rows = ids.length === 0 ? [] : await trx.selectFrom('study_checkins').select(['id', 'session_id']).where('branch_id', '=', branchId).where('deleted', '=', 0).where('id', 'in', ids).execute()
    const found = new Set(rows.map(r => r.id))
    const missing = ids.filter(id => !found.has(id))
    if (missing.length > 0)
      throw new UnknownCheckinsError(missing)
    const toChange = rows.filter(r => r.session_id !== sessionId).map(r => r.id).sort()
    if (toChange.length > 0) {
      const first = await takeRevisions(trx, branchId, toChange.length)
      for (const [i, id] of toChange.entries())
        await trx.updateTable('study_checkins').set({ session_id: sessionId, rev: first + i }).where('id', '=', id).execute()
    }
    return { linked: ids.length, unchanged: ids.length - toChange.length }
  }

  /**
   * 合并为一次活动: a session of `form` on `date` made on the server for check-ins logged without one,
   * then those check-ins linked to it. `id` is the client's: asked again, the session made the first
   * time is used (no second session). Its 签到码 is one no live session of the branch uses on that day.
   * Returns undefined when `id` is taken by a session of another branch or a cancelled one.
   */
  async merge(branchId: string, secretaryId: string, request: { id: string, form: SessionForm, date: string, topic: string }, checkinIds: readonly string[], now: number = Date.now()): Promise<{ linked: number, unchanged: number } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await takeRevisions(trx, branchId, 0)
      const existing = await trx.selectFrom('sessions').select(['branch_id', 'deleted']).where('id', '=', request.id).executeTakeFirst()
      if (existing && (existing.branch_id !== branchId || Number(existing.deleted) === 1))
        return undefined
      if (!existing) {
        // The check-ins must be known before a session is made for them.
        const ids = [...new Set(checkinIds)]
        const known = ids.length === 0 ? [] : await trx.selectFrom('study_checkins').select('id').where('branch_id', '=', branchId).where('deleted', '=', 0).where('id', 'in', ids).execute()
        if (known.length !== ids.length) {
          const found = new Set(known.map(r => r.id))
          throw new UnknownCheckinsError(ids.filter(id => !found.has(id)))
        }
        const taken = new Set((await this.heads(branchId, trx)).filter(s => !s.deleted && isSessionDay(s, request.date)).map(s => s.code))
        let code: string
        do
          code = String(randomInt(1_000_000)).padStart(6, '0')
        while (taken.has(code))
        const rev = await takeRevisions(trx, branchId, 1)
        await trx.insertInto('sessions').values({
          id: request.id,
          member_id: secretaryId,
          branch_id: branchId,
          updated_at: now,
          client_id: 'server:merge',
          deleted: 0,
          rev,
          date: request.date,
          week: weekKey(request.date),
          form: request.form,
          topic: request.topic,
          end_date: null,
          time: null,
          place: null,
          host: null,
          speaker: null,
          material_ids: null,
          code,
          meeting_minutes: null,
          leaves: null,
        }).execute()
      }
      return this.linkIn(trx, branchId, request.id, checkinIds)
    })
  }
}
