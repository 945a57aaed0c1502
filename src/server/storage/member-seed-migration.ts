import type { Kysely, Migration } from 'kysely'
import { newIdSeed } from './secrets'

/**
 * Migration 0008: members get `id_seed`, the secret their devices derive reading-progress and
 * home-study ids with (src/domain/homeStudy.ts), so another member of the branch, who sees
 * memberIds, cannot push those ids first and own them. Existing members get a random seed each;
 * their phones learn it from `GET /me`. Portable types only, like every migration.
 */
export const memberIdSeedMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('members').addColumn('id_seed', 'text').execute()
    const members = await db.selectFrom('members').select('id').execute()
    for (const { id } of members)
      await db.updateTable('members').set({ id_seed: newIdSeed() }).where('id', '=', id).execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('members').dropColumn('id_seed').execute()
  },
}
