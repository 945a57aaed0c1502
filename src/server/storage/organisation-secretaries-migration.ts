import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0016 (issue #14): organisation secretaries (组织管理员) and their bearer tokens, apart
 * from members. An organisation secretary belongs to no branch, so none of the member's routes
 * (sync, 代录, branch administration) can ever accept one; `code_hash` is the one-time sign-in code
 * (sha256 only) the admin command printed, redeemed once for a token. Adds two tables: every
 * existing row is kept.
 */
export const organisationSecretariesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('organisation_secretaries')
      .addColumn('id', 'text', c => c.primaryKey())
      .addColumn('organisation_id', 'text', c => c.notNull().references('organisations.id'))
      .addColumn('name', 'text', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('code_hash', 'text', c => c.unique())
      .addColumn('code_expires_at', 'bigint')
      .addColumn('code_used_at', 'bigint')
      .execute()
    await db.schema.createIndex('organisation_secretaries_organisation').on('organisation_secretaries').column('organisation_id').execute()
    await db.schema.createTable('organisation_tokens')
      .addColumn('token_hash', 'text', c => c.primaryKey())
      .addColumn('secretary_id', 'text', c => c.notNull().references('organisation_secretaries.id'))
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('organisation_tokens').execute()
    await db.schema.dropTable('organisation_secretaries').execute()
  },
}
