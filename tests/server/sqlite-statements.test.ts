import BetterSqlite3 from 'better-sqlite3'
import { Kysely, sql, SqliteDialect } from 'kysely'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from '../../src/server/storage/sqlite-statements'

/**
 * SQLite's prepared statements kept by SQL text (issue #11: Kysely prepares every query). The cache
 * must never change an answer: a reused statement binds new parameters, a busy one is not shared,
 * a schema change under a kept statement is seen, and the cache stays within its size.
 */
describe('the SQLite statement cache', () => {
  it('reuses a statement for the same text and answers each call with its own parameters', () => {
    const raw = new BetterSqlite3(':memory:')
    const database = withStatementCache(raw)
    const first = database.prepare('select ? + 1 as n')
    expect(database.prepare('select ? + 1 as n')).toBe(first)
    expect(first.all([1])).toEqual([{ n: 2 }])
    expect(database.prepare('select ? + 1 as n').all([41])).toEqual([{ n: 42 }])
    expect(database.prepare('select ? + 2 as n')).not.toBe(first)
    database.close()
  })

  it('gives a fresh statement while the kept one is mid-iteration', () => {
    const raw = new BetterSqlite3(':memory:')
    const database = withStatementCache(raw)
    raw.exec('create table t (n integer); insert into t values (1), (2), (3)')
    const text = 'select n from t order by n'
    const outer = database.prepare(text)
    const seen: number[][] = []
    for (const row of outer.iterate([]) as IterableIterator<{ n: number }>) {
      const inner = database.prepare(text)
      expect(inner).not.toBe(outer)
      seen.push([row.n, ...(inner.all([]) as { n: number }[]).map(r => r.n)])
    }
    expect(seen).toEqual([[1, 1, 2, 3], [2, 1, 2, 3], [3, 1, 2, 3]])
    database.close()
  })

  it('keeps at most its size, dropping the least recently used', () => {
    const raw = new BetterSqlite3(':memory:')
    const database = withStatementCache(raw, 2)
    const a = database.prepare('select 1')
    const b = database.prepare('select 2')
    expect(database.prepare('select 1')).toBe(a)
    database.prepare('select 3')
    // 'select 2' was the least recently used: prepared again; 'select 1' was kept.
    expect(database.prepare('select 2')).not.toBe(b)
    expect(database.prepare('select 1')).not.toBe(a)
    database.close()
  })

  it('sees a column added after a statement was kept (Kysely over the cache, as the server runs it)', async () => {
    const db = new Kysely<{ t: { id: number, name: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(new BetterSqlite3(':memory:')) }) })
    await sql`create table t (id integer primary key, name text)`.execute(db)
    await db.insertInto('t').values({ id: 1, name: '甲' }).execute()
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db)
    expect((await all()).rows).toEqual([{ id: 1, name: '甲' }])
    await sql`alter table t add column note text default '无'`.execute(db)
    expect((await all()).rows).toEqual([{ id: 1, name: '甲', note: '无' }])
    // In a transaction, rolled back, through the same kept statements.
    await expect(db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 2, name: '乙' }).execute()
      throw new Error('roll back')
    })).rejects.toThrow('roll back')
    expect((await all()).rows).toHaveLength(1)
    await db.destroy()
  })
})
