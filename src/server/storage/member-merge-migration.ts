import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0012 (issue #12, 合并到…): a duplicate member merged into the real one keeps its row
 * (ids of records it once wrote stay resolvable) with `status` 'merged', `merged_into` the member
 * it became and `merged_at`; its records, devices and history move to that member. A push or pull
 * authenticated as the duplicate just before the merge follows `merged_into`. Adds two nullable
 * columns: every existing row is kept as it is (none is merged).
 */
export const memberMergeMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('members').addColumn('merged_into', 'text').execute()
    await db.schema.alterTable('members').addColumn('merged_at', 'bigint').execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('members').dropColumn('merged_at').execute()
    await db.schema.alterTable('members').dropColumn('merged_into').execute()
  },
}
