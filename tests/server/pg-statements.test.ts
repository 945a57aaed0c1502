import type { NamedStatementPool } from '../../src/server/storage/pg-statements'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withNamedStatements } from '../../src/server/storage/pg-statements'
import { createPgDatabase } from './support/backends'

/**
 * PostgreSQL statements kept prepared per connection (issue #11: Kysely runs every query unnamed,
 * so PostgreSQL plans it each time). Keeping must never change an answer: each run binds its own
 * parameters, nothing is kept before keepStatements(), a connection keeps at most its size, and a
 * statement that fails, or runs in an aborted transaction, leaves the connection working.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the PostgreSQL statements kept prepared', () => {
  let database: { url: string, drop: () => Promise<void> }
  beforeAll(async () => {
    database = await createPgDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  async function withDb<T>(size: number, keep: boolean, work: (db: Kysely<Record<string, never>>, pool: NamedStatementPool) => Promise<T>): Promise<T> {
    // One connection: what one connection keeps is what pg_prepared_statements shows.
    const pool = withNamedStatements(new pg.Pool({ connectionString: database.url, max: 1 }), size)
    if (keep)
      pool.keepStatements()
    const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) })
    try {
      return await work(db, pool)
    }
    finally {
      await db.destroy()
    }
  }

  const kept = async (db: Kysely<Record<string, never>>): Promise<string[]> =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements order by statement`.execute(db)).rows.map(r => r.statement)

  it('keeps a text run a second time, and answers each run with its own parameters', async () => {
    await withDb(10, true, async (db) => {
      const answers: number[] = []
      for (const n of [1, 2, 3, 41])
        answers.push((await sql<{ n: number }>`select ${n}::int + 1 as n`.execute(db)).rows[0]!.n)
      expect(answers).toEqual([2, 3, 4, 42])
      expect(await kept(db)).toEqual(['select $1::int + 1 as n'])
    })
  })

  it('keeps nothing before keepStatements (migrations may still change the tables)', async () => {
    await withDb(10, false, async (db, pool) => {
      for (let i = 0; i < 3; i++)
        await sql`select ${i}::int as n`.execute(db)
      expect(await kept(db)).toEqual([])
      pool.keepStatements()
      for (let i = 0; i < 3; i++)
        await sql`select ${i}::int as n`.execute(db)
      expect(await kept(db)).toEqual(['select $1::int as n'])
    })
  })

  it('keeps at most its size on a connection; later texts still run, unnamed', async () => {
    await withDb(3, true, async (db) => {
      for (let round = 0; round < 2; round++) {
        for (let k = 0; k < 6; k++)
          expect((await sql<{ n: number }>`select ${k}::int + ${sql.raw(String(k))} as n`.execute(db)).rows[0]!.n).toBe(2 * k)
      }
      const statements = await kept(db)
      expect(statements).toHaveLength(3)
    })
  })

  it('survives a statement that fails, and one run in an aborted transaction', async () => {
    await withDb(10, true, async (db) => {
      await sql`create table kept_t (n int primary key)`.execute(db)
      const insert = (n: number) => sql`insert into kept_t (n) values (${n})`.execute(db)
      await insert(1)
      // A duplicate key fails the kept statement twice; the connection still works.
      await expect(insert(1)).rejects.toMatchObject({ code: '23505' })
      await expect(insert(1)).rejects.toMatchObject({ code: '23505' })
      await insert(2)
      // Parse of a new kept text inside an aborted transaction fails; after it, the text is kept anew.
      const count = () => sql<{ c: number }>`select count(*)::int as c from kept_t where n > ${0}`.execute(db)
      await count()
      await expect(db.transaction().execute(async (trx) => {
        await sql`select 1/0`.execute(trx).catch(() => {})
        await sql<{ c: number }>`select count(*)::int as c from kept_t where n > ${0}`.execute(trx)
      })).rejects.toMatchObject({ code: '25P02' })
      expect((await count()).rows[0]!.c).toBe(2)
      expect((await count()).rows[0]!.c).toBe(2)
      expect(await kept(db)).toContain('select count(*)::int as c from kept_t where n > $1')
      // A syntax error twice: never kept, never in the way.
      for (let i = 0; i < 2; i++)
        await expect(sql`selec ${i}`.execute(db)).rejects.toMatchObject({ code: '42601' })
      await insert(3)
      expect((await count()).rows[0]!.c).toBe(3)
    })
  })
})
