import type { Kysely, Migration } from 'kysely'
import { todayIn } from '../../domain/week'
import { newId } from './secrets'

/**
 * Migration 0011 (issue #12, membership history): past months are counted from who was in the
 * branch, and who was retired, at the time, so members get the day they joined the branch
 * (入支部日期) and the day they left (转出/离开, with a reason), and 在职/退休 becomes a history of
 * changes, each from a day. A problem's status change gets the day it took effect (a problem solved
 * on the 28th and entered on the 1st counts as solved on the 28th).
 *
 * Existing rows are backfilled in the branch's time zone: a member joined on the day it was created
 * and has had its current status since; a status change took effect on the day it was entered.
 * Portable types only, like every migration.
 */
export const membershipHistoryMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('members').addColumn('joined_on', 'text').execute()
    await db.schema.alterTable('members').addColumn('left_on', 'text').execute()
    await db.schema.alterTable('members').addColumn('left_reason', 'text').execute()
    await db.schema.createTable('member_status_changes')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('member_id', 'text', c => c.notNull().references('members.id'))
      .addColumn('branch_id', 'text', c => c.notNull().references('branches.id'))
      .addColumn('retired', 'integer', c => c.notNull())
      .addColumn('effective_on', 'text', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('changed_by', 'text')
      .execute()
    await db.schema.createIndex('member_status_changes_member').on('member_status_changes').columns(['member_id', 'effective_on', 'created_at']).execute()
    await db.schema.alterTable('problem_status_changes').addColumn('effective_on', 'text').execute()

    const zones = new Map<string, string>()
    for (const b of await db.selectFrom('branches').select(['id', 'time_zone']).execute())
      zones.set(b.id, b.time_zone)
    const zoneOf = (branchId: string) => zones.get(branchId) ?? 'Asia/Shanghai'
    const members = await db.selectFrom('members').select(['id', 'branch_id', 'created_at', 'retired', 'status']).execute()
    for (const m of members) {
      const joined = todayIn(zoneOf(m.branch_id), Number(m.created_at))
      // A member already marked 'left' by older code left on the day of the upgrade at the latest.
      const left = m.status === 'left' ? todayIn(zoneOf(m.branch_id)) : null
      await db.updateTable('members').set({ joined_on: joined, left_on: left, left_reason: left ? 'other' : null }).where('id', '=', m.id).execute()
      await db.insertInto('member_status_changes').values({ id: newId(), member_id: m.id, branch_id: m.branch_id, retired: Number(m.retired) === 1 ? 1 : 0, effective_on: joined, created_at: Number(m.created_at), changed_by: null }).execute()
    }
    const changes = await db.selectFrom('problem_status_changes').select(['id', 'branch_id', 'changed_at']).execute()
    for (const c of changes)
      await db.updateTable('problem_status_changes').set({ effective_on: todayIn(zoneOf(c.branch_id), Number(c.changed_at)) }).where('id', '=', c.id).execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('problem_status_changes').dropColumn('effective_on').execute()
    await db.schema.dropTable('member_status_changes').execute()
    await db.schema.alterTable('members').dropColumn('left_reason').execute()
    await db.schema.alterTable('members').dropColumn('left_on').execute()
    await db.schema.alterTable('members').dropColumn('joined_on').execute()
  },
}
