import type { Kysely, Migration } from 'kysely'
import { newId } from './secrets'

/**
 * Migration 0010 (issue #12, devices and identity): each token is a device with an id the member
 * and the secretary can name it by (the token's hash never leaves the server), and a name from the
 * browser; `sign_in_codes` keeps one-time codes that sign a phone in as an existing member (a
 * secretary's 认领码, a member's add-device code), by their sha256 only. Existing tokens get an id
 * each and no name. Portable types only, like every migration.
 */
export const memberDevicesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('member_tokens').addColumn('device_id', 'text').execute()
    await db.schema.alterTable('member_tokens').addColumn('device_name', 'text').execute()
    const tokens = await db.selectFrom('member_tokens').select('token_hash').execute()
    for (const { token_hash } of tokens)
      await db.updateTable('member_tokens').set({ device_id: newId() }).where('token_hash', '=', token_hash).execute()
    await db.schema.createIndex('member_tokens_device').on('member_tokens').column('device_id').unique().execute()
    await db.schema.createTable('sign_in_codes')
      .addColumn('code_hash', 'text', c => c.primaryKey())
      .addColumn('member_id', 'text', c => c.notNull().references('members.id'))
      .addColumn('kind', 'text', c => c.notNull())
      .addColumn('created_by', 'text', c => c.notNull().references('members.id'))
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('expires_at', 'bigint', c => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute()
    await db.schema.createIndex('sign_in_codes_member').on('sign_in_codes').columns(['member_id', 'kind']).execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('sign_in_codes').execute()
    await db.schema.dropIndex('member_tokens_device').execute()
    await db.schema.alterTable('member_tokens').dropColumn('device_name').execute()
    await db.schema.alterTable('member_tokens').dropColumn('device_id').execute()
  },
}
