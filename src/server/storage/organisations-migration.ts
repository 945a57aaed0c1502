import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0015 (issue #14, an organisation above the branches): `organisations` (a 党委, 党组,
 * 机关党委 or 党总支: `kind` one of ORGANISATION_KINDS) and `branches.organisation_id`, the one it
 * belongs to or null. Adds a table and a nullable column: every existing branch is kept, attached
 * to none.
 */
export const organisationsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('organisations')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('name', 'text', c => c.notNull())
      .addColumn('kind', 'text', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .execute()
    await db.schema.alterTable('branches').addColumn('organisation_id', 'text', c => c.references('organisations.id')).execute()
    await db.schema.createIndex('branches_organisation').on('branches').column('organisation_id').execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('branches_organisation').execute()
    await db.schema.alterTable('branches').dropColumn('organisation_id').execute()
    await db.schema.dropTable('organisations').execute()
  },
}
