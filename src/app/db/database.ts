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
 * - `materialBodies`: the text of each material kept on the phone (`{ id, updatedAt, body }`),
 *   downloaded after a pull (or written by the secretary's own publish), so reading works offline.
 * - `outbox`: one entry per record that waits to be pushed (`table:id`), with a `version` bumped by
 *   every local edit so a push result never settles an edit made while it was in flight.
 * - `drafts`: unsaved form fields by key (e.g. `readingNotes:new`), so closing the app mid-typing loses nothing.
 * Nothing else in the app touches IndexedDB or localStorage.
 */
import type { EntityTable, Table } from 'dexie'
import type { MaterialData, MaterialServerFields, MemberTable, ProblemData, ProblemServerFields, ReadingNoteData, ReadingProgressData, RecordDataByTable, ServiceLogData, StudyCheckinData } from '@/domain/records'
import type { ApiErrorBody, MemberInfo } from '@/domain/wire'
import Dexie from 'dexie'

export const DATABASE_NAME = 'study-log'

export interface MetaRow {
  key: MetaKey
  value: unknown
}

export type MetaKey = 'clientId' | 'cursor' | 'lastSyncedAt' | 'locale' | 'storagePersisted' | 'elderMode' | 'elderModeAsked' | 'readerFontSize'

export interface SessionRow {
  key: 'current'
  token: string
  member: MemberInfo
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

/** Where the member stopped in one material; id = `readingProgressId(memberId, materialId)`. */
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
}

export type AnyRecordRow = RecordRowByTable[MemberTable]

export interface OutboxEntry {
  /** `table:id`, one entry per record however often it is edited. */
  key: string
  table: MemberTable
  id: string
  version: number
  queuedAt: number
}

/** Unsaved form fields, kept while the member types. */
export interface DraftRow {
  key: string
  fields: Record<string, unknown>
  savedAt: number
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
