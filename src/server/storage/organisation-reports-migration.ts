import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0019 (issue #14, the organisation's 阶段性总结). `report_drafts.branch_figures`: at an
 * organisation report's 定稿, the JSON figures of each of its branches frozen with the roll-up
 * (`[{ branchId, name, figures }]`), so the per-branch columns of the Word and Excel files never
 * move after it; null for a branch report or a draft. `member_transfers`: a member who moved from
 * one branch to another of the same organisation (转出 there, joined here: two member rows) is
 * one person, so the organisation's roll-up counts them once; `from_member_id` the row that left,
 * `to_member_id` the row in the new branch, each in one link at most. Adds a nullable column and a
 * table: no existing row changes.
 */
export const organisationReportsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('report_drafts').addColumn('branch_figures', 'text').execute()
    await db.schema.createTable('member_transfers')
      .addColumn('from_member_id', 'text', c => c.primaryKey().references('members.id'))
      .addColumn('to_member_id', 'text', c => c.notNull().unique().references('members.id'))
      .addColumn('created_at', 'bigint', c => c.notNull())
      .execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('member_transfers').execute()
    await db.schema.alterTable('report_drafts').dropColumn('branch_figures').execute()
  },
}
