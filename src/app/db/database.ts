/**
 * The one IndexedDB database of the app, `study-log` (Dexie). What is kept where:
 * - `meta`: small key/values of this device: `clientId` (made once), `cursor` (last pulled server
 *   revision), `lastSyncedAt`, `locale`, `storagePersisted`, `elderMode`, `elderModeAsked`,
 *   `readerFontSize`.
 * - `session`: the signed-in member under the key `'current'`: bearer token and `MemberInfo`.
 * - one table per member table (`studyCheckins`, `serviceLogs`, `readingNotes`, `problems`,
 *   `materials`, `readingProgress`): the records as the app shows them (local edits included), each
 *   row the protocol's `data` fields flat plus `id`, `memberId`, `updatedAt`, `deleted`, its sync
 *   state and `base`, the last copy the server is known to hold. `problems` and `materials` also
 *   hold the branch's rows written by others (read only). A material row keeps only metadata; its
 *   `body` stays on the row only while the secretary's own edit waits to be pushed.
 * - `sessions` (version 5): the branch's 组织生活 (meetings, with their 签到码), written by secretaries and
 *   pulled by every member like `materials`, so a member's phone can check a typed code offline.
 * - `materialBodies`: the text of each material kept on the phone (`{ id, updatedAt, body }`),
 *   downloaded after a pull (or written by the secretary's own publish), so reading works offline.
 * - `outbox`: one entry per record that waits to be pushed (`table:id`), with a `version` bumped by
 *   every local edit so a push result never settles an edit made while it was in flight.
 * - `drafts`: unsaved form fields by key (e.g. `readingNotes:new`), so closing the app mid-typing loses nothing.
 * Every member table's row is stored with `owner` (see `LIVE_OWNER`): its `memberId` while it is live,
 * absent on a tombstone. The lists, counts and the week card read the `owner` indexes, so a list opens
 * with the newest page and a count is an index count, however many rows the phone holds; reads never
 * see the field (it is added on write and dropped on read).
 * Nothing else in the app touches IndexedDB or localStorage.
 */
import type { DBCoreMutateRequest, EntityTable, Table } from 'dexie'
import type { MaterialData, MaterialServerFields, MemberTable, ProblemData, ProblemServerFields, ReadingNoteData, ReadingProgressData, RecordDataByTable, ServiceLogData, StudyCheckinData } from '@/domain/records'
import type { SessionData } from '@/domain/sessions'
import type { ApiErrorBody, MemberInfo } from '@/domain/wire'
import Dexie from 'dexie'
import { MEMBER_TABLES } from '@/domain/tables'

export const DATABASE_NAME = 'study-log'

export interface MetaRow {
  key: MetaKey
  value: unknown
}

export type MetaKey = 'clientId' | 'cursor' | 'lastSyncedAt' | 'locale' | 'storagePersisted' | 'elderMode' | 'elderModeAsked' | 'readerFontSize' | 'organisationSession'

export interface SessionRow {
  key: 'current'
  token: string
  /** With the member's secret `idSeed` once known (join, setup, `GET /me`, a backup); a phone that joined before seeds lacks it until `GET /me` answers. */
  member: MemberInfo & { idSeed?: string }
}

/** Where a local record stands with the server. */
export type RecordSyncState = 'pending' | 'synced' | 'rejected'

/** The last copy of a record the server is known to hold (what `stale` restores). */
export interface RecordBase<T extends MemberTable> {
  updatedAt: number
  deleted: boolean
  data: RecordDataByTable[T]
}

/** The bookkeeping every local record row carries beside its `data` fields. */
export interface RecordRowMeta<T extends MemberTable> {
  id: string
  memberId: string
  updatedAt: number
  deleted: boolean
  sync: RecordSyncState
  /** The server's verdict when it refused the last push; cleared by the next edit. */
  rejection?: ApiErrorBody['error']
  base?: RecordBase<T>
}

export type StudyCheckinBase = RecordBase<'studyCheckins'>

export interface StudyCheckinRow extends StudyCheckinData, RecordRowMeta<'studyCheckins'> {
  week: string
  /** The secretary who entered it for the member (代录), as the server sent it. */
  enteredByName?: string
}

export interface ServiceLogRow extends ServiceLogData, RecordRowMeta<'serviceLogs'> {
  week: string
  /** The secretary who entered it for the member (代录), as the server sent it. */
  enteredByName?: string
}

export interface ReadingNoteRow extends ReadingNoteData, RecordRowMeta<'readingNotes'> {}

/**
 * A residents' problem: the reporter's fields plus where it stands. A problem saved on this device
 * is `open` until the server says otherwise; `reporterName` is the member's own name until pulled.
 */
export interface ProblemRow extends ProblemData, RecordRowMeta<'problems'>, ProblemServerFields {
  week: string
  branchId?: string
}

/**
 * A study material of the branch: its metadata as pulled (no text; see `materialBodies`), plus the
 * server's author name and the text's size. `body` is present only on the secretary's own edit
 * until the server holds it; `base.data` of a pulled row has no `body` either.
 */
export interface MaterialRow extends Omit<MaterialData, 'body'>, RecordRowMeta<'materials'>, MaterialServerFields {
  body?: string
  branchId?: string
}

/**
 * A session of the branch (组织生活): its fields as the secretary wrote them, the ISO week of its first
 * day, and the branch. Every member pulls them; only secretaries write them.
 */
export interface BranchSessionRow extends SessionData, RecordRowMeta<'sessions'> {
  week: string
  branchId?: string
}

/** Where the member stopped in one material; id = `readingProgressId(idSeed, memberId, materialId)` (legacy rows: without the seed). */
export interface ReadingProgressRow extends ReadingProgressData, RecordRowMeta<'readingProgress'> {}

/** A material's text kept on the phone; `updatedAt` is the material version it belongs to. */
export interface MaterialBodyRow {
  id: string
  updatedAt: number
  body: string
}

/** The local row type of each member table. */
export interface RecordRowByTable {
  studyCheckins: StudyCheckinRow
  serviceLogs: ServiceLogRow
  readingNotes: ReadingNoteRow
  problems: ProblemRow
  materials: MaterialRow
  readingProgress: ReadingProgressRow
  sessions: BranchSessionRow
}

export type AnyRecordRow = RecordRowByTable[MemberTable]

export interface OutboxEntry {
  /** `table:id`, one entry per record however often it is edited. */
  key: string
  table: MemberTable
  id: string
  version: number
  queuedAt: number
  /**
   * Why the server failed (5xx) on this record alone at its last push: it stays queued and is
   * pushed by itself after the others, so it never holds them up. A new edit replaces the entry.
   */
  serverError?: { code: string, message: string, at: number }
}

/** Unsaved form fields, kept while the member types. */
export interface DraftRow {
  key: string
  fields: Record<string, unknown>
  savedAt: number
}

/**
 * The stored field that holds a member table row's `memberId` while the row is live. IndexedDB
 * leaves a row out of an index whose key it lacks, so on a tombstone (no `owner`) the `owner` indexes
 * simply do not list it: the lists need no `.filter(row => !row.deleted)` walk over every row.
 */
export const LIVE_OWNER = 'owner'

const MEMBER_TABLE_NAMES: ReadonlySet<string> = new Set(MEMBER_TABLES)

/** The member tables version 4 had, whose rows its upgrade stamps with `owner`. */
const VERSION_4_TABLES = ['studyCheckins', 'serviceLogs', 'readingNotes', 'problems', 'materials', 'readingProgress'] as const

/** The row as stored: `owner` set from `memberId` on a live row, removed from a tombstone. */
function withLiveOwner(value: unknown): unknown {
  const row = value as Record<string, unknown>
  const owner = row.deleted === true ? undefined : row.memberId
  if (row[LIVE_OWNER] === owner)
    return row
  const stored = { ...row }
  if (owner === undefined)
    delete stored[LIVE_OWNER]
  else
    stored[LIVE_OWNER] = owner
  return stored
}

/** The row as the app sees it: without the stored `owner`. */
function withoutLiveOwner<T>(row: T): T {
  if (!row || typeof row !== 'object' || !(LIVE_OWNER in row))
    return row
  const { [LIVE_OWNER]: _owner, ...rest } = row as Record<string, unknown>
  return rest as T
}

export class StudyLogDatabase extends Dexie {
  meta!: Table<MetaRow, MetaKey>
  session!: Table<SessionRow, 'current'>
  studyCheckins!: EntityTable<StudyCheckinRow, 'id'>
  serviceLogs!: EntityTable<ServiceLogRow, 'id'>
  readingNotes!: EntityTable<ReadingNoteRow, 'id'>
  problems!: EntityTable<ProblemRow, 'id'>
  materials!: EntityTable<MaterialRow, 'id'>
  materialBodies!: EntityTable<MaterialBodyRow, 'id'>
  readingProgress!: EntityTable<ReadingProgressRow, 'id'>
  sessions!: EntityTable<BranchSessionRow, 'id'>
  outbox!: EntityTable<OutboxEntry, 'key'>
  drafts!: EntityTable<DraftRow, 'key'>

  constructor(name = DATABASE_NAME) {
    super(name)
    this.version(1).stores({
      meta: 'key',
      session: 'key',
      studyCheckins: 'id, memberId, [memberId+date], week, updatedAt',
      outbox: 'key, queuedAt',
    })
    this.version(2).stores({
      serviceLogs: 'id, memberId, [memberId+date], updatedAt',
      readingNotes: 'id, memberId, updatedAt',
      problems: 'id, memberId, branchId, updatedAt, status',
      drafts: 'key',
    }).upgrade(async (tx) => {
      // Version 1 moved the cursor past rows of tables it did not keep: pull everything again.
      await tx.table<MetaRow, MetaKey>('meta').put({ key: 'cursor', value: null })
    })
    this.version(3).stores({
      materials: 'id, memberId, publishedAt, updatedAt',
      materialBodies: 'id, [id+updatedAt]',
      readingProgress: 'id, materialId, memberId, updatedAt',
    }).upgrade(async (tx) => {
      // Version 2 moved the cursor past materials and reading progress it did not keep.
      await tx.table<MetaRow, MetaKey>('meta').put({ key: 'cursor', value: null })
    })
    // Version 4: the `owner` indexes (see LIVE_OWNER), so lists and counts read an index instead of
    // walking every row. The upgrade stamps `owner` on every stored live row and keeps every row.
    this.version(4).stores({
      studyCheckins: 'id, memberId, [memberId+date], week, updatedAt, owner, [owner+sync], [owner+date+updatedAt], [owner+week]',
      serviceLogs: 'id, memberId, [memberId+date], updatedAt, owner, [owner+sync], [owner+date+updatedAt], [owner+updatedAt]',
      readingNotes: 'id, memberId, updatedAt, owner, [owner+sync], [owner+updatedAt]',
      problems: 'id, memberId, branchId, updatedAt, status, owner, [owner+sync], [owner+date+updatedAt]',
      materials: 'id, memberId, publishedAt, updatedAt, owner, [owner+sync]',
      readingProgress: 'id, materialId, memberId, updatedAt, owner, [owner+sync]',
    }).upgrade(async (tx) => {
      // The tables of version 4, not MEMBER_TABLES: a table added later (sessions) is not there yet.
      for (const table of VERSION_4_TABLES) {
        await tx.table(table).toCollection().modify((row: Record<string, unknown>) => {
          if (row.deleted === true)
            delete row[LIVE_OWNER]
          else
            row[LIVE_OWNER] = row.memberId
        })
      }
    })
    // Version 5: the branch's sessions (组织生活) and the check-ins' sessionId/sessionCode. An older
    // version dropped pulled sessions and those fields while its cursor moved past them: pull again.
    this.version(5).stores({
      sessions: 'id, memberId, date, code, updatedAt, owner, [owner+sync]',
    }).upgrade(async (tx) => {
      await tx.table<MetaRow, MetaKey>('meta').put({ key: 'cursor', value: null })
    })
    // Version 6: the check-in and service-log indexes no query reads any more ([memberId+date],
    // week, updatedAt; the lists, counts and week card read the `owner` ones) are dropped. Every put
    // writes an entry in each index of its table: a push settling 500 check-ins rewrote nine per
    // row, now six. Rows and the cursor are kept as they are.
    this.version(6).stores({
      studyCheckins: 'id, memberId, owner, [owner+sync], [owner+date+updatedAt], [owner+week]',
      serviceLogs: 'id, memberId, owner, [owner+sync], [owner+date+updatedAt], [owner+updatedAt]',
    })
    // Every write of a member row goes through here (put, add, bulkPut, modify, the upgrade too), so
    // `owner` always follows `memberId` and `deleted`. Level 10 sits above Dexie's own cache and
    // change tracking, so they see the stored shape.
    this.use({
      stack: 'dbcore',
      name: 'liveOwner',
      create: down => ({
        ...down,
        table: (name) => {
          const table = down.table(name)
          if (!MEMBER_TABLE_NAMES.has(name))
            return table
          return {
            ...table,
            mutate: (request: DBCoreMutateRequest) => request.type === 'add' || request.type === 'put'
              ? table.mutate({ ...request, values: request.values.map(withLiveOwner) } as DBCoreMutateRequest)
              : table.mutate(request),
          }
        },
      }),
    })
    for (const table of MEMBER_TABLES)
      this.table(table).hook('reading', withoutLiveOwner)
  }

  /** The Dexie table holding a member table's rows. */
  records<T extends MemberTable>(table: T): Table<RecordRowByTable[T], string> {
    return this.table(table) as unknown as Table<RecordRowByTable[T], string>
  }
}

/** The app's database; opened lazily by Dexie on first use. */
export const db = new StudyLogDatabase()

/** The outbox key of a record. */
export function outboxKey(table: MemberTable, id: string): string {
  return `${table}:${id}`
}
