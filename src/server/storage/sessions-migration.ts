import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0013: the branch's sessions (组织生活, issue #13), a branch-shared record table written by
 * secretaries (`member_id` stays the first author, like materials), and the two columns a study
 * check-in signs in to one with. Existing check-ins keep every field and get neither, so those of a
 * session form are 未关联活动的签到 for the secretary to link or merge. Attendance is not stored:
 * it is derived when read (src/domain/sessions.ts `matchAttendance`).
 */
export const sessionsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('sessions')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('member_id', 'text', c => c.notNull().references('members.id'))
      .addColumn('branch_id', 'text', c => c.notNull().references('branches.id'))
      .addColumn('updated_at', 'bigint', c => c.notNull())
      .addColumn('client_id', 'text', c => c.notNull())
      .addColumn('deleted', 'integer', c => c.notNull().defaultTo(0))
      .addColumn('rev', 'bigint', c => c.notNull())
      .addColumn('date', 'text')
      .addColumn('week', 'text')
      .addColumn('form', 'text')
      .addColumn('topic', 'text')
      .addColumn('end_date', 'text')
      .addColumn('time', 'text')
      .addColumn('place', 'text')
      .addColumn('host', 'text')
      .addColumn('speaker', 'text')
      // JSON arrays: the linked material ids, and the 请假 entries ({ memberId, reason }).
      .addColumn('material_ids', 'text')
      .addColumn('code', 'text')
      .addColumn('meeting_minutes', 'text')
      .addColumn('leaves', 'text')
      .execute()
    await db.schema.createIndex('sessions_member_rev').on('sessions').columns(['member_id', 'rev']).execute()
    // Every member of a branch pulls the branch's sessions by revision; figures read them by date.
    await db.schema.createIndex('sessions_branch_rev').on('sessions').columns(['branch_id', 'rev']).execute()
    await db.schema.createIndex('sessions_branch_date').on('sessions').columns(['branch_id', 'date']).execute()
    await db.schema.alterTable('study_checkins').addColumn('session_id', 'text').execute()
    await db.schema.alterTable('study_checkins').addColumn('session_code', 'text').execute()
    // A session's page reads the check-ins naming it.
    await db.schema.createIndex('study_checkins_session').on('study_checkins').columns(['session_id']).execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('study_checkins_session').execute()
    await db.schema.alterTable('study_checkins').dropColumn('session_code').execute()
    await db.schema.alterTable('study_checkins').dropColumn('session_id').execute()
    await db.schema.dropTable('sessions').execute()
  },
}
