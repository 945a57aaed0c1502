/**
 * The one IndexedDB database of the app, `study-log` (Dexie). What is kept where:
 * - `meta`: small key/values of this device: `clientId` (made once), `cursor` (last pulled server
 *   revision), `lastSyncedAt`, `locale`, `storagePersisted`.
 * - `session`: the signed-in member under the key `'current'`: bearer token and `MemberInfo`.
 * - `studyCheckins`: the member's study check-ins as the app shows them (local edits included),
 *   each with its sync state and `base`, the last copy the server is known to hold.
 * - `outbox`: one entry per record that waits to be pushed (`table:id`), with a `version` bumped by
 *   every local edit so a push result never settles an edit made while it was in flight.
 * Nothing else in the app touches IndexedDB or localStorage.
 */
import type { EntityTable, Table } from 'dexie'
import type { MemberTable, StudyCheckinData } from '@/domain/records'
import type { ApiErrorBody, MemberInfo } from '@/domain/wire'
import Dexie from 'dexie'

export const DATABASE_NAME = 'study-log'

export interface MetaRow {
  key: MetaKey
  value: unknown
}

export type MetaKey = 'clientId' | 'cursor' | 'lastSyncedAt' | 'locale' | 'storagePersisted'

export interface SessionRow {
  key: 'current'
  token: string
  member: MemberInfo
}

/** Where a local record stands with the server. */
export type RecordSyncState = 'pending' | 'synced' | 'rejected'

/** The last copy of a record the server is known to hold (what `stale` restores). */
export interface StudyCheckinBase {
  updatedAt: number
  deleted: boolean
  data: StudyCheckinData
}

export interface StudyCheckinRow extends StudyCheckinData {
  id: string
  memberId: string
  week: string
  updatedAt: number
  deleted: boolean
  sync: RecordSyncState
  /** The server's verdict when it refused the last push; cleared by the next edit. */
  rejection?: ApiErrorBody['error']
  base?: StudyCheckinBase
}

export interface OutboxEntry {
  /** `table:id`, one entry per record however often it is edited. */
  key: string
  table: MemberTable
  id: string
  version: number
  queuedAt: number
}

export class StudyLogDatabase extends Dexie {
  meta!: Table<MetaRow, MetaKey>
  session!: Table<SessionRow, 'current'>
  studyCheckins!: EntityTable<StudyCheckinRow, 'id'>
  outbox!: EntityTable<OutboxEntry, 'key'>

  constructor(name = DATABASE_NAME) {
    super(name)
    this.version(1).stores({
      meta: 'key',
      session: 'key',
      studyCheckins: 'id, memberId, [memberId+date], week, updatedAt',
      outbox: 'key, queuedAt',
    })
  }
}

/** The app's database; opened lazily by Dexie on first use. */
export const db = new StudyLogDatabase()

/** The outbox key of a record. */
export function outboxKey(table: MemberTable, id: string): string {
  return `${table}:${id}`
}
