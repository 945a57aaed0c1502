import type BetterSqlite3 from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/** How many distinct statements are kept prepared: the app's queries are a few hundred at most. */
export const STATEMENT_CACHE_SIZE = 500

/**
 * The better-sqlite3 database as Kysely's SqliteDialect uses it, with its prepared statements kept
 * by SQL text. Kysely's driver prepares every query it runs, and preparing costs about as much as
 * running an indexed query: an up-to-date pull, three small statements, spent a fifth of its time in
 * `prepare` (issue #11, profiled). A statement is reused only when it is not busy (mid-iteration),
 * else a fresh one is prepared; the least recently used one goes past the cache's size (queries
 * with IN lists of many lengths make many texts). SQLite re-prepares a statement itself when a
 * migration changes the schema under it.
 */
export function withStatementCache(database: BetterSqlite3.Database, size: number = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const kept = statements.get(sql)
      if (kept && !kept.busy) {
        // Most recently used last: the Map's order is the eviction order.
        statements.delete(sql)
        statements.set(sql, kept)
        return kept
      }
      const statement = database.prepare(sql)
      statements.delete(sql)
      statements.set(sql, statement)
      if (statements.size > size)
        statements.delete(statements.keys().next().value!)
      return statement
    },
  }
}
