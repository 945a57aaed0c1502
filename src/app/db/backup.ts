import type { AnyRecordRow, MaterialRow, OutboxEntry } from './database'
import type { BackupFile, BackupRow } from '@/domain/backup'
import type { MemberTable } from '@/domain/records'
import { BACKUP_FORMAT, BACKUP_VERSION, backupCsv, BackupMemberError, mergeDecision, parseBackup } from '@/domain/backup'
import { MEMBER_TABLES } from '@/domain/records'
import { db, outboxKey } from './database'
import { getMeta } from './meta'
import { loadSession } from './session'
import { recordData, rowExtras } from './tables'

/** What an import did: rows added, older local rows replaced, and rows skipped (same or older, or not the member's). */
export interface ImportResult {
  added: number
  updated: number
  skipped: number
}

/** Thrown when a backup is exported or imported with nobody signed in. */
export class BackupNeedsSessionError extends Error {
  constructor() {
    super('Sign in before exporting or importing a backup')
    this.name = 'BackupNeedsSessionError'
  }
}

const SERVER_FIELDS = ['reporterName', 'status', 'ownerName', 'resolution', 'statusUpdatedAt', 'branchId'] as const

function backupRow(table: MemberTable, row: AnyRecordRow): BackupRow {
  const out: BackupRow = { id: row.id, updatedAt: row.updatedAt, deleted: row.deleted, sync: row.sync, data: recordData(table, row) as Record<string, unknown> }
  if (table === 'problems') {
    const source = row as unknown as Record<string, unknown>
    out.serverFields = Object.fromEntries(SERVER_FIELDS.filter(key => source[key] !== undefined).map(key => [key, source[key]]))
  }
  return out
}

/** Tables a member opens in Excel; materials and reading progress go only into the JSON backup. */
const CSV_TABLES: readonly MemberTable[] = ['studyCheckins', 'serviceLogs', 'readingNotes', 'problems']

/**
 * Materials are the branch's, kept on the server and pulled without text: only a secretary's own
 * edit not yet on the server (it still carries its `body`) goes into the backup.
 */
function isBackedUp(table: MemberTable, row: AnyRecordRow): boolean {
  return table !== 'materials' || typeof (row as { body?: unknown }).body === 'string'
}

async function locale(): Promise<string | undefined> {
  return getMeta<string>('locale')
}

/**
 * The signed-in member's backup: `json` (the backup file, with the login, every own record of
 * every table, pending deletes included) and `csv` per record table (not materials or reading progress) (UTF-8 BOM, Chinese headers). Other
 * members' problems are never exported.
 */
export async function exportBackup(now: number = Date.now()): Promise<{ json: string, csv: Record<MemberTable, string> }> {
  const session = await loadSession()
  if (!session)
    throw new BackupNeedsSessionError()
  const { member, token } = session
  const records: BackupFile['records'] = {}
  const csv = {} as Record<MemberTable, string>
  await db.transaction('r', MEMBER_TABLES.map(table => db.records(table)), async () => {
    for (const table of MEMBER_TABLES) {
      const rows = (await db.records(table).where('memberId').equals(member.id).toArray() as AnyRecordRow[])
        .filter(row => isBackedUp(table, row))
      records[table] = rows.map(row => backupRow(table, row))
      if (CSV_TABLES.includes(table))
        csv[table] = backupCsv(table, records[table])
    }
  })
  const file: BackupFile = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: new Date(now).toISOString(),
    member: { id: member.id, name: member.name, branchName: member.branchName },
    session: { token, member },
    records,
  }
  return { json: JSON.stringify(file, null, 1), csv }
}

/** The local row a backup row stands for, as `memberId`'s. */
function rowFromBackup(table: MemberTable, memberId: string, row: BackupRow): AnyRecordRow {
  const data = recordData(table, row.data)
  const synced = row.sync === 'synced'
  const local = {
    ...data,
    ...rowExtras(table, data, row.serverFields),
    id: row.id,
    memberId,
    updatedAt: row.updatedAt,
    deleted: row.deleted,
    sync: synced ? 'synced' : 'pending',
  } as AnyRecordRow
  if (synced)
    local.base = { updatedAt: row.updatedAt, deleted: row.deleted, data } as AnyRecordRow['base']
  return local
}

/**
 * Merges a parsed backup into the device for `memberId`, in one transaction: by id, the newer
 * `updatedAt` wins and nothing is duplicated. Rows the backup marks synced are stored as synced;
 * pending and refused ones are queued for the next push. Rows of another member are skipped.
 */
export async function mergeBackup(backup: BackupFile, memberId: string, now: number = Date.now()): Promise<ImportResult> {
  const result: ImportResult = { added: 0, updated: 0, skipped: 0 }
  await db.transaction('rw', [db.outbox, db.materialBodies, ...MEMBER_TABLES.map(table => db.records(table))], async () => {
    for (const table of MEMBER_TABLES) {
      const incoming = backup.records[table] ?? []
      if (incoming.length === 0)
        continue
      const rows = db.records(table)
      const locals = await rows.bulkGet(incoming.map(row => row.id)) as (AnyRecordRow | undefined)[]
      const keys = incoming.map(row => outboxKey(table, row.id))
      const queued = await db.outbox.bulkGet(keys)
      const puts: AnyRecordRow[] = []
      const enqueue: OutboxEntry[] = []
      const dequeue: string[] = []
      incoming.forEach((row, i) => {
        const local = locals[i]
        const decision = local && local.memberId !== memberId ? 'skip' : mergeDecision(local, row)
        if (decision === 'skip') {
          result.skipped++
          return
        }
        result[decision === 'add' ? 'added' : 'updated']++
        const next = rowFromBackup(table, memberId, row)
        // A local copy the server is known to hold stays the base a later `stale` restores.
        if (!next.base && local?.base)
          next.base = local.base
        puts.push(next)
        const entry = queued[i]
        if (next.sync === 'pending')
          enqueue.push({ key: keys[i]!, table, id: row.id, version: (entry?.version ?? 0) + 1, queuedAt: entry?.queuedAt ?? now })
        else if (entry)
          dequeue.push(keys[i]!)
      })
      await rows.bulkPut(puts as never[])
      if (table === 'materials') {
        // The reader reads texts from materialBodies; a restored unsent material brings its own.
        await db.materialBodies.bulkPut((puts as MaterialRow[]).filter(row => typeof row.body === 'string').map(row => ({ id: row.id, updatedAt: row.updatedAt, body: row.body! })))
      }
      await db.outbox.bulkPut(enqueue)
      await db.outbox.bulkDelete(dequeue)
    }
  })
  return result
}

/**
 * Imports a JSON backup's text into the signed-in member's records (see `mergeBackup`). Throws
 * `BackupFormatError` for a file that is not a backup, and `BackupMemberError`
 * (这是另一位党员的备份) for another member's backup.
 */
export async function importBackup(text: string): Promise<ImportResult> {
  const lang = await locale()
  const session = await loadSession()
  if (!session)
    throw new BackupNeedsSessionError()
  const backup = parseBackup(text, lang)
  if (backup.member.id !== session.member.id)
    throw new BackupMemberError(lang)
  return mergeBackup(backup, session.member.id)
}
