import type { Dialect } from 'kysely'
import type { NamedStatementPool } from './pg-statements'
import type { CreatedBranch } from './repositories/branches'
import type { MaterialRepository, RecordRepository } from './repositories/records'
import type { Database } from './schema'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely'
import pg from 'pg'
import { migrationProvider } from './migrations'
import { withNamedStatements } from './pg-statements'
import { BranchAdminRepository } from './repositories/branch-admin'
import { BranchRepository } from './repositories/branches'
import { CompletionQueries } from './repositories/completion'
import { DeviceRepository } from './repositories/devices'
import { GridQueries } from './repositories/grid'
import { MemberTokenRepository } from './repositories/member-tokens'
import { MemberTransferRepository } from './repositories/member-transfers'
import { MemberRepository } from './repositories/members'
import { OrganisationRepository, OrganisationSecretaryRepository } from './repositories/organisations'
import { createRecordRepositories } from './repositories/records'
import { ReportDraftRepository } from './repositories/report-drafts'
import { SessionQueries } from './repositories/sessions'
import { SetupCodeRepository } from './repositories/setup-codes'
import { SummaryQueries } from './repositories/summary'
import { withStatementCache } from './sqlite-statements'
import { SyncStore } from './sync'

/**
 * The server's durable state: SQLite (`DATA_DIR/study-log.sqlite`, WAL, synchronous=FULL so an
 * acknowledged write survives kill -9) or PostgreSQL when a postgres:// URL is given.
 */

export type { CreatedBranch } from './repositories/branches'
export type { RecordReader, RevRange } from './repositories/records'
export type { AcceptedChange, PushOutcome, PushResult, RecordOwner } from './sync'

export const SQLITE_FILE = 'study-log.sqlite'

export interface StorageOptions {
  dataDir?: string
  databaseUrl?: string | null
}

export interface Storage {
  db: Kysely<Database>
  dialect: 'sqlite' | 'postgres'
  branches: BranchRepository
  members: MemberRepository
  memberTokens: MemberTokenRepository
  /** A member's devices and the one-time codes that add one (issue #12). */
  devices: DeviceRepository
  setupCodes: SetupCodeRepository
  /** Organisations above the branches and their secretaries (组织管理员, issue #14). */
  organisations: OrganisationRepository
  organisationSecretaries: OrganisationSecretaryRepository
  /** Members who moved between branches of one organisation, counted once in its roll-up (migration 0019). */
  memberTransfers: MemberTransferRepository
  studyCheckins: RecordRepository<'studyCheckins'>
  serviceLogs: RecordRepository<'serviceLogs'>
  readingNotes: RecordRepository<'readingNotes'>
  problems: RecordRepository<'problems'>
  materials: MaterialRepository
  readingProgress: RecordRepository<'readingProgress'>
  /** The branch's sessions (组织生活, issue #13). */
  sessions: RecordRepository<'sessions'>
  /** The secretary's session views, attendance and links (issue #13). */
  sessionViews: SessionQueries
  completion: CompletionQueries
  /** The secretary's branch (issue #5): members, 代录, problem register, grid and summary. */
  branchAdmin: BranchAdminRepository
  grid: GridQueries
  summary: SummaryQueries
  /** The month's 阶段性总结 drafts and finalised reports (issue #14). */
  reports: ReportDraftRepository
  sync: SyncStore
  /** Creates a branch with fresh member and secretary invite codes. */
  createBranch: (name: string) => Promise<CreatedBranch>
  close: () => Promise<void>
}

// bigint (int8) columns carry millisecond timestamps and revisions, all far below 2^53.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => oid === pg.types.builtins.INT8
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

function sqliteDialect(dataDir: string): Dialect {
  mkdirSync(dataDir, { recursive: true })
  const database = new BetterSqlite3(join(dataDir, SQLITE_FILE))
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  // The admin CLI may write while the server runs: wait for the lock instead of failing.
  database.pragma('busy_timeout = 5000')
  return new SqliteDialect({ database: withStatementCache(database) })
}

function postgresDialect(url: string): { dialect: Dialect, pool: NamedStatementPool } {
  const pool = withNamedStatements(new pg.Pool({ connectionString: url, max: 10, types: pgTypes }))
  return { dialect: new PostgresDialect({ pool }), pool }
}

/** Opens the database, runs pending migrations, and returns the repositories over it. */
export async function openStorage(opts: StorageOptions): Promise<Storage> {
  const dialectName = opts.databaseUrl ? 'postgres' : 'sqlite'
  const postgres = opts.databaseUrl ? postgresDialect(opts.databaseUrl) : null
  const db = new Kysely<Database>({ dialect: postgres?.dialect ?? sqliteDialect(opts.dataDir ?? './data') })
  try {
    // Unordered: 0012 (merge) was numbered before it shipped after 0013 and 0014; a database that
    // already ran those gets it all the same. Each migration touches only its own tables and columns.
    const { error } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest()
    if (error)
      throw error
    // SQLite plans from the statistics ANALYZE keeps; its planner needs them to choose between
    // indexes. At open, with the "check every table" bit, as SQLite advises for a connection that
    // stays open: it analyses only tables whose statistics are missing or stale, so it is cheap.
    if (dialectName === 'sqlite')
      await sql`PRAGMA optimize=0x10002`.execute(db)
    // The tables are final now: statements run again may be kept prepared.
    postgres?.pool.keepStatements()
  }
  catch (error) {
    await db.destroy()
    throw error
  }
  const records = createRecordRepositories(db, dialectName)
  const branches = new BranchRepository(db)
  const branchAdmin = new BranchAdminRepository(db)
  const members = new MemberRepository(db)
  return {
    db,
    dialect: dialectName,
    branches,
    members,
    memberTokens: new MemberTokenRepository(db),
    devices: new DeviceRepository(db, members),
    setupCodes: new SetupCodeRepository(db),
    organisations: new OrganisationRepository(db),
    organisationSecretaries: new OrganisationSecretaryRepository(db),
    memberTransfers: new MemberTransferRepository(db),
    ...records,
    completion: new CompletionQueries(db),
    branchAdmin,
    grid: new GridQueries(db, dialectName),
    summary: new SummaryQueries(db, branchAdmin),
    sessionViews: new SessionQueries(db),
    reports: new ReportDraftRepository(db),
    sync: new SyncStore(db, records, dialectName),
    createBranch: name => branches.create(name),
    close: () => db.destroy(),
  }
}
