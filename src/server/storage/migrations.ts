import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { branchAdminMigration, branchIndexesMigration } from './branch-admin-migration'
import { branchRevisionsMigration } from './branch-revisions-migration'
import { memberDevicesMigration } from './devices-migration'
import { materialCharsMigration } from './material-chars-migration'
import { memberMergeMigration } from './member-merge-migration'
import { memberIdSeedMigration } from './member-seed-migration'
import { membershipHistoryMigration } from './membership-history-migration'
import { organisationInviteMigration } from './organisation-invite-migration'
import { organisationReportsMigration } from './organisation-reports-migration'
import { organisationSecretariesMigration } from './organisation-secretaries-migration'
import { organisationsMigration } from './organisations-migration'
import { queryIndexesMigration } from './query-indexes-migration'
import { reportDraftsMigration } from './report-drafts-migration'
import { sessionsMigration } from './sessions-migration'

/**
 * Migrations live in code (a static provider) so `tsx` and tests need no file globbing, and are
 * written with portable types only: the same list runs unchanged on SQLite and PostgreSQL.
 */

// Common columns of every synced record table; `week` only where the record has a `date`.
async function createRecordTable(db: Kysely<any>, name: string, hasDate: boolean, columns: (t: any) => any): Promise<void> {
  let table = db.schema.createTable(name)
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('member_id', 'text', c => c.notNull().references('members.id'))
    .addColumn('branch_id', 'text', c => c.notNull().references('branches.id'))
    .addColumn('updated_at', 'bigint', c => c.notNull())
    .addColumn('client_id', 'text', c => c.notNull())
    .addColumn('deleted', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('rev', 'bigint', c => c.notNull())
  if (hasDate) {
    table = table.addColumn('date', 'text').addColumn('week', 'text')
  }
  await columns(table).execute()
  await db.schema.createIndex(`${name}_member_rev`).on(name).columns(['member_id', 'rev']).execute()
  if (hasDate)
    await db.schema.createIndex(`${name}_branch_week`).on(name).columns(['branch_id', 'week']).execute()
}

const initial: Migration = {
  async up(db) {
    await db.schema.createTable('branches')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('name', 'text', c => c.notNull())
      .addColumn('time_zone', 'text', c => c.notNull().defaultTo('Asia/Shanghai'))
      .addColumn('member_invite_code', 'text', c => c.notNull().unique())
      .addColumn('secretary_invite_code', 'text', c => c.notNull().unique())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .execute()
    await db.schema.createTable('members')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('branch_id', 'text', c => c.notNull().references('branches.id'))
      .addColumn('name', 'text', c => c.notNull())
      .addColumn('role', 'text', c => c.notNull())
      .addColumn('status', 'text', c => c.notNull().defaultTo('active'))
      .addColumn('created_at', 'bigint', c => c.notNull())
      .execute()
    await db.schema.createIndex('members_branch').on('members').column('branch_id').execute()
    await db.schema.createTable('member_tokens')
      .addColumn('token_hash', 'text', c => c.primaryKey())
      .addColumn('member_id', 'text', c => c.notNull().references('members.id'))
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute()
    await db.schema.createIndex('member_tokens_member').on('member_tokens').column('member_id').execute()
    await db.schema.createTable('setup_codes')
      .addColumn('code_hash', 'text', c => c.primaryKey())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute()
    await db.schema.createTable('counters')
      .addColumn('name', 'text', c => c.primaryKey())
      .addColumn('value', 'bigint', c => c.notNull())
      .execute()
    await db.insertInto('counters').values({ name: 'rev', value: 0 }).execute()

    await createRecordTable(db, 'study_checkins', true, t => t
      .addColumn('form', 'text')
      .addColumn('topic', 'text')
      .addColumn('minutes', 'integer')
      .addColumn('material_id', 'text')
      .addColumn('note', 'text'))
    await createRecordTable(db, 'service_logs', true, t => t
      .addColumn('community', 'text')
      .addColumn('activity', 'text')
      .addColumn('hours', 'double precision')
      .addColumn('people_served', 'integer')
      .addColumn('description', 'text'))
    await createRecordTable(db, 'reading_notes', false, t => t
      .addColumn('title', 'text')
      .addColumn('source', 'text')
      .addColumn('excerpt', 'text')
      .addColumn('reflection', 'text')
      .addColumn('material_id', 'text'))
  },
  async down(db) {
    for (const table of ['reading_notes', 'service_logs', 'study_checkins', 'counters', 'setup_codes', 'member_tokens', 'members', 'branches'])
      await db.schema.dropTable(table).execute()
  },
}

// Residents' problems: branch-shared rows. Status, owner and resolution belong to the branch's
// secretary (a later endpoint), so a member's push never writes them; a new problem is 'open'.
const problems: Migration = {
  async up(db) {
    await createRecordTable(db, 'problems', true, t => t
      .addColumn('community', 'text')
      .addColumn('category', 'text')
      .addColumn('title', 'text')
      .addColumn('detail', 'text')
      .addColumn('status', 'text', (c: any) => c.notNull().defaultTo('open'))
      .addColumn('owner_name', 'text')
      .addColumn('resolution', 'text')
      .addColumn('status_updated_at', 'bigint'))
    // Every member of a branch pulls the branch's problems by revision.
    await db.schema.createIndex('problems_branch_rev').on('problems').columns(['branch_id', 'rev']).execute()
  },
  async down(db) {
    await db.schema.dropTable('problems').execute()
  },
}

// Study materials (branch-shared, written only by the branch's secretaries; `member_id` stays the
// first author) and each member's reading progress in them (personal, like notes).
const materials: Migration = {
  async up(db) {
    await createRecordTable(db, 'materials', false, t => t
      .addColumn('title', 'text')
      .addColumn('category', 'text')
      .addColumn('body', 'text')
      .addColumn('study_by', 'text')
      .addColumn('published_at', 'bigint')
      .addColumn('body_chars', 'integer')
      .addColumn('body_bytes', 'integer'))
    // Every member of a branch pulls the branch's materials by revision.
    await db.schema.createIndex('materials_branch_rev').on('materials').columns(['branch_id', 'rev']).execute()
    await createRecordTable(db, 'reading_progress', false, t => t
      .addColumn('material_id', 'text')
      .addColumn('position', 'integer')
      .addColumn('percent', 'double precision')
      .addColumn('seconds_spent', 'bigint')
      .addColumn('finished_at', 'bigint'))
  },
  async down(db) {
    await db.schema.dropTable('reading_progress').execute()
    await db.schema.dropTable('materials').execute()
  },
}

/** Every migration, keyed so that lexical order is apply order. Never edit a shipped one: add the next. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_problems': problems,
  '0003_materials': materials,
  '0004_branch_admin': branchAdminMigration,
  '0005_branch_indexes': branchIndexesMigration,
  '0007_query_indexes': queryIndexesMigration,
  '0008_member_id_seed': memberIdSeedMigration,
  '0009_branch_revisions': branchRevisionsMigration,
  '0010_member_devices': memberDevicesMigration,
  '0011_membership_history': membershipHistoryMigration,
  '0012_member_merge': memberMergeMigration,
  '0013_sessions': sessionsMigration,
  '0014_report_drafts': reportDraftsMigration,
  '0015_organisations': organisationsMigration,
  '0016_organisation_secretaries': organisationSecretariesMigration,
  '0017_organisation_invite': organisationInviteMigration,
  '0019_organisation_reports': organisationReportsMigration,
  '0022_material_chars': materialCharsMigration,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}
