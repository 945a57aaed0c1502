/**
 * The sync engine: one pass pushes the outbox in batches and pulls until the server has nothing
 * newer. Kept in IndexedDB (see `@/app/db`): records with their sync state and `base` (the last
 * server copy), the outbox with a version per record, and the pull cursor in `meta`.
 * The transport is injected; the app passes the API client.
 */
import type { AnyRecordRow, OutboxEntry, RecordBase, RecordRowByTable } from '@/app/db/database'
import type { MemberTable } from '@/domain/records'
import type { SyncChangeIn, SyncChangeOut, SyncRequest, SyncResponse, SyncResult } from '@/domain/wire'
import { db, outboxKey } from '@/app/db/database'
import { getClientId, getCursor } from '@/app/db/meta'
import { baseOfRow, isRecordTable, recordData, rowExtras, slimBase, slimSyncedRow } from '@/app/db/tables'
import { MEMBER_TABLES } from '@/domain/records'
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
  /** Changes the server failed on (5xx) alone: kept queued with the error, the others synced. */
  held: number
  pulled: number
  requests: number
}

export interface SyncPassOptions {
  /** The member whose data this pass may write; the pass stops if the device signs out meanwhile. */
  memberId: string
  batchLimit?: number
  now?: () => number
  /**
   * Called when the pass knows it will store several batches (a push or a pull of more than one
   * request), before their commits; the pass calls the release it returns when it ends. The app
   * holds its live queries meanwhile (`holdLiveQueries`), so the lists read again once a second,
   * not after each batch.
   */
  hold?: () => () => void
}

/** Thrown when the signed-in member changed during a pass: nothing more is written for the old one. */
export class SessionChangedError extends Error {
  constructor() {
    super('The signed-in member changed during sync')
    this.name = 'SessionChangedError'
  }
}

/**
 * Thrown when the server answers for another member than the pass's: a secretary merged this
 * device's member into `memberId` (合并到…). Nothing of the answer is stored; the session takes
 * the member first (`adoptMergedMember`), then a pass as them pushes and pulls again.
 */
export class MemberMergedError extends Error {
  constructor(readonly memberId: string) {
    super('This device\'s member was merged into another member')
    this.name = 'MemberMergedError'
  }
}

function assertSameMember(ctx: { memberId: string }, response: SyncResponse): void {
  if (response.memberId && response.memberId !== ctx.memberId)
    throw new MemberMergedError(response.memberId)
}

type AnyBase = RecordBase<MemberTable>

/** One record as it was pushed, with the outbox version and the row it was read at. */
interface SentChange {
  entry: OutboxEntry
  change: SyncChangeIn
  base: AnyBase
  /** The row the change was built from; settling reuses it while nothing can have changed it. */
  row: AnyRecordRow
  /** The pass's clock when the row was read (see `PassContext.pulledAt`). */
  readAt: number
}

/** The change to push for a record, built from its current row. */
export function changeOf<T extends MemberTable>(table: T, row: RecordRowByTable[T]): SyncChangeIn<T> {
  if (row.deleted)
    return { table, id: row.id, updatedAt: row.updatedAt, deleted: true }
  return { table, id: row.id, updatedAt: row.updatedAt, data: recordData(table, row) }
}

/**
 * Bytes a push body may use: well under the server's 1 MiB limit, leaving room for the envelope.
 * 500 check-ins with long Chinese notes (3 bytes a character), or three 100,000-character
 * materials, would pass 1 MiB, and a 413 would never clear.
 */
export const PUSH_BYTE_BUDGET = Math.min(900 * 1024, BODY_LIMIT_BYTES - 16 * 1024)

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

/**
 * The local row for a server row, or null for a tombstone (the row is then removed). Server-only
 * fields the table keeps (a problem's status, reporter, branch) come along.
 */
export function rowFromServer(change: SyncChangeOut): AnyRecordRow | null {
  if (change.deleted || !isRecordTable(change.table))
    return null
  const table = change.table
  const server = change.data as unknown as Record<string, unknown> & { memberId: string }
  const fields = recordData(table, server)
  return {
    ...fields,
    ...rowExtras(table, fields, server),
    id: change.id,
    memberId: server.memberId,
    updatedAt: change.updatedAt,
    deleted: false,
    sync: 'synced',
    base: { updatedAt: change.updatedAt, deleted: false, data: fields },
  } as AnyRecordRow
}

async function assertSession(memberId: string): Promise<void> {
  const session = await db.session.get('current')
  if (session?.member.id !== memberId)
    throw new SessionChangedError()
}

/** Writes to one table gathered while settling, applied with one bulk request each. */
class TableWrites {
  private readonly puts = new Map<MemberTable, Map<string, AnyRecordRow>>()
  private readonly deletes = new Map<MemberTable, Set<string>>()

  put(table: MemberTable, row: AnyRecordRow): void {
    this.deletes.get(table)?.delete(row.id)
    const rows = this.puts.get(table) ?? new Map<string, AnyRecordRow>()
    rows.set(row.id, row)
    this.puts.set(table, rows)
  }

  delete(table: MemberTable, id: string): void {
    this.puts.get(table)?.delete(id)
    const ids = this.deletes.get(table) ?? new Set<string>()
    ids.add(id)
    this.deletes.set(table, ids)
  }

  async flush(): Promise<void> {
    for (const table of MEMBER_TABLES) {
      const rows = this.puts.get(table)
      if (rows?.size)
        await db.records(table).bulkPut([...rows.values()] as never[])
      const ids = this.deletes.get(table)
      if (ids?.size)
        await db.records(table).bulkDelete([...ids])
    }
  }
}

/** Reads the local rows of `keys` (`[table, id]`) with one bulk read per table. */
async function readRows(keys: readonly { table: MemberTable, id: string }[]): Promise<(AnyRecordRow | undefined)[]> {
  const out: (AnyRecordRow | undefined)[] = Array.from({ length: keys.length })
  for (const table of MEMBER_TABLES) {
    const positions: number[] = []
    keys.forEach((key, i) => {
      if (key.table === table)
        positions.push(i)
    })
    if (positions.length === 0)
      continue
    const rows = await db.records(table).bulkGet(positions.map(i => keys[i]!.id))
    positions.forEach((position, i) => {
      out[position] = rows[i] as AnyRecordRow | undefined
    })
  }
  return out
}

/** Stores one page of pulled rows with bulk reads and writes; runs inside the caller's rw transaction. */
async function storePulledRows(ctx: PassContext, changes: readonly SyncChangeOut[]): Promise<number> {
  // A page lists a row once, but keep only the last copy should it repeat.
  const latest = new Map<string, SyncChangeOut & { table: MemberTable }>()
  for (const change of changes) {
    if (isRecordTable(change.table))
      latest.set(outboxKey(change.table, change.id), change)
  }
  const pulled = [...latest.values()]
  const locals = await readRows(pulled)
  const queued = await db.outbox.bulkGet(pulled.map(change => outboxKey(change.table, change.id)))
  const writes = new TableWrites()
  pulled.forEach((change, i) => {
    // A queued record's row read before this write is out of date: its settle reads it again.
    ctx.pulledAt.set(outboxKey(change.table, change.id), ++ctx.clock)
    const local = locals[i]
    // A pending local edit still wins on this device until the server judges it; so does a refused
    // edit newer than the server's copy, so the member can still read the message and fix it.
    const keepLocal = queued[i] !== undefined || (local?.sync === 'rejected' && local.updatedAt > change.updatedAt)
    const row = rowFromServer(change)
    if (keepLocal) {
      if (local) {
        const base = row?.base ?? { updatedAt: change.updatedAt, deleted: true, data: recordData(change.table, local) }
        writes.put(change.table, { ...local, base } as AnyRecordRow)
      }
      return
    }
    if (row)
      writes.put(change.table, row)
    else
      writes.delete(change.table, change.id)
  })
  await writes.flush()
  return changes.length - changes.filter(change => !isRecordTable(change.table)).length
}

/** The local row that a last server copy stands for (server-only fields such as a status are kept). */
function rowFromBase(table: MemberTable, local: AnyRecordRow, base: AnyBase): AnyRecordRow {
  return {
    ...base.data,
    ...rowExtras(table, base.data, local),
    id: local.id,
    memberId: local.memberId,
    updatedAt: base.updatedAt,
    deleted: base.deleted,
    sync: 'synced',
    base,
  } as AnyRecordRow
}

/**
 * Settles one push result against the current outbox entry and row, recording the writes.
 * Returns true when the pull cursor must go back to the start (a `stale` record with no known
 * server copy).
 */
function settleResult(sent: SentChange, result: SyncResult, current: OutboxEntry | undefined, local: AnyRecordRow | undefined, writes: TableWrites, outboxDone: string[]): boolean {
  const { entry, base } = sent
  const table = entry.table
  // Edited while the push was in flight: the newer edit stays queued and is pushed next time.
  const unchanged = current?.version === entry.version
  if (result.status === 'applied') {
    if (unchanged) {
      outboxDone.push(entry.key)
      if (local && base.deleted) {
        writes.delete(table, entry.id)
      }
      else if (local) {
        const row = slimSyncedRow(table, { ...local, sync: 'synced', base } as AnyRecordRow)
        delete row.rejection
        writes.put(table, row)
      }
    }
    else if (local) {
      writes.put(table, { ...local, base: slimBase(table, base) } as AnyRecordRow)
    }
    return false
  }
  if (!unchanged)
    return false
  outboxDone.push(entry.key)
  if (result.status === 'rejected') {
    if (!local)
      return false
    const rejection = result.error ?? { code: 'validation_failed' as const, message: 'rejected' }
    // A refused delete brings back the server's copy so the member sees what stayed and why.
    const shown = local.deleted && local.base && !local.base.deleted ? rowFromBase(table, local, local.base) : local
    writes.put(table, { ...shown, sync: 'rejected', rejection } as AnyRecordRow)
    return false
  }
  // stale: the server's copy wins.
  if (local?.base) {
    if (local.base.deleted)
      writes.delete(table, entry.id)
    else
      writes.put(table, rowFromBase(table, local, local.base))
    return false
  }
  if (local)
    writes.put(table, { ...local, sync: 'synced' } as AnyRecordRow)
  return true
}

/**
 * The current outbox entries of `sent`, by key, with one read of the `queuedAt` range they span (an
 * edit keeps an entry's `queuedAt`; a missing entry reads as edited, so nothing is settled for it).
 * A bulkGet would be one IndexedDB request per entry.
 */
async function currentEntries(sent: readonly SentChange[]): Promise<Map<string, OutboxEntry>> {
  let low = Infinity
  let high = -Infinity
  for (const s of sent) {
    low = Math.min(low, s.entry.queuedAt)
    high = Math.max(high, s.entry.queuedAt)
  }
  const wanted = new Set(sent.map(s => s.entry.key))
  const entries = await db.outbox.where('queuedAt').between(low, high, true, true).toArray()
  return new Map(entries.filter(entry => wanted.has(entry.key)).map(entry => [entry.key, entry]))
}

/**
 * Settles a response's push results with one read of the outbox range and one bulk write per table.
 * A row is read again only when it may differ from the one pushed: its entry moved on (an edit), a
 * pull wrote it since, or the result needs more than the pushed row (stale, rejected). Every local
 * write of a queued row bumps its outbox version or removes the entry in the same transaction
 * (db/records.ts, backup.ts, materials.ts) and this engine's own writes are counted in `pulledAt`,
 * so an applied result whose entry is unchanged settles from the pushed row itself.
 */
async function settleResults(ctx: PassContext, sent: readonly SentChange[], results: readonly SyncResult[], summary: SyncPassSummary): Promise<boolean> {
  const byKey = new Map(sent.map(s => [s.entry.key, s]))
  const matched: { sent: SentChange, result: SyncResult }[] = []
  for (const result of results) {
    const match = byKey.get(`${result.table}:${result.id}`)
    if (match)
      matched.push({ sent: match, result })
  }
  if (matched.length === 0)
    return false
  const current = await currentEntries(matched.map(m => m.sent))
  const entries = matched.map(m => current.get(m.sent.entry.key))
  const stale = matched.flatMap(({ sent: s, result }, i) =>
    result.status !== 'applied' || entries[i]?.version !== s.entry.version || (ctx.pulledAt.get(s.entry.key) ?? 0) > s.readAt ? [i] : [])
  const reread = await readRows(stale.map(i => matched[i]!.sent.entry))
  const locals: (AnyRecordRow | undefined)[] = matched.map(m => m.sent.row)
  stale.forEach((position, i) => {
    locals[position] = reread[i]
  })
  const writes = new TableWrites()
  const outboxDone: string[] = []
  let resetCursor = false
  matched.forEach(({ sent: s, result }, i) => {
    summary[result.status]++
    if (settleResult(s, result, entries[i], locals[i], writes, outboxDone))
      resetCursor = true
  })
  await writes.flush()
  await db.outbox.bulkDelete(outboxDone)
  return resetCursor
}

/** Every table a response may write, for its one transaction. */
function responseTables() {
  return [db.session, db.meta, db.outbox, ...MEMBER_TABLES.map(table => db.records(table))]
}

/** Applies a sync response: the pulled page, then the push results, then the cursor, atomically. */
async function applyResponse(ctx: PassContext, response: SyncResponse, sent: readonly SentChange[]): Promise<boolean> {
  const { memberId, summary } = ctx
  return db.transaction('rw', responseTables(), async () => {
    await assertSession(memberId)
    summary.pulled += await storePulledRows(ctx, response.changes)
    const resetCursor = await settleResults(ctx, sent, response.results, summary)
    await db.meta.put({ key: 'cursor', value: resetCursor ? null : response.cursor })
    return resetCursor
  })
}

/** Queued records read as changes, from their rows as they are now, and entries without a record. */
interface ReadBatch { sent: SentChange[], orphans: string[] }

/** Builds the changes of `entries` from their current rows (one bulk read per table); runs in a transaction. */
async function changesOf(entries: readonly OutboxEntry[], readAt: number): Promise<ReadBatch> {
  const sent: SentChange[] = []
  const known = entries.filter(entry => isRecordTable(entry.table))
  const orphans = entries.filter(entry => !isRecordTable(entry.table)).map(entry => entry.key)
  const rows = await readRows(known)
  known.forEach((entry, i) => {
    const row = rows[i]
    if (row)
      sent.push({ entry, change: changeOf(entry.table, row), base: baseOfRow(entry.table, row), row, readAt })
    else
      orphans.push(entry.key)
  })
  return { sent, orphans }
}

function readTables() {
  return [db.outbox, ...MEMBER_TABLES.map(table => db.records(table))]
}

/** Reads the queued records of `keys` as changes. */
async function readBatch(ctx: PassContext, keys: readonly string[]): Promise<ReadBatch> {
  const readAt = ++ctx.clock
  return db.transaction('r', readTables(), async () => {
    const entries = (await db.outbox.bulkGet([...keys])).filter((entry): entry is OutboxEntry => entry !== undefined)
    return changesOf(entries, readAt)
  })
}

/**
 * Where a push's walk over the outbox stands, in `queuedAt` order (ties by key, as the index keeps
 * them): the last `queuedAt` taken and the keys taken at it, so the next read starts there.
 */
interface OutboxWalk {
  queuedAt: number
  taken: Set<string>
  /** The newest `queuedAt` when the pass began: a pass pushes what was queued then. */
  until: number
  done: boolean
}

/**
 * The next `limit` fresh queued records from `walk` by the `queuedAt` index (one range read, not a
 * request per entry), as changes; those the server failed on last time are set aside in `held`.
 */
async function readNextBatch(ctx: PassContext, walk: OutboxWalk, limit: number, held: OutboxEntry[]): Promise<ReadBatch> {
  const readAt = ++ctx.clock
  return db.transaction('r', readTables(), async () => {
    const fresh: OutboxEntry[] = []
    while (fresh.length === 0 && !walk.done) {
      const skip = walk.taken.size
      const entries = (await db.outbox.where('queuedAt').between(walk.queuedAt, walk.until, true, true).limit(limit + skip).toArray())
        .filter(entry => !walk.taken.has(entry.key))
      if (entries.length < limit)
        walk.done = true
      for (const entry of entries.slice(0, limit)) {
        if (entry.queuedAt !== walk.queuedAt) {
          walk.queuedAt = entry.queuedAt
          walk.taken = new Set()
        }
        walk.taken.add(entry.key)
        if (entry.serverError)
          held.push(entry)
        else
          fresh.push(entry)
      }
    }
    return changesOf(fresh, readAt)
  })
}

/** How a pass reaches the server, for whom, and in which batch size. */
interface PassContext {
  transport: SyncTransport
  memberId: string
  clientId: string
  summary: SyncPassSummary
  now: () => number
  /** Counts reads and pull writes within the pass, so a settle knows which rows it read before a pull wrote them. */
  clock: number
  /** When a pull last wrote each record (`table:id`), by `clock`. */
  pulledAt: Map<string, number>
  /**
   * The answers received and not yet stored, one after the other: each push's answer is stored
   * (`applyResponse`) while the next request is on the wire. Rejects once one of them failed.
   */
  settling: Promise<void>
  /** Why a settle failed: no further request is sent, and the pass throws it. */
  settleError?: unknown
  /**
   * The cursor the next request sends, when an answer not yet stored decided it: its own cursor,
   * since no result of it is `stale` (only a stale result can take the cursor back to the start).
   * Undefined: the next request waits for the settles and reads the stored cursor.
   */
  aheadCursor?: string | null
  /** The last stored answer said the server holds more, or a settle took the cursor back, or a change was held: a pull must follow. */
  needPull: boolean
  /** See `SyncPassOptions.hold`; `release` is set while the pass holds. */
  hold?: () => () => void
  release?: () => void
}

function emptySummary(): SyncPassSummary {
  return { pushed: 0, applied: 0, stale: 0, rejected: 0, held: 0, pulled: 0, requests: 0 }
}

async function passContext(transport: SyncTransport, memberId: string, now: () => number = Date.now, hold?: () => () => void): Promise<PassContext> {
  await assertSession(memberId)
  return { transport, memberId, clientId: await getClientId(), summary: emptySummary(), now, clock: 0, pulledAt: new Map(), settling: Promise.resolve(), needPull: false, hold }
}

/** Several batches will be stored: hold the app's live queries until the pass ends (once per pass). */
function holdForBatches(ctx: PassContext): void {
  if (ctx.hold && !ctx.release)
    ctx.release = ctx.hold()
}

/** Runs a pass's work and releases the live-query hold it took, however it ends. */
async function releasing<R>(ctx: PassContext, work: () => Promise<R>): Promise<R> {
  try {
    return await work()
  }
  finally {
    ctx.release?.()
    ctx.release = undefined
  }
}

/**
 * Pushes what is queued now, oldest first, at most `batchLimit` changes per request, each built
 * from the record's current row. Returns whether a pull must follow (more rows wait on the server,
 * or the cursor went back to the start).
 */
async function push(ctx: PassContext, batchLimit: number): Promise<boolean> {
  const newest = await db.outbox.orderBy('queuedAt').last()
  if (!newest)
    return true
  ctx.aheadCursor = await getCursor()
  ctx.needPull = true
  try {
    await pushQueued(ctx, batchLimit, newest.queuedAt)
  }
  catch (error) {
    // Whatever failed, the answers already received are stored (or fail) before the pass ends:
    // no settle of this pass runs after it, beside the next pass or a sign-out.
    await ctx.settling.catch(() => {})
    throw error
  }
  await settled(ctx)
  return ctx.needPull
}

/** The body of `push`: the outbox up to `until` (`queuedAt`), in batches, then the held changes one by one. */
async function pushQueued(ctx: PassContext, batchLimit: number, until: number): Promise<void> {
  const walk: OutboxWalk = { queuedAt: -Infinity, taken: new Set(), until, done: false }
  // A record the server failed on last time goes last and alone, so it costs the others nothing.
  const held: OutboxEntry[] = []
  const requests = (read: ReadBatch) => sizedBatches(read.sent, s => encoder.encode(JSON.stringify(s.change)).length, batchLimit)
  let next: Promise<ReadBatch> | undefined = readNextBatch(ctx, walk, batchLimit, held)
  while (next) {
    const read = await next
    next = undefined
    if (read.orphans.length > 0)
      await db.outbox.bulkDelete(read.orphans)
    const pending = requests(read)
    if (!walk.done || pending.length > 1)
      holdForBatches(ctx)
    for (const [i, sent] of pending.entries()) {
      // While the last request of this batch is on the wire, the next batch is read: its records
      // are others than these, and its settle reads again any row a pull writes meanwhile.
      const prefetch = i === pending.length - 1 && !walk.done
      await pushIsolating(ctx, sent, prefetch
        ? () => {
            next = readNextBatch(ctx, walk, batchLimit, held)
            next.catch(() => {})
          }
        : undefined)
    }
    if (!next && !walk.done)
      next = readNextBatch(ctx, walk, batchLimit, held)
  }
  for (const entry of held) {
    const read = await readBatch(ctx, [entry.key])
    if (read.orphans.length > 0)
      await db.outbox.bulkDelete(read.orphans)
    for (const sent of requests(read))
      await pushIsolating(ctx, sent)
  }
}

/** A server fault (5xx), as opposed to no answer (status 0) or a refusal of the request (4xx). */
function isServerFault(error: unknown): error is Error & { status: number, code?: string } {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' && status >= 500
}

/**
 * Pushes a batch; on a server fault, finds the change(s) behind it by halving the batch, so one
 * record the server cannot take never blocks the rest of the outbox. A pure pull first tells a
 * faulty change from a server that is down: if that fails too, the pass fails as before (and the
 * runner backs off). The change isolated alone stays queued with the error.
 */
async function pushIsolating(ctx: PassContext, sent: SentChange[], onSent?: () => void): Promise<void> {
  try {
    await pushBatch(ctx, sent, onSent)
  }
  catch (error) {
    if (!isServerFault(error))
      throw error
    return isolate(ctx, sent, error)
  }
}

/** After a server fault on `sent`: a pull tells a faulty change from a server that is down, then halves. */
async function isolate(ctx: PassContext, sent: SentChange[], error: Error & { status: number, code?: string }): Promise<void> {
  await pullPage(ctx)
  if (sent.length === 1) {
    await holdChange(ctx, sent[0]!, error)
    ctx.needPull = true
    return
  }
  const half = Math.ceil(sent.length / 2)
  await pushIsolating(ctx, sent.slice(0, half))
  await pushIsolating(ctx, sent.slice(half))
}

/** Keeps a change the server failed on queued, with the error, unless it was edited meanwhile. */
async function holdChange(ctx: PassContext, sent: SentChange, error: Error & { code?: string }): Promise<void> {
  ctx.summary.held++
  await db.transaction('rw', db.session, db.outbox, async () => {
    await assertSession(ctx.memberId)
    const current = await db.outbox.get(sent.entry.key)
    if (current?.version === sent.entry.version)
      await db.outbox.put({ ...current, serverError: { code: error.code ?? 'server_error', message: error.message, at: ctx.now() } })
  })
}

/** Waits for every answer received to be stored; throws what a settle failed with. */
async function settled(ctx: PassContext): Promise<void> {
  await ctx.settling
}

/**
 * The cursor a push sends: the last answer's when it is known already (see `aheadCursor`), else
 * the stored one once every answer is stored. Throws when a settle failed, so nothing more is sent.
 */
async function pushCursor(ctx: PassContext): Promise<string | null> {
  if (ctx.settleError !== undefined)
    throw ctx.settleError
  if (ctx.aheadCursor !== undefined)
    return ctx.aheadCursor
  await settled(ctx)
  return getCursor()
}

/**
 * Sends one request of changes and queues its answer to be stored after the previous ones (see
 * `settling`): the next request goes out while this one is stored. Its cursor is this answer's,
 * which the server computed after this push, so nothing is skipped; should this settle fail, the
 * later answers are not stored either (their records stay queued and are pushed again, which the
 * server answers as replays) and the cursor stays where the last stored answer left it.
 */
async function pushBatch(ctx: PassContext, sent: SentChange[], onSent?: () => void): Promise<void> {
  // omitApplied: the server does not send back the rows it applied; settling them needs only
  // their results (the row's `base` is what was sent), so a 500-change push is not answered twice.
  const answer = ctx.transport.sync({ clientId: ctx.clientId, cursor: await pushCursor(ctx), changes: sent.map(s => s.change), omitApplied: true })
  onSent?.()
  const response = await answer
  assertSameMember(ctx, response)
  ctx.summary.requests++
  ctx.summary.pushed += sent.length
  ctx.aheadCursor = response.results.some(result => result.status === 'stale') ? undefined : response.cursor
  ctx.settling = ctx.settling.then(async () => {
    const resetCursor = await applyResponse(ctx, response, sent)
    ctx.needPull = response.hasMore || resetCursor
  })
  ctx.settling.catch((error: unknown) => {
    ctx.settleError ??= error
  })
}

/** Pulls one page from the stored cursor and stores it with its cursor; returns `hasMore`. */
async function pullPage(ctx: PassContext): Promise<boolean> {
  await settled(ctx)
  ctx.aheadCursor = undefined
  const response = await ctx.transport.sync({ clientId: ctx.clientId, cursor: await getCursor(), changes: [] })
  assertSameMember(ctx, response)
  ctx.summary.requests++
  await applyResponse(ctx, response, [])
  return response.hasMore
}

/** Pulls pages from the stored cursor until `hasMore` is false; each page and its cursor are stored together. */
async function pull(ctx: PassContext): Promise<void> {
  let hasMore = await pullPage(ctx)
  while (hasMore) {
    holdForBatches(ctx)
    hasMore = await pullPage(ctx)
  }
}

/**
 * Pull only: brings the server's rows newer than the stored cursor. A record with a queued local
 * edit keeps the edit; the server's row becomes its `base`.
 */
export async function pullChanges(transport: SyncTransport, options: SyncPassOptions): Promise<SyncPassSummary> {
  const ctx = await passContext(transport, options.memberId, Date.now, options.hold)
  await releasing(ctx, () => pull(ctx))
  return ctx.summary
}

/**
 * One sync pass: pushes what was queued when it started (oldest first, at most `batchLimit` per
 * request), then pulls pages until `hasMore` is false, storing each page with its cursor in one
 * transaction. Throws the transport's error; whatever was settled before stays settled.
 */
export async function runSyncPass(transport: SyncTransport, options: SyncPassOptions): Promise<SyncPassSummary> {
  const { memberId, batchLimit = SYNC_BATCH_LIMIT, now = Date.now } = options
  const ctx = await passContext(transport, memberId, now, options.hold)
  await releasing(ctx, async () => {
    if (await push(ctx, batchLimit))
      await pull(ctx)
  })
  await db.transaction('rw', db.session, db.meta, async () => {
    await assertSession(memberId)
    await db.meta.put({ key: 'lastSyncedAt', value: now() })
  })
  return ctx.summary
}
