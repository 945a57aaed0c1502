/**
 * The sync engine: one pass pushes the outbox in batches and pulls until the server has nothing
 * newer. Kept in IndexedDB (see `@/app/db`): records with their sync state and `base` (the last
 * server copy), the outbox with a version per record, and the pull cursor in `meta`.
 * The transport is injected; the app passes the API client.
 */
import type { OutboxEntry, StudyCheckinBase, StudyCheckinRow } from '@/app/db/database'
import type { StudyCheckinData } from '@/domain/records'
import type { SyncChangeIn, SyncChangeOut, SyncRequest, SyncResponse, SyncResult } from '@/domain/wire'
import { db, outboxKey } from '@/app/db/database'
import { getClientId, getCursor } from '@/app/db/meta'
import { baseOf, studyCheckinData } from '@/app/db/studyCheckins'
import { weekKey } from '@/domain/week'
import { BODY_LIMIT_BYTES, SYNC_BATCH_LIMIT } from '@/domain/wire'

/** What carries a sync request to the server (the API client in the app). */
export interface SyncTransport {
  sync: (req: SyncRequest) => Promise<SyncResponse>
}

/** Counts of one sync pass, for status and tests. */
export interface SyncPassSummary {
  pushed: number
  applied: number
  stale: number
  rejected: number
  pulled: number
  requests: number
}

export interface SyncPassOptions {
  /** The member whose data this pass may write; the pass stops if the device signs out meanwhile. */
  memberId: string
  batchLimit?: number
  now?: () => number
}

/** Thrown when the signed-in member changed during a pass: nothing more is written for the old one. */
export class SessionChangedError extends Error {
  constructor() {
    super('The signed-in member changed during sync')
    this.name = 'SessionChangedError'
  }
}

/** One record as it was pushed, with the outbox version it was read at. */
interface SentChange {
  entry: OutboxEntry
  change: SyncChangeIn<'studyCheckins'>
  base: StudyCheckinBase
}

/** The change to push for a record, built from its current row. */
export function changeOf(row: StudyCheckinRow): SyncChangeIn<'studyCheckins'> {
  if (row.deleted)
    return { table: 'studyCheckins', id: row.id, updatedAt: row.updatedAt, deleted: true }
  return { table: 'studyCheckins', id: row.id, updatedAt: row.updatedAt, data: studyCheckinData(row) }
}

/**
 * Bytes a push body may use: the server's 1 MiB limit less room for the envelope. 500 check-ins
 * with long Chinese notes (3 bytes a character) would pass 1 MiB, and a 413 would never clear.
 */
export const PUSH_BYTE_BUDGET = BODY_LIMIT_BYTES - 16 * 1024

const encoder = new TextEncoder()

/** Splits changes into consecutive requests of at most `maxCount` changes and `maxBytes` of JSON. */
export function sizedBatches<T>(changes: readonly T[], sizeOf: (change: T) => number, maxCount: number = SYNC_BATCH_LIMIT, maxBytes: number = PUSH_BYTE_BUDGET): T[][] {
  const out: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const change of changes) {
    const size = sizeOf(change) + 1
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(change)
    bytes += size
  }
  if (current.length > 0)
    out.push(current)
  return out
}

/** Splits a list into consecutive batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number = SYNC_BATCH_LIMIT): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size))
  return out
}

/** The local row for a server row, or null for a tombstone (the row is then removed). */
export function rowFromServer(change: SyncChangeOut): StudyCheckinRow | null {
  if (change.deleted || !('date' in change.data))
    return null
  const data = change.data as StudyCheckinData & { memberId: string, week?: string }
  const fields = studyCheckinData(data)
  return {
    ...fields,
    id: change.id,
    memberId: data.memberId,
    week: data.week ?? weekKey(fields.date),
    updatedAt: change.updatedAt,
    deleted: false,
    sync: 'synced',
    base: { updatedAt: change.updatedAt, deleted: false, data: fields },
  }
}

function baseFromServer(change: SyncChangeOut): StudyCheckinBase | undefined {
  const row = rowFromServer(change)
  if (row)
    return row.base
  // A server tombstone may come without fields; keep the local fields so the type holds.
  return undefined
}

async function assertSession(memberId: string): Promise<void> {
  const session = await db.session.get('current')
  if (session?.member.id !== memberId)
    throw new SessionChangedError()
}

/** Stores one page of pulled rows; runs inside the caller's rw transaction. */
async function storePulledRows(changes: readonly SyncChangeOut[]): Promise<number> {
  let stored = 0
  for (const change of changes) {
    if (change.table !== 'studyCheckins')
      continue
    stored++
    const local = await db.studyCheckins.get(change.id)
    const queued = await db.outbox.get(outboxKey('studyCheckins', change.id))
    // A pending local edit still wins on this device until the server judges it; so does a refused
    // edit newer than the server's copy, so the member can still read the message and fix it.
    const keepLocal = queued !== undefined || (local?.sync === 'rejected' && local.updatedAt > change.updatedAt)
    if (keepLocal) {
      if (local) {
        const base = baseFromServer(change) ?? { updatedAt: change.updatedAt, deleted: true, data: studyCheckinData(local) }
        await db.studyCheckins.put({ ...local, base })
      }
      continue
    }
    const row = rowFromServer(change)
    if (row)
      await db.studyCheckins.put(row)
    else
      await db.studyCheckins.delete(change.id)
  }
  return stored
}

/** The local row that a last server copy stands for. */
function rowFromBase(local: StudyCheckinRow, base: StudyCheckinBase): StudyCheckinRow {
  return {
    ...base.data,
    id: local.id,
    memberId: local.memberId,
    week: weekKey(base.data.date),
    updatedAt: base.updatedAt,
    deleted: base.deleted,
    sync: 'synced',
    base,
  }
}

/**
 * Settles one push result; runs inside the caller's rw transaction. Returns true when the pull
 * cursor must go back to the start (a `stale` record with no known server copy).
 */
async function settleResult(sent: SentChange, result: SyncResult): Promise<boolean> {
  const { entry, base } = sent
  const current = await db.outbox.get(entry.key)
  // Edited while the push was in flight: the newer edit stays queued and is pushed next time.
  const unchanged = current?.version === entry.version
  const local = await db.studyCheckins.get(entry.id)
  if (result.status === 'applied') {
    if (unchanged) {
      await db.outbox.delete(entry.key)
      if (local && base.deleted) {
        await db.studyCheckins.delete(entry.id)
      }
      else if (local) {
        const row: StudyCheckinRow = { ...local, sync: 'synced', base }
        delete row.rejection
        await db.studyCheckins.put(row)
      }
    }
    else if (local) {
      await db.studyCheckins.put({ ...local, base })
    }
    return false
  }
  if (!unchanged)
    return false
  await db.outbox.delete(entry.key)
  if (result.status === 'rejected') {
    if (!local)
      return false
    const rejection = result.error ?? { code: 'validation_failed' as const, message: 'rejected' }
    // A refused delete brings back the server's copy so the member sees what stayed and why.
    const shown = local.deleted && local.base && !local.base.deleted ? rowFromBase(local, local.base) : local
    await db.studyCheckins.put({ ...shown, sync: 'rejected', rejection })
    return false
  }
  // stale: the server's copy wins.
  if (local?.base) {
    if (local.base.deleted)
      await db.studyCheckins.delete(entry.id)
    else
      await db.studyCheckins.put(rowFromBase(local, local.base))
    return false
  }
  if (local)
    await db.studyCheckins.put({ ...local, sync: 'synced' })
  return true
}

/** Applies a sync response: the pulled page, then the push results, then the cursor, atomically. */
async function applyResponse(memberId: string, response: SyncResponse, sent: readonly SentChange[], summary: SyncPassSummary): Promise<boolean> {
  return db.transaction('rw', [db.session, db.meta, db.outbox, db.studyCheckins], async () => {
    await assertSession(memberId)
    summary.pulled += await storePulledRows(response.changes)
    const byKey = new Map(sent.map(s => [outboxKey(s.change.table, s.change.id), s]))
    let resetCursor = false
    for (const result of response.results) {
      const match = byKey.get(`${result.table}:${result.id}`)
      if (!match)
        continue
      summary[result.status]++
      if (await settleResult(match, result))
        resetCursor = true
    }
    await db.meta.put({ key: 'cursor', value: resetCursor ? null : response.cursor })
    return resetCursor
  })
}

/** Reads one batch of queued records as changes, from the rows as they are now. */
async function readBatch(keys: readonly string[]): Promise<{ sent: SentChange[], orphans: string[] }> {
  return db.transaction('r', db.outbox, db.studyCheckins, async () => {
    const sent: SentChange[] = []
    const orphans: string[] = []
    const entries = (await db.outbox.bulkGet([...keys])).filter((entry): entry is OutboxEntry => entry !== undefined)
    const rows = await db.studyCheckins.bulkGet(entries.map(entry => entry.id))
    entries.forEach((entry, i) => {
      const row = entry.table === 'studyCheckins' ? rows[i] : undefined
      if (row)
        sent.push({ entry, change: changeOf(row), base: baseOf(row) })
      else
        orphans.push(entry.key)
    })
    return { sent, orphans }
  })
}

/** How a pass reaches the server, for whom, and in which batch size. */
interface PassContext {
  transport: SyncTransport
  memberId: string
  clientId: string
  summary: SyncPassSummary
}

function emptySummary(): SyncPassSummary {
  return { pushed: 0, applied: 0, stale: 0, rejected: 0, pulled: 0, requests: 0 }
}

async function passContext(transport: SyncTransport, memberId: string): Promise<PassContext> {
  await assertSession(memberId)
  return { transport, memberId, clientId: await getClientId(), summary: emptySummary() }
}

/**
 * Pushes what is queued now, oldest first, at most `batchLimit` changes per request, each built
 * from the record's current row. Returns whether a pull must follow (more rows wait on the server,
 * or the cursor went back to the start).
 */
async function push(ctx: PassContext, batchLimit: number): Promise<boolean> {
  const queued = await db.outbox.orderBy('queuedAt').primaryKeys()
  let needPull = true
  for (const keys of batches(queued, batchLimit)) {
    const { sent: read, orphans } = await readBatch(keys)
    if (orphans.length > 0)
      await db.outbox.bulkDelete(orphans)
    for (const sent of sizedBatches(read, s => encoder.encode(JSON.stringify(s.change)).length, batchLimit))
      needPull = await pushBatch(ctx, sent)
  }
  return needPull
}

/** Sends one request of changes and settles its answer; returns whether a pull must follow. */
async function pushBatch(ctx: PassContext, sent: SentChange[]): Promise<boolean> {
  const response = await ctx.transport.sync({ clientId: ctx.clientId, cursor: await getCursor(), changes: sent.map(s => s.change) })
  ctx.summary.requests++
  ctx.summary.pushed += sent.length
  const resetCursor = await applyResponse(ctx.memberId, response, sent, ctx.summary)
  return response.hasMore || resetCursor
}

/** Pulls pages from the stored cursor until `hasMore` is false; each page and its cursor are stored together. */
async function pull(ctx: PassContext): Promise<void> {
  let hasMore = true
  while (hasMore) {
    const response = await ctx.transport.sync({ clientId: ctx.clientId, cursor: await getCursor(), changes: [] })
    ctx.summary.requests++
    await applyResponse(ctx.memberId, response, [], ctx.summary)
    hasMore = response.hasMore
  }
}

/**
 * Pull only: brings the server's rows newer than the stored cursor. A record with a queued local
 * edit keeps the edit; the server's row becomes its `base`.
 */
export async function pullChanges(transport: SyncTransport, options: SyncPassOptions): Promise<SyncPassSummary> {
  const ctx = await passContext(transport, options.memberId)
  await pull(ctx)
  return ctx.summary
}

/**
 * One sync pass: pushes what was queued when it started (oldest first, at most `batchLimit` per
 * request), then pulls pages until `hasMore` is false, storing each page with its cursor in one
 * transaction. Throws the transport's error; whatever was settled before stays settled.
 */
export async function runSyncPass(transport: SyncTransport, options: SyncPassOptions): Promise<SyncPassSummary> {
  const { memberId, batchLimit = SYNC_BATCH_LIMIT, now = Date.now } = options
  const ctx = await passContext(transport, memberId)
  if (await push(ctx, batchLimit))
    await pull(ctx)
  await db.transaction('rw', db.session, db.meta, async () => {
    await assertSession(memberId)
    await db.meta.put({ key: 'lastSyncedAt', value: now() })
  })
  return ctx.summary
}
