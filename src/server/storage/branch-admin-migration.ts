import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0004 (issue #5, the secretary's branch): members get 退休 and 入党日期, devices a
 * last-seen time, study and service rows the secretary who entered them (代录), problems a history
 * of status changes (so "in progress at the month's end" is known after later changes), and the
 * month queries an index by date. Portable types only, like every migration.
 */
export const branchAdminMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('members').addColumn('retired', 'integer', c => c.notNull().defaultTo(0)).execute()
    await db.schema.alterTable('members').addColumn('party_join_date', 'text').execute()
    await db.schema.alterTable('member_tokens').addColumn('last_seen_at', 'bigint').execute()
    for (const table of ['study_checkins', 'service_logs']) {
      await db.schema.alterTable(table).addColumn('entered_by', 'text').execute()
      await db.schema.createIndex(`${table}_branch_date`).on(table).columns(['branch_id', 'date']).execute()
    }
    await db.schema.createTable('problem_status_changes')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('problem_id', 'text', c => c.notNull().references('problems.id'))
      .addColumn('branch_id', 'text', c => c.notNull().references('branches.id'))
      .addColumn('status', 'text', c => c.notNull())
      .addColumn('changed_at', 'bigint', c => c.notNull())
      .addColumn('changed_by', 'text', c => c.notNull().references('members.id'))
      .execute()
    await db.schema.createIndex('problem_status_changes_problem').on('problem_status_changes').columns(['problem_id', 'changed_at']).execute()
    await db.schema.createIndex('problems_branch_date').on('problems').columns(['branch_id', 'date']).execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('problem_status_changes').execute()
    await db.schema.dropIndex('problems_branch_date').execute()
    for (const table of ['study_checkins', 'service_logs']) {
      await db.schema.dropIndex(`${table}_branch_date`).execute()
      await db.schema.alterTable(table).dropColumn('entered_by').execute()
    }
    await db.schema.alterTable('member_tokens').dropColumn('last_seen_at').execute()
    await db.schema.alterTable('members').dropColumn('party_join_date').execute()
    await db.schema.alterTable('members').dropColumn('retired').execute()
  },
}

/**
 * Migration 0005: covering indexes for the secretary's views on a big branch (500 members, a
 * year): the grid's (branch, week) scan and the summary's (branch, date) scans read no table rows.
 */
export const branchIndexesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('study_checkins_branch_week_cover').on('study_checkins').columns(['branch_id', 'week', 'member_id', 'deleted', 'minutes']).execute()
    await db.schema.createIndex('study_checkins_branch_date_cover').on('study_checkins').columns(['branch_id', 'date', 'deleted', 'form', 'member_id', 'week', 'minutes', 'material_id']).execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('study_checkins_branch_date_cover').execute()
    await db.schema.dropIndex('study_checkins_branch_week_cover').execute()
  },
}
