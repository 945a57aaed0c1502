import type { Migration } from 'kysely'
import { Migrator } from 'kysely'
import { expect, it } from 'vitest'
import { migrations } from '../../src/server/storage/migrations'
import { databaseMigratedTo, describeEachBackend } from './support/backends'

/**
 * Migration 0012 (合并到…) shipped after 0013 and 0014: a database that ran those without it (as
 * main left it) opens, gets it, and keeps every member as it was, none merged.
 */
describeEachBackend('member merge migration', (backend) => {
  it('upgrades a database that already ran 0013 and 0014, keeping every member', async () => {
    const older = await databaseMigratedTo(backend, '0011_membership_history')
    try {
      const without: Record<string, Migration> = Object.fromEntries(Object.entries(migrations).filter(([name]) => name !== '0012_member_merge'))
      const { error } = await new Migrator({ db: older.db, provider: { getMigrations: async () => without } }).migrateToLatest()
      expect(error).toBeUndefined()
      const branch = { id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M1', secretary_invite_code: 'S1', created_at: 1 }
      await older.db.insertInto('branches').values(branch).execute()
      const member = { id: 'm1', branch_id: 'b1', name: '王芳', role: 'member', status: 'active', created_at: 2, retired: 1, party_join_date: '1990-07-01', id_seed: 'ab'.repeat(16), joined_on: '2026-01-01', left_on: null, left_reason: null }
      await older.db.insertInto('members').values([member, { ...member, id: 'm2', name: '李四', status: 'left', retired: 0, left_on: '2026-02-01', left_reason: 'transfer' }]).execute()
      await older.db.destroy()
      const storage = await older.open()
      try {
        const rows = await storage.db.selectFrom('members').selectAll().orderBy('id').execute()
        expect(rows.map(r => ({ ...r, created_at: Number(r.created_at), retired: Number(r.retired) }))).toEqual([
          { ...member, merged_into: null, merged_at: null },
          { ...member, id: 'm2', name: '李四', status: 'left', retired: 0, left_on: '2026-02-01', left_reason: 'transfer', merged_into: null, merged_at: null },
        ])
        const applied = await storage.db.selectFrom('kysely_migration' as never).select('name' as never).execute() as { name: string }[]
        expect(applied.map(r => r.name)).toContain('0012_member_merge')
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await older.dispose()
    }
  })
})
