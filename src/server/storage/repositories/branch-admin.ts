import type { Kysely } from 'kysely'
import type { BranchMember, BranchOverviewResponse, BranchProblem, BranchRecord, InviteKind, MemberPatchRequest, MemberRecordTable, ProxyEntryRequest } from '../../../domain/branch'
import type { ProblemCategory, ProblemStatus } from '../../../domain/records'
import type { Role } from '../../../domain/wire'
import type { Database } from '../schema'
import { sql } from 'kysely'
import { DEFAULT_TIME_ZONE, todayIn, weekKey } from '../../../domain/week'
import { newHumanCode, newId } from '../secrets'
import { currentOwner, judge, takeRevisions } from '../sync'
import { fillHistory, recordStatusToday, retiredOnSql } from './history'
import { sameColumns } from './records'

/**
 * What a branch secretary does to the branch (issue #5): its invite codes, its members (退休,
 * 入党日期, role, devices), entries on a member's behalf (代录), the problem register's statuses,
 * and the rows behind a member's list. Every method is scoped to one branch: another branch's ids
 * are simply not found.
 */

type Db = Kysely<Database>

/** Rows of a list are capped: a member's years of entries, or a month of a 500-member branch, fit. */
export const RECORDS_LIMIT = 5000

export interface ProblemPatch {
  status: ProblemStatus
  /** The day the status took effect (`YYYY-MM-DD`, branch time zone); the day of `now` there by default. */
  statusDate?: string
  /** undefined keeps the stored value; null clears it. */
  ownerName?: string | null
  resolution?: string | null
}

export type ProxyOutcome = { result: 'applied' | 'stale', rev: number } | { result: 'forbidden' }

const num = (v: unknown): number => Number(v ?? 0)

export class BranchAdminRepository {
  constructor(private readonly db: Db) {}

  /** The branch, its member counts, and the members whose Party birthday falls in `today`'s month. */
  async overview(branchId: string, today: string): Promise<BranchOverviewResponse | undefined> {
    const branch = await this.db.selectFrom('branches').selectAll().where('id', '=', branchId).executeTakeFirst()
    if (!branch)
      return undefined
    const counts = await this.db.selectFrom('members')
      .select(eb => [
        eb.fn.countAll<number>().as('members'),
        eb.fn.sum<number>('retired').as('retired'),
        eb.fn.sum<number>(eb.case().when('role', '=', 'secretary').then(1).else(0).end()).as('secretaries'),
      ])
      .where('branch_id', '=', branchId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow()
    const month = today.slice(5, 7)
    const year = Number(today.slice(0, 4))
    const birthdays = await this.db.selectFrom('members')
      .select(['id', 'name', 'party_join_date'])
      .where('branch_id', '=', branchId)
      .where('status', '=', 'active')
      .where(sql<string>`substr(party_join_date, 6, 2)`, '=', month)
      .execute()
    const byName = new Intl.Collator('zh-CN')
    const partyBirthdaysThisMonth = birthdays
      .map(b => ({ id: b.id, name: b.name, partyJoinDate: b.party_join_date!, years: year - Number(b.party_join_date!.slice(0, 4)) }))
      .filter(b => b.years >= 1)
      .sort((a, b) => a.partyJoinDate.slice(8).localeCompare(b.partyJoinDate.slice(8)) || byName.compare(a.name, b.name))
    return {
      branch: { id: branch.id, name: branch.name, memberInviteCode: branch.member_invite_code, secretaryInviteCode: branch.secretary_invite_code, timeZone: branch.time_zone },
      counts: { members: num(counts.members), retired: num(counts.retired), secretaries: num(counts.secretaries) },
      partyBirthdaysThisMonth,
    }
  }

  /** A new invite code of `kind` for the branch; the old one stops opening it at once. */
  async rotateInviteCode(branchId: string, kind: InviteKind): Promise<string> {
    const column = kind === 'member' ? 'member_invite_code' : 'secretary_invite_code'
    for (;;) {
      const code = newHumanCode()
      const taken = await this.db.selectFrom('branches').select('id').where(eb => eb.or([eb('member_invite_code', '=', code), eb('secretary_invite_code', '=', code)])).executeTakeFirst()
      if (taken)
        continue
      await this.db.updateTable('branches').set({ [column]: code }).where('id', '=', branchId).execute()
      return code
    }
  }

  private membersQuery(db: Db, branchId: string) {
    return db.selectFrom('members')
      .select(eb => [
        'members.id as id',
        'members.name as name',
        'members.role as role',
        'members.retired as retired',
        'members.party_join_date as partyJoinDate',
        'members.created_at as joinedAt',
        eb.selectFrom('member_tokens').select(e => e.fn.countAll<number>().as('n')).whereRef('member_tokens.member_id', '=', 'members.id').where('member_tokens.revoked_at', 'is', null).as('activeDevices'),
        eb.selectFrom('member_tokens').select(e => e.fn.max('member_tokens.last_seen_at').as('m')).whereRef('member_tokens.member_id', '=', 'members.id').as('lastSyncAt'),
      ])
      .where('members.branch_id', '=', branchId)
      .where('members.status', '=', 'active')
  }

  private static toMember(row: { id: string, name: string, role: Role, retired: number, partyJoinDate: string | null, joinedAt: number, activeDevices: unknown, lastSyncAt: unknown }): BranchMember {
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      retired: Number(row.retired) === 1,
      partyJoinDate: row.partyJoinDate,
      joinedAt: Number(row.joinedAt),
      activeDevices: num(row.activeDevices),
      lastSyncAt: row.lastSyncAt === null || row.lastSyncAt === undefined ? null : Number(row.lastSyncAt),
    }
  }

  /** The branch's members, secretaries first, then by name. */
  async members(branchId: string): Promise<BranchMember[]> {
    const rows = await this.membersQuery(this.db, branchId).execute()
    const byName = new Intl.Collator('zh-CN')
    return rows.map(r => BranchAdminRepository.toMember(r as never))
      .sort((a, b) => Number(b.role === 'secretary') - Number(a.role === 'secretary') || byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
  }

  async member(branchId: string, memberId: string, db: Db = this.db): Promise<BranchMember | undefined> {
    const row = await this.membersQuery(db, branchId).where('members.id', '=', memberId).executeTakeFirst()
    return row ? BranchAdminRepository.toMember(row as never) : undefined
  }

  /**
   * Applies a member patch in one transaction; `'lastSecretary'` when it would leave the branch
   * without a secretary, undefined when the member is not in the branch.
   */
  async patchMember(branchId: string, memberId: string, patch: MemberPatchRequest): Promise<BranchMember | 'lastSecretary' | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // Lock the branch row first: two secretaries unmaking each other cannot both pass the check.
      await trx.updateTable('branches').set({ name: sql<string>`name` }).where('id', '=', branchId).execute()
      const current = await this.member(branchId, memberId, trx)
      if (!current)
        return undefined
      if (patch.role === 'member' && current.role === 'secretary') {
        const others = await trx.selectFrom('members').select(eb => eb.fn.countAll<number>().as('n')).where('branch_id', '=', branchId).where('status', '=', 'active').where('role', '=', 'secretary').where('id', '!=', memberId).executeTakeFirstOrThrow()
        if (num(others.n) === 0)
          return 'lastSecretary'
      }
      const set: { retired?: number, party_join_date?: string | null, role?: Role } = {}
      if (patch.retired !== undefined)
        set.retired = patch.retired ? 1 : 0
      if (patch.partyJoinDate !== undefined)
        set.party_join_date = patch.partyJoinDate
      if (patch.role !== undefined)
        set.role = patch.role
      // The history is filled before the status changes, so its first status is the one the member had.
      if (patch.retired !== undefined)
        await fillHistory(trx, branchId)
      if (Object.keys(set).length > 0)
        await trx.updateTable('members').set(set).where('id', '=', memberId).where('branch_id', '=', branchId).execute()
      // 在职/退休 without a day changes from today on: the months before keep the status of their time.
      if (patch.retired !== undefined && patch.retired !== current.retired)
        await recordStatusToday(trx, branchId, memberId, patch.retired, null)
      return this.member(branchId, memberId, trx)
    })
  }

  /**
   * 代录: writes a study or service row owned by `memberId`, marked as entered by `secretaryId`,
   * under the sync rules (a newer stored row wins; the same write again is a no-op) with a new rev.
   */
  async proxyEntry(branchId: string, entryFor: string, secretaryId: string, entry: ProxyEntryRequest): Promise<ProxyOutcome> {
    const clientId = `proxy:${secretaryId}`
    const table = entry.table === 'studyCheckins' ? 'study_checkins' : 'service_logs'
    return this.db.transaction().execute(async (trx) => {
      // The same lock order as a sync push: the branch's revision counter first (no writer of
      // the branch's rows can then change the row judged here).
      await takeRevisions(trx, branchId, 0)
      // A member merged (合并到…) since the request was read: the entry is the merged member's.
      const { memberId } = await currentOwner(trx, { memberId: entryFor, branchId, role: 'member' })
      const content = entry.table === 'studyCheckins'
        ? { date: entry.data.date, week: weekKey(entry.data.date), form: entry.data.form, topic: entry.data.topic, minutes: entry.data.minutes, material_id: entry.data.materialId ?? null, note: entry.data.note ?? null, session_id: entry.data.sessionId ?? null, session_code: entry.data.sessionCode ?? null }
        : { date: entry.data.date, week: weekKey(entry.data.date), community: entry.data.community, activity: entry.data.activity, hours: entry.data.hours, people_served: entry.data.peopleServed ?? null, description: entry.data.description ?? null }
      const stored = await (trx as Kysely<any>).selectFrom(table).select(['id', 'member_id', 'branch_id', 'updated_at', 'client_id', 'rev', 'deleted', ...Object.keys(content)]).where('id', '=', entry.id).executeTakeFirst()
      // A stored session link stays unless the entry names another session, as for a sync push.
      if ('session_id' in content && content.session_id === null && typeof stored?.session_id === 'string' && Number(stored.deleted) === 0)
        content.session_id = stored.session_id
      // Only the same entry again is a replay; another one of the same instant is stale.
      const identical = stored !== undefined && Number(stored.deleted) === 0 && sameColumns(stored, content)
      const verdict = judge(stored ? { memberId: stored.member_id, updatedAt: Number(stored.updated_at), clientId: stored.client_id } : undefined, memberId, entry.updatedAt, clientId, identical)
      if (verdict === 'forbidden')
        return { result: 'forbidden' }
      if (verdict === 'replay' || verdict === 'stale')
        return { result: verdict === 'replay' ? 'applied' : 'stale', rev: Number(stored!.rev) }
      const rev = await takeRevisions(trx, branchId, 1)
      const values = { id: entry.id, member_id: memberId, branch_id: branchId, updated_at: entry.updatedAt, client_id: clientId, deleted: 0, rev, entered_by: secretaryId, ...content }
      const { id: _id, member_id: _member, ...update } = values
      await (trx as Kysely<any>).insertInto(table).values(values).onConflict(oc => oc.column('id').doUpdateSet(update)).execute()
      return { result: 'applied', rev }
    })
  }

  /** A member's live rows of one table, newest first; `from`/`to` bound the date (notes: the day of `updatedAt` as instants). */
  async memberRecords(branchId: string, memberId: string, table: MemberRecordTable, range: { from?: string, to?: string, fromInstant?: number, toInstant?: number }): Promise<BranchRecord[]> {
    return this.recordsWhere(branchId, table, { memberId, ...range })
  }

  /** Live rows of a table in the branch, filtered, newest first: the member list and a figure's rows both read through here. */
  async recordsWhere(branchId: string, table: MemberRecordTable, filter: { memberId?: string, from?: string, to?: string, fromInstant?: number, toInstant?: number, forms?: readonly string[], activity?: string, retiredOnly?: boolean, homeStudy?: boolean, withMaterial?: boolean, ids?: readonly string[] }): Promise<BranchRecord[]> {
    const sqlTable = table === 'studyCheckins' ? 'study_checkins' : table === 'serviceLogs' ? 'service_logs' : 'reading_notes'
    let query = (this.db as Kysely<any>).selectFrom(`${sqlTable} as r`).innerJoin('members as owner', 'owner.id', 'r.member_id').selectAll('r').select('owner.name as member_name').where('r.branch_id', '=', branchId).where('r.deleted', '=', 0)
    if (table !== 'readingNotes')
      query = query.leftJoin('members as enterer', 'enterer.id', 'r.entered_by').select('enterer.name as entered_by_name')
    if (filter.memberId)
      query = query.where('r.member_id', '=', filter.memberId)
    if (filter.from)
      query = query.where('r.date', '>=', filter.from)
    if (filter.to)
      query = query.where('r.date', '<=', filter.to)
    if (filter.fromInstant !== undefined)
      query = query.where('r.updated_at', '>=', filter.fromInstant)
    if (filter.toInstant !== undefined)
      query = query.where('r.updated_at', '<', filter.toInstant)
    if (filter.forms)
      query = query.where('r.form', 'in', filter.forms)
    if (filter.activity)
      query = query.where('r.activity', '=', filter.activity)
    if (filter.retiredOnly)
      query = query.where(retiredOnSql('r.member_id', 'r.date', 'owner.retired'), '=', 1)
    if (filter.homeStudy)
      query = query.where(eb => eb.or([eb('r.form', '=', 'home_study'), eb.and([eb('r.form', '=', 'self_study'), eb('r.material_id', 'is not', null)])]))
    if (filter.withMaterial)
      query = query.where('r.material_id', 'is not', null)
    if (filter.ids)
      query = query.where('r.id', 'in', filter.ids.length > 0 ? filter.ids : [''])
    query = table === 'readingNotes' ? query.orderBy('r.updated_at', 'desc') : query.orderBy('r.date', 'desc').orderBy('r.updated_at', 'desc')
    const rows: Record<string, any>[] = await query.orderBy('r.id').limit(RECORDS_LIMIT).execute()
    return rows.map(r => toBranchRecord(table, r))
  }

  /** The branch's live problems, filtered, newest date first, with reporter names. */
  async problems(branchId: string, filter: { status?: ProblemStatus, category?: ProblemCategory, community?: string, ids?: readonly string[] } = {}, db: Db = this.db): Promise<BranchProblem[]> {
    let query = db.selectFrom('problems')
      .innerJoin('members', 'members.id', 'problems.member_id')
      .selectAll('problems')
      .select('members.name as reporter_name')
      .select(eb => eb.selectFrom('problem_status_changes as psc').select('psc.effective_on').whereRef('psc.problem_id', '=', 'problems.id').orderBy('psc.effective_on', 'desc').orderBy('psc.changed_at', 'desc').orderBy('psc.id', 'desc').limit(1).as('status_date'))
      .where('problems.branch_id', '=', branchId)
      .where('problems.deleted', '=', 0)
    if (filter.status)
      query = query.where('problems.status', '=', filter.status)
    if (filter.category)
      query = query.where('problems.category', '=', filter.category)
    if (filter.community)
      query = query.where('problems.community', '=', filter.community)
    if (filter.ids)
      query = filter.ids.length > 0 ? query.where('problems.id', 'in', filter.ids) : query.where(sql<boolean>`1 = 0`)
    const rows = await query.orderBy('problems.date', 'desc').orderBy('problems.updated_at', 'desc').orderBy('problems.id').execute()
    return rows.map(r => toProblem(r as Record<string, any>))
  }

  /** Counts by status and the communities named, over the branch's whole register. */
  async problemCounts(branchId: string): Promise<{ counts: Record<ProblemStatus | 'total', number>, communities: string[] }> {
    const rows = await this.db.selectFrom('problems').select(eb => ['status', eb.fn.countAll<number>().as('n')]).where('branch_id', '=', branchId).where('deleted', '=', 0).groupBy('status').execute()
    const counts = { open: 0, in_progress: 0, solved: 0, total: 0 }
    for (const row of rows) {
      counts[row.status as ProblemStatus] = num(row.n)
      counts.total += num(row.n)
    }
    const communities = await this.db.selectFrom('problems').select('community').distinct().where('branch_id', '=', branchId).where('deleted', '=', 0).where('community', 'is not', null).execute()
    const byName = new Intl.Collator('zh-CN')
    return { counts, communities: communities.map(c => c.community!).sort(byName.compare) }
  }

  /**
   * Sets a problem's status, owner and resolution, with a new rev (every member of the branch
   * pulls it) and a status-history entry taking effect on `statusDate`. `updatedAt` stays the
   * reporter's: their own later edit of the text must not lose to the secretary's clock. The same
   * status with a `statusDate` re-dates the latest change. `'beforeLastChange'` when the day is
   * before the problem's previous status change (the history stays in order).
   */
  async patchProblem(branchId: string, problemId: string, secretaryId: string, patch: ProblemPatch, now: number = Date.now()): Promise<BranchProblem | 'beforeLastChange' | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await takeRevisions(trx, branchId, 0)
      const current = await trx.selectFrom('problems').select(['id', 'status']).where('id', '=', problemId).where('branch_id', '=', branchId).where('deleted', '=', 0).executeTakeFirst()
      if (!current)
        return undefined
      const branch = await trx.selectFrom('branches').select('time_zone').where('id', '=', branchId).executeTakeFirstOrThrow()
      const effective = patch.statusDate ?? todayIn(branch.time_zone || DEFAULT_TIME_ZONE, now)
      const [last, previous] = await trx.selectFrom('problem_status_changes').select(['id', 'status', 'effective_on']).where('problem_id', '=', problemId).orderBy('effective_on', 'desc').orderBy('changed_at', 'desc').orderBy('id', 'desc').limit(2).execute()
      const redate = current.status === patch.status && patch.statusDate !== undefined && last !== undefined && last.status === patch.status
      const before = redate ? previous : last
      if ((current.status !== patch.status || redate) && before?.effective_on && before.effective_on > effective)
        return 'beforeLastChange'
      if (redate)
        await trx.updateTable('problem_status_changes').set({ effective_on: effective }).where('id', '=', last!.id).execute()
      const rev = await takeRevisions(trx, branchId, 1)
      const set: Record<string, unknown> = { status: patch.status, rev }
      if (patch.ownerName !== undefined)
        set.owner_name = patch.ownerName
      if (patch.resolution !== undefined)
        set.resolution = patch.resolution
      if (current.status !== patch.status) {
        set.status_updated_at = now
        await trx.insertInto('problem_status_changes').values({ id: newId(), problem_id: problemId, branch_id: branchId, status: patch.status, changed_at: now, changed_by: secretaryId, effective_on: effective }).execute()
      }
      await trx.updateTable('problems').set(set).where('id', '=', problemId).execute()
      const [problem] = await this.problems(branchId, { ids: [problemId] }, trx)
      return problem
    })
  }
}

function toProblem(r: Record<string, any>): BranchProblem {
  return {
    id: r.id,
    date: r.date,
    week: r.week,
    community: r.community,
    category: r.category,
    title: r.title,
    detail: r.detail ?? '',
    status: r.status,
    ownerName: r.owner_name ?? null,
    resolution: r.resolution ?? null,
    reporterId: r.member_id,
    reporterName: r.reporter_name ?? r.member_name,
    statusUpdatedAt: r.status_updated_at === null || r.status_updated_at === undefined ? null : Number(r.status_updated_at),
    statusDate: r.status_date ?? null,
    updatedAt: Number(r.updated_at),
  }
}

/** A joined row (`member_name`, `entered_by_name`) as the API's record. */
export function toBranchRecord(table: MemberRecordTable | 'problems', r: Record<string, any>): BranchRecord {
  const base = { id: r.id as string, memberId: r.member_id as string, memberName: r.member_name as string, updatedAt: Number(r.updated_at) }
  switch (table) {
    case 'studyCheckins':
      return { ...base, table, data: { date: r.date, week: r.week, form: r.form, topic: r.topic, minutes: Number(r.minutes), materialId: r.material_id ?? null, note: r.note ?? null, sessionId: r.session_id ?? null, sessionCode: r.session_code ?? null, enteredByName: r.entered_by_name ?? null } }
    case 'serviceLogs':
      return { ...base, table, data: { date: r.date, week: r.week, community: r.community, activity: r.activity, hours: Number(r.hours), peopleServed: r.people_served === null ? null : Number(r.people_served), description: r.description ?? '', enteredByName: r.entered_by_name ?? null } }
    case 'readingNotes':
      return { ...base, table, data: { title: r.title, source: r.source ?? null, excerpt: r.excerpt ?? null, reflection: r.reflection, materialId: r.material_id ?? null } }
    case 'problems':
      return { ...base, table, data: toProblem(r) }
  }
}
