import type { Kysely, RawBuilder } from 'kysely'
import type { FormerMembersResponse, LeaveReason, MemberHistory, MembershipPatchRequest } from '../../../domain/branch'
import type { MemberTimeline } from '../../../domain/membership'
import type { Database } from '../schema'
import { sql } from 'kysely'
import { DEFAULT_TIME_ZONE, todayIn } from '../../../domain/week'
import { newId } from '../secrets'

/**
 * Membership history (issue #12): the day a member joined the branch (入支部日期), the day they
 * left (转出/离开) and their 在职/退休 changes, each from a day. `members.retired` stays the
 * status today and `members.status` is 'left' exactly when `left_on` is set, so code that asks
 * "who is in the branch now" keeps working; past weeks and months ask the history.
 */

type Db = Kysely<Database>

/** Why a history write was refused (the route answers each with its own message). */
export type HistoryRefusal = 'notFound' | 'lastSecretary' | 'leftBeforeJoined' | 'statusOutsideMembership' | 'memberLeft' | 'firstStatus'

/**
 * SQL for "was the member retired on that day" (0/1), for a row of a query: the latest status
 * change effective on or before `date`; before the first change, the first; with none, `retired`.
 */
export function retiredOnSql(memberId: string, date: string, retiredNow: string): RawBuilder<number> {
  const member = sql.ref(memberId)
  return sql<number>`coalesce(
    (select msc.retired from member_status_changes msc where msc.member_id = ${member} and msc.effective_on <= ${sql.ref(date)} order by msc.effective_on desc, msc.created_at desc, msc.id desc limit 1),
    (select msc.retired from member_status_changes msc where msc.member_id = ${member} order by msc.effective_on, msc.created_at, msc.id limit 1),
    ${sql.ref(retiredNow)})`
}

async function zoneOf(db: Db, branchId: string): Promise<string> {
  const branch = await db.selectFrom('branches').select('time_zone').where('id', '=', branchId).executeTakeFirst()
  return branch?.time_zone || DEFAULT_TIME_ZONE
}

/**
 * Members written by code that sets no history (a join, an older server) get it here, once: the
 * day they were created as their joining day, and the status they have now from it on.
 */
export async function fillHistory(db: Db, branchId: string): Promise<void> {
  const missing = await db.selectFrom('members').select(['id', 'created_at', 'retired']).where('branch_id', '=', branchId).where('joined_on', 'is', null).execute()
  if (missing.length === 0)
    return
  const zone = await zoneOf(db, branchId)
  for (const m of missing) {
    const joined = todayIn(zone, Number(m.created_at))
    const updated = await db.updateTable('members').set({ joined_on: joined }).where('id', '=', m.id).where('joined_on', 'is', null).executeTakeFirst()
    // Only the caller that filled the day writes the first status (two readers at once add one).
    if (Number(updated.numUpdatedRows) === 1)
      await ensureFirstStatus(db, branchId, m.id, Number(m.retired) === 1, joined, Number(m.created_at))
  }
}

async function ensureFirstStatus(db: Db, branchId: string, memberId: string, retired: boolean, from: string, createdAt: number): Promise<void> {
  const any = await db.selectFrom('member_status_changes').select('id').where('member_id', '=', memberId).limit(1).executeTakeFirst()
  if (!any)
    await db.insertInto('member_status_changes').values({ id: newId(), member_id: memberId, branch_id: branchId, retired: retired ? 1 : 0, effective_on: from, created_at: createdAt, changed_by: null }).execute()
}

/**
 * `PATCH /branch/members/:id` with `retired` (no day): the change takes effect today, so the
 * months before keep the status the member had then.
 */
export async function recordStatusToday(db: Db, branchId: string, memberId: string, retired: boolean, changedBy: string | null, now: number = Date.now()): Promise<void> {
  await fillHistory(db, branchId)
  const today = todayIn(await zoneOf(db, branchId), now)
  await db.insertInto('member_status_changes').values({ id: newId(), member_id: memberId, branch_id: branchId, retired: retired ? 1 : 0, effective_on: today, created_at: now, changed_by: changedBy }).execute()
}

export class MembershipHistory {
  constructor(private readonly db: Db) {}

  /** Every member the branch ever had (those who left too), with their history, for counting past weeks and months. */
  async timelines(branchId: string): Promise<Map<string, MemberTimeline & { name: string, role: 'member' | 'secretary' }>> {
    await fillHistory(this.db, branchId)
    // A duplicate merged into another member (合并到…) never was a member of its own: its records and history are that member's.
    const members = await this.db.selectFrom('members').select(['id', 'name', 'role', 'joined_on', 'left_on', 'retired']).where('branch_id', '=', branchId).where('merged_into', 'is', null).execute()
    const changes = await this.db.selectFrom('member_status_changes').select(['member_id', 'retired', 'effective_on']).where('branch_id', '=', branchId).orderBy('effective_on').orderBy('created_at').orderBy('id').execute()
    const timelines = new Map<string, MemberTimeline & { name: string, role: 'member' | 'secretary', statuses: { from: string, retired: boolean }[] }>()
    for (const m of members)
      timelines.set(m.id, { id: m.id, name: m.name, role: m.role, joinedOn: m.joined_on!, leftOn: m.left_on, retiredNow: Number(m.retired) === 1, statuses: [] })
    for (const c of changes)
      timelines.get(c.member_id)?.statuses.push({ from: c.effective_on, retired: Number(c.retired) === 1 })
    return timelines
  }

  async history(branchId: string, memberId: string, db: Db = this.db): Promise<MemberHistory | undefined> {
    await fillHistory(db, branchId)
    const m = await db.selectFrom('members').select(['id', 'name', 'joined_on', 'left_on', 'left_reason', 'retired']).where('branch_id', '=', branchId).where('id', '=', memberId).where('merged_into', 'is', null).executeTakeFirst()
    if (!m)
      return undefined
    const statuses = await db.selectFrom('member_status_changes').select(['id', 'retired', 'effective_on', 'created_at']).where('member_id', '=', memberId).orderBy('effective_on').orderBy('created_at').orderBy('id').execute()
    return {
      id: m.id,
      name: m.name,
      joinedOn: m.joined_on!,
      leftOn: m.left_on,
      leftReason: m.left_reason,
      retired: Number(m.retired) === 1,
      statuses: statuses.map(s => ({ id: s.id, retired: Number(s.retired) === 1, from: s.effective_on, createdAt: Number(s.created_at) })),
    }
  }

  async formerMembers(branchId: string): Promise<FormerMembersResponse['members']> {
    await fillHistory(this.db, branchId)
    const rows = await this.db.selectFrom('members').select(['id', 'name', 'joined_on', 'left_on', 'left_reason']).where('branch_id', '=', branchId).where('left_on', 'is not', null).where('merged_into', 'is', null).orderBy('left_on', 'desc').orderBy('name').orderBy('id').execute()
    return rows.map(r => ({ id: r.id, name: r.name, joinedOn: r.joined_on!, leftOn: r.left_on!, leftReason: r.left_reason ?? 'other' }))
  }

  // Runs `write` with the member's row locked (two secretaries editing one history take turns);
  // afterwards `members.retired` is set to the status today.
  private async withMember<T>(branchId: string, memberId: string, today: string, write: (trx: Db, current: MemberHistory) => Promise<T | HistoryRefusal>): Promise<MemberHistory | HistoryRefusal> {
    return this.db.transaction().execute(async (trx) => {
      // The branch row first, in the same order as a member patch (the last-secretary check).
      await trx.updateTable('branches').set({ name: sql<string>`name` }).where('id', '=', branchId).execute()
      await fillHistory(trx, branchId)
      const current = await this.history(branchId, memberId, trx)
      if (!current)
        return 'notFound'
      const outcome = await write(trx, current)
      if (typeof outcome === 'string')
        return outcome as HistoryRefusal
      const after = (await this.history(branchId, memberId, trx))!
      const retired = after.statuses.filter(s => s.from <= today).at(-1)?.retired ?? after.statuses[0]?.retired ?? after.retired
      if (retired !== after.retired)
        await trx.updateTable('members').set({ retired: retired ? 1 : 0 }).where('id', '=', memberId).execute()
      return (await this.history(branchId, memberId, trx))!
    })
  }

  /** Sets 入支部日期 and/or 转出/离开 (dates already checked against today by the route). */
  async patchMembership(branchId: string, memberId: string, patch: MembershipPatchRequest, today: string): Promise<MemberHistory | HistoryRefusal> {
    return this.withMember(branchId, memberId, today, async (trx, current) => {
      const joinedOn = patch.joinedOn ?? current.joinedOn
      const leftOn = patch.leftOn === undefined ? current.leftOn : patch.leftOn
      if (leftOn !== null && leftOn <= joinedOn)
        return 'leftBeforeJoined'
      if (leftOn !== null && current.leftOn === null) {
        const role = await trx.selectFrom('members').select('role').where('id', '=', memberId).executeTakeFirstOrThrow()
        if (role.role === 'secretary') {
          const others = await trx.selectFrom('members').select(eb => eb.fn.countAll<number>().as('n')).where('branch_id', '=', branchId).where('status', '=', 'active').where('role', '=', 'secretary').where('id', '!=', memberId).executeTakeFirstOrThrow()
          if (Number(others.n) === 0)
            return 'lastSecretary'
        }
      }
      const reason: LeaveReason | null = leftOn === null ? null : (patch.leftReason ?? current.leftReason ?? 'other')
      await trx.updateTable('members').set({ joined_on: joinedOn, left_on: leftOn, left_reason: reason, status: leftOn === null ? 'active' : 'left' }).where('id', '=', memberId).execute()
      // The first status is the one the member joined with: it starts on the (new) joining day at the latest.
      const first = current.statuses[0]
      if (first && first.from > joinedOn)
        await trx.updateTable('member_status_changes').set({ effective_on: joinedOn }).where('id', '=', first.id).execute()
      return true
    })
  }

  /** 在职/退休 from `from` on (after the changes of that day entered before). */
  async addStatus(branchId: string, memberId: string, changedBy: string, retired: boolean, from: string, today: string, now: number = Date.now()): Promise<MemberHistory | HistoryRefusal> {
    return this.withMember(branchId, memberId, today, async (trx, current) => {
      if (current.leftOn !== null)
        return 'memberLeft'
      if (from < current.joinedOn || from > today)
        return 'statusOutsideMembership'
      await trx.insertInto('member_status_changes').values({ id: newId(), member_id: memberId, branch_id: branchId, retired: retired ? 1 : 0, effective_on: from, created_at: now, changed_by: changedBy }).execute()
      return true
    })
  }

  /** Takes back a status change entered by mistake; the first one (the status the member joined with) stays. */
  async removeStatus(branchId: string, memberId: string, changeId: string, today: string): Promise<MemberHistory | HistoryRefusal | 'statusNotFound'> {
    let missing = false
    const outcome = await this.withMember(branchId, memberId, today, async (trx, current) => {
      const index = current.statuses.findIndex(s => s.id === changeId)
      if (index === -1) {
        missing = true
        return 'notFound'
      }
      if (index === 0)
        return 'firstStatus'
      await trx.deleteFrom('member_status_changes').where('id', '=', changeId).where('member_id', '=', memberId).execute()
      return true
    })
    return missing ? 'statusNotFound' : outcome
  }
}
