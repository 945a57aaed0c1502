import type { Storage } from '../../src/server/storage'
import type { Backend } from './support/backends'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { expect, it } from 'vitest'
import { monthInstants } from '../../src/domain/summary'
import { weekKey } from '../../src/domain/week'
import { SQLITE_FILE } from '../../src/server/storage'
import { BranchAdminRepository } from '../../src/server/storage/repositories/branch-admin'
import { CompletionQueries } from '../../src/server/storage/repositories/completion'
import { SummaryQueries } from '../../src/server/storage/repositories/summary'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'

/**
 * Migration 0007: the week's completion reads one week of the branch through the (branch, week)
 * covering index, the month's reading notes are found by a branch index, and the check-in indexes
 * that only repeated a covering index's prefix are gone. The plans are read with EXPLAIN from the
 * SQL the real repositories run (PostgreSQL with sequential scans discouraged, since a test's
 * tables are tiny).
 */

const DAY = '2026-03-11'
const MONTH = '2026-03'

async function indexesOf(storage: Storage, table: string): Promise<string[]> {
  const rows = storage.dialect === 'sqlite'
    ? await storage.db.selectFrom('sqlite_master' as any).select('name').where('type', '=', 'index').where('tbl_name', '=', table).where('sql', 'is not', null).execute()
    : await storage.db.selectFrom('pg_indexes' as any).select('indexname as name').where('tablename', '=', table).where('indexname', 'not like', '%_pkey').execute()
  return (rows as { name: string }[]).map(r => r.name).sort()
}

/** A second handle on the same database that remembers every statement it runs. */
function loggedHandle(backend: Backend, env: Record<string, string>): { db: Kysely<any>, statements: CompiledQuery[] } {
  const statements: CompiledQuery[] = []
  const dialect = backend.name === 'sqlite'
    ? new SqliteDialect({ database: new BetterSqlite3(join(env.DATA_DIR!, SQLITE_FILE)) })
    : new PostgresDialect({ pool: new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 }) })
  const db = new Kysely<any>({ dialect, log: (event) => {
    statements.push(event.query)
  } })
  return { db, statements }
}

/** The plan of a statement as one text. */
async function planOf(backend: Backend, db: Kysely<any>, query: CompiledQuery): Promise<string> {
  if (backend.name === 'sqlite') {
    const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]))
    return plan.rows.map(r => r.detail).join('\n')
  }
  return db.transaction().execute(async (trx) => {
    await trx.executeQuery(CompiledQuery.raw('SET LOCAL enable_seqscan = off'))
    const plan = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]))
    return plan.rows.map(r => r['QUERY PLAN']).join('\n')
  })
}

async function seed(db: Kysely<any>): Promise<void> {
  await db.insertInto('branches').values({ id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'mi-1', secretary_invite_code: 'si-1', created_at: 1 }).execute()
  await db.insertInto('members').values([
    { id: 'm1', branch_id: 'b1', name: '甲', role: 'member', status: 'active', created_at: 1 },
    { id: 'm2', branch_id: 'b1', name: '乙', role: 'secretary', status: 'active', created_at: 1 },
  ]).execute()
  const noon = monthInstants(MONTH, 'Asia/Shanghai').start + 10 * 86_400_000 + 4 * 3_600_000
  let rev = 0
  for (const [i, member] of ['m1', 'm1', 'm2'].entries()) {
    rev++
    await db.insertInto('study_checkins').values({ id: `c${i}`, member_id: member, branch_id: 'b1', updated_at: noon, client_id: 'x', deleted: 0, rev, date: DAY, week: weekKey(DAY), form: 'branch_study', topic: '学习', minutes: 30 }).execute()
    rev++
    await db.insertInto('reading_notes').values({ id: `n${i}`, member_id: member, branch_id: 'b1', updated_at: noon, client_id: 'x', deleted: 0, rev, title: '读书', reflection: '体会' }).execute()
  }
  // An older week and a deleted row count for nothing.
  await db.insertInto('study_checkins').values({ id: 'old', member_id: 'm1', branch_id: 'b1', updated_at: 1, client_id: 'x', deleted: 0, rev: ++rev, date: '2025-01-07', week: weekKey('2025-01-07'), form: 'self_study', topic: '旧', minutes: 99 }).execute()
  await db.insertInto('study_checkins').values({ id: 'gone', member_id: 'm2', branch_id: 'b1', updated_at: 1, client_id: 'x', deleted: 1, rev: ++rev }).execute()
}

describeEachBackend('query indexes', (backend) => {
  const ctx = useStorage(backend)

  it('reads the week\'s completion and the month\'s notes through their indexes, and keeps no index that is a prefix of another', async () => {
    const { db, statements } = loggedHandle(backend, ctx.env)
    try {
      await seed(db)
      statements.length = 0
      const members = await new CompletionQueries(db).weekForBranch('b1', weekKey(DAY))
      expect(members.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'm1', name: '甲', role: 'member', studied: true, checkins: 2, minutes: 60 },
        { id: 'm2', name: '乙', role: 'secretary', studied: true, checkins: 1, minutes: 30 },
      ])
      // The branch's time zone and the membership history are read too; the week's sums are the statement on study_checkins.
      const week = statements.find(s => s.sql.includes('study_checkins'))
      expect(await planOf(backend, db, week!)).toContain('study_checkins_branch_week_cover')

      statements.length = 0
      const summary = await new SummaryQueries(db, new BranchAdminRepository(db)).values({ branchId: 'b1', month: MONTH, timeZone: 'Asia/Shanghai' })
      expect(summary.values).toMatchObject({ 'notes.count': 3, 'notes.members': 2 })
      const notes = statements.filter(s => s.sql.includes('reading_notes'))
      expect(notes.length).toBeGreaterThan(0)
      for (const statement of notes)
        expect(await planOf(backend, db, statement)).toContain('reading_notes_branch_updated')
    }
    finally {
      await db.destroy()
    }

    expect(await indexesOf(ctx.storage, 'study_checkins')).toEqual(['study_checkins_branch_date_cover', 'study_checkins_branch_week_cover', 'study_checkins_member_rev', 'study_checkins_session'])
    expect(await indexesOf(ctx.storage, 'reading_notes')).toEqual(['reading_notes_branch_updated', 'reading_notes_member_rev'])
  })

  it('upgrades a database made before 0007, keeping its rows', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0005_branch_indexes')
    try {
      await seed(db)
      await db.destroy()
      const storage = await open()
      try {
        expect((await storage.completion.weekForBranch('b1', weekKey(DAY))).map(m => [m.id, m.checkins, m.minutes]).sort()).toEqual([['m1', 2, 60], ['m2', 1, 30]])
        const summary = await storage.summary.values({ branchId: 'b1', month: MONTH, timeZone: 'Asia/Shanghai' })
        expect(summary.values).toMatchObject({ 'notes.count': 3, 'notes.members': 2 })
        expect(await storage.db.selectFrom('study_checkins').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 5 })
        expect(await indexesOf(storage, 'study_checkins')).toEqual(['study_checkins_branch_date_cover', 'study_checkins_branch_week_cover', 'study_checkins_member_rev', 'study_checkins_session'])
        expect(await indexesOf(storage, 'reading_notes')).toEqual(['reading_notes_branch_updated', 'reading_notes_member_rev'])
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })
})
