import type { Storage } from '../../../src/server/storage'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { openStorage, SQLITE_FILE } from '../../../src/server/storage'
import { migrationProvider } from '../../../src/server/storage/migrations'

/**
 * Every server suite runs once per database: SQLite in a temp dir, and PostgreSQL in a fresh
 * database created on the server at TEST_DATABASE_URL (a super-user URL) and dropped afterwards.
 */

export interface Backend {
  name: 'sqlite' | 'postgres'
  /** Fresh, empty, migrated storage plus the settings a child process needs to reach it. */
  create: () => Promise<{ storage: Storage, env: Record<string, string>, dispose: () => Promise<void> }>
}

const pgUrl = process.env.TEST_DATABASE_URL

const HOW_TO_RUN_PG = 'Set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres (a super-user URL; .ci/run starts a throwaway cluster and sets it) to run them.'

let warned = false

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async create() {
    const dataDir = mkdtempSync(join(tmpdir(), 'study-log-test-'))
    const storage = await openStorage({ dataDir })
    return {
      storage,
      env: { DATA_DIR: dataDir, DATABASE_URL: '' },
      dispose: async () => {
        await storage.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  },
}

/** A new database on the test PostgreSQL server; its URL and a function that drops it. */
export async function createPgDatabase(): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(pgUrl!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      try {
        // The pool's last connections may still be saying goodbye: wait for them, never kill them.
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`)
            return
          }
          catch (error) {
            if ((error as { code?: string }).code !== '55006' || attempt >= 50)
              throw error
            await new Promise(resolve => setTimeout(resolve, 100))
          }
        }
      }
      finally {
        await client.end()
      }
    },
  }
}

export const postgresBackend: Backend = {
  name: 'postgres',
  async create() {
    const database = await createPgDatabase()
    const storage = await openStorage({ databaseUrl: database.url })
    return {
      storage,
      env: { DATABASE_URL: database.url },
      dispose: async () => {
        await storage.close()
        await database.drop()
      },
    }
  },
}

/** The backends this run can use; PostgreSQL is missing only outside CI, and then loudly. */
export function availableBackends(): Backend[] {
  if (pgUrl)
    return [sqliteBackend, postgresBackend]
  return [sqliteBackend]
}

/**
 * Declares `suite` once per backend. Without TEST_DATABASE_URL the PostgreSQL run is skipped
 * with a warning, except in CI where it fails.
 */
export function describeEachBackend(title: string, suite: (backend: Backend) => void): void {
  for (const backend of availableBackends())
    describe(`${title} [${backend.name}]`, () => suite(backend))
  if (pgUrl)
    return
  if (process.env.CI) {
    describe(`${title} [postgres]`, () => {
      it('needs TEST_DATABASE_URL in CI', () => {
        throw new Error(`TEST_DATABASE_URL is not set in CI: the PostgreSQL server tests cannot run. ${HOW_TO_RUN_PG}`)
      })
    })
    return
  }
  if (!warned) {
    warned = true
    console.warn(`\n!!! PostgreSQL server tests SKIPPED: TEST_DATABASE_URL is not set. ${HOW_TO_RUN_PG}\n`)
  }
  describe.skip(`${title} [postgres] (skipped: no TEST_DATABASE_URL)`, () => {
    it('runs on PostgreSQL', () => {})
  })
}

/** Fresh storage for the enclosing describe block, disposed after it. */
export function useStorage(backend: Backend): { readonly storage: Storage, readonly env: Record<string, string> } {
  let created: Awaited<ReturnType<Backend['create']>> | undefined
  beforeAll(async () => {
    created = await backend.create()
  })
  afterAll(async () => {
    await created?.dispose()
  })
  return {
    get storage() {
      if (!created)
        throw new Error('storage is not ready: use it inside tests')
      return created.storage
    },
    get env() {
      if (!created)
        throw new Error('storage is not ready: use it inside tests')
      return created.env
    },
  }
}

/** A database as an older release left it: raw Kysely to seed its rows, `open` to upgrade it, `dispose` to remove it. */
export interface OlderDatabase {
  db: Kysely<any>
  /** Opens it as the current server does, running the newer migrations. */
  open: () => Promise<Storage>
  dispose: () => Promise<void>
}

/** A new database of `backend` migrated up to `migration` and no further, for upgrade tests. */
export async function databaseMigratedTo(backend: Backend, migration: string): Promise<OlderDatabase> {
  let older: OlderDatabase
  if (backend.name === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'study-log-upgrade-'))
    older = {
      db: new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(join(dataDir, SQLITE_FILE)) }) }),
      open: () => openStorage({ dataDir }),
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  else {
    const database = await createPgDatabase()
    older = {
      db: new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }) }),
      open: () => openStorage({ databaseUrl: database.url }),
      dispose: database.drop,
    }
  }
  const { error } = await new Migrator({ db: older.db, provider: migrationProvider }).migrateTo(migration)
  if (error) {
    await older.db.destroy()
    await older.dispose()
    throw new Error(`migrating a new ${backend.name} database to ${migration} failed: ${String(error)}`)
  }
  return older
}
