import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openStorage } from '../../src/server/storage'
import { migrations } from '../../src/server/storage/migrations'
import { judge } from '../../src/server/storage/sync'
import { describeEachBackend, useStorage } from './support/backends'

describe('sQLite settings', () => {
  it('opens the file in DATA_DIR in WAL mode with synchronous=FULL, foreign keys and a busy timeout', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'study-log-pragma-'))
    const storage = await openStorage({ dataDir: join(dataDir, 'nested') })
    try {
      const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(storage.db)).rows[0]!)[0]
      expect(storage.dialect).toBe('sqlite')
      expect(await pragma('journal_mode')).toBe('wal')
      // 2 = FULL: a commit is on disk before the sync is acknowledged.
      expect(await pragma('synchronous')).toBe(2)
      expect(await pragma('foreign_keys')).toBe(1)
      expect(Number(await pragma('busy_timeout'))).toBeGreaterThan(0)
      const file = (await sql<{ file: string }>`SELECT file FROM pragma_database_list WHERE name = 'main'`.execute(storage.db)).rows[0]!.file
      expect(file).toBe(join(dataDir, 'nested', 'study-log.sqlite'))
    }
    finally {
      await storage.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('the last-writer-wins judgement', () => {
  const stored = { id: 'x', memberId: 'me', branchId: 'branch', updatedAt: 100, clientId: 'b' }
  it('covers every case of the protocol', () => {
    expect(judge(undefined, 'me', 1, 'a', false)).toBe('applied')
    expect(judge(stored, 'someone-else', 999, 'z', false)).toBe('forbidden')
    expect(judge(stored, 'me', 100, 'b', true)).toBe('replay')
    // The same instant and client with other content was not stored: never a replay.
    expect(judge(stored, 'me', 100, 'b', false)).toBe('stale')
    expect(judge(stored, 'me', 99, 'z', false)).toBe('stale')
    expect(judge(stored, 'me', 101, 'a', false)).toBe('applied')
    expect(judge(stored, 'me', 100, 'a', false)).toBe('stale')
    expect(judge(stored, 'me', 100, 'c', false)).toBe('applied')
  })
})

describeEachBackend('storage', (backend) => {
  const ctx = useStorage(backend)

  it('runs the migrations once: reopening the same database changes nothing', async () => {
    await ctx.storage.createBranch('迁移支部')
    const again = backend.name === 'sqlite'
      ? await openStorage({ dataDir: ctx.env.DATA_DIR })
      : await openStorage({ databaseUrl: ctx.env.DATABASE_URL })
    try {
      expect(again.dialect).toBe(backend.name)
      expect(await again.branches.count()).toBe(await ctx.storage.branches.count())
      const applied = await again.db.selectFrom('kysely_migration' as any).select('name' as any).orderBy('name' as any).execute()
      expect(applied).toEqual(Object.keys(migrations).sort().map(name => ({ name })))
      expect(applied.map(row => (row as { name: string }).name)).toContain('0002_problems')
    }
    finally {
      await again.close()
    }
  })

  it('creates branches with distinct, typable invite codes', async () => {
    const codes = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const branch = await ctx.storage.createBranch(`支部 ${i}`)
      for (const code of [branch.memberInviteCode, branch.secretaryInviteCode]) {
        // No 0/O, 1/I/L: read aloud and typed on phones.
        expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/)
        codes.add(code)
      }
      const stored = await ctx.storage.branches.byId(branch.branchId)
      expect(stored).toMatchObject({ name: `支部 ${i}`, time_zone: 'Asia/Shanghai', member_invite_code: branch.memberInviteCode })
    }
    expect(codes.size).toBe(60)
  })

  it('refuses a record row whose member does not exist (foreign keys on)', async () => {
    const branch = await ctx.storage.createBranch('外键支部')
    await expect(ctx.storage.studyCheckins.upsert([{ id: crypto.randomUUID(), memberId: 'nobody', branchId: branch.branchId, updatedAt: 1, clientId: 'c', deleted: false, rev: 1, data: { date: '2026-11-24', form: 'branch_study', topic: 't', minutes: 1 } }])).rejects.toThrow()
  })
})
