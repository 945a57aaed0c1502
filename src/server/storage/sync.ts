import type { Kysely, Transaction } from 'kysely'
import type { MemberTable, RecordDataByTable } from '../../domain/records'
import type { Role, SyncChangeOut } from '../../domain/wire'
import type { RecordReader, RecordRepositories, RecordRepository, RecordWrite, RevRange, StoredRecordHead } from './repositories/records'
import type { Database } from './schema'
import { sql } from 'kysely'
import { MEMBER_TABLES, SECRETARY_WRITE_TABLES } from '../../domain/records'
import { sameColumns } from './repositories/records'

/**
 * The storage side of `POST /sync`: judging validated changes against stored rows and writing
 * the winners in one transaction, and reading a member's rows after a cursor.
 */

/** A change that passed validation; `data` is null on a delete. */
export interface AcceptedChange<T extends MemberTable = MemberTable> {
  table: T
  id: string
  updatedAt: number
  deleted: boolean
  data: RecordDataByTable[T] | null
}

/** `secretaryOnly`: a member (not a secretary) wrote a table only secretaries write. */
export type PushOutcome = 'applied' | 'stale' | 'forbidden' | 'secretaryOnly'

export interface RecordOwner {
  memberId: string
  branchId: string
  role: Role
}

const isSecretaryWritten = (table: MemberTable): boolean => (SECRETARY_WRITE_TABLES as readonly MemberTable[]).includes(table)

/**
 * Whose row the writer may overwrite. A secretary-written row (a material) is the branch's: any
 * secretary of its branch edits it, and it keeps its first author; every other row is its owner's.
 */
function ownerFor(table: MemberTable, stored: StoredRecordHead | undefined, writer: RecordOwner): string {
  return isSecretaryWritten(table) && stored?.branchId === writer.branchId ? stored.memberId : writer.memberId
}

/**
 * A check-in's `sessionId`, once set, is replaced only by another session id: a push without one (or
 * with null) keeps the stored link. The secretary links a member's check-in on the server (未关联活动的
 * 签到), and the member's phone may push an edit of that row before it has pulled the link, or be a v1
 * client that knows no `sessionId`; the link survives both.
 */
function keepSessionLink(change: AcceptedChange, stored: StoredRecordHead | undefined): AcceptedChange {
  if (change.table !== 'studyCheckins' || change.deleted || !change.data || !stored || stored.deleted)
    return change
  const data = change.data as RecordDataByTable['studyCheckins']
  const linked = stored.columns.session_id
  if (data.sessionId || typeof linked !== 'string')
    return change
  return { ...change, data: { ...data, sessionId: linked } }
}

/** The counter row of a branch's revisions (migration 0009); `rev` is the global one they started from. */
export const branchCounter = (branchId: string): string => `rev:${branchId}`

/**
 * Takes `n` revisions from the branch's counter and returns the first; `n = 0` only takes its
 * row lock. Revisions are per branch: every row a member reads is of its own branch, so rev order
 * is still commit order for every reader (a writer holds the row lock until it commits), and
 * writers of different branches never wait on each other. A branch with no row yet (made after
 * the migration) starts from the global counter, so every rev it gives is above any cursor.
 */
export async function takeRevisions(trx: Transaction<Database>, branchId: string, n: number): Promise<number> {
  const top = await revisionsQuery(trx, branchId, n).executeTakeFirstOrThrow()
  return Number(top.value) - n + 1
}

/**
 * The member a device's rows belong to now: `memberId` itself, or the member a merge (合并到…)
 * made it part of, with that member's role. A push or pull authenticated as a duplicate just
 * before its merge committed writes and reads as the merged member, never a member no list shows.
 */
export async function currentOwner(db: Kysely<Database>, owner: RecordOwner): Promise<RecordOwner> {
  const row = await db.selectFrom('members').select('merged_into').where('id', '=', owner.memberId).executeTakeFirst()
  if (!row?.merged_into)
    return owner
  const into = await db.selectFrom('members').select(['id', 'branch_id', 'role']).where('id', '=', row.merged_into).executeTakeFirst()
  return into ? { memberId: into.id, branchId: into.branch_id, role: into.role } : owner
}

function revisionsQuery(trx: Kysely<Database>, branchId: string, n: number) {
  return trx.insertInto('counters')
    .values({ name: branchCounter(branchId), value: sql<number>`(select c.value from counters c where c.name = 'rev') + ${n}` })
    .onConflict(oc => oc.column('name').doUpdateSet({ value: sql<number>`counters.value + ${n}` }))
    .returning('value')
}

/** A push lost a race with a writer that changed a row between judging and writing: judge again. */
class RowMovedOn extends Error {}

/** Work waiting for the next group commit, and where its result goes. */
interface QueuedWrite {
  work: (trx: Transaction<Database>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit for SQLite: pushes that arrive while a commit is on its way (better-sqlite3 blocks
 * the event loop for the fsync of synchronous=FULL) are applied together in the next transaction,
 * one savepoint each, so N pushes cost one fsync instead of N. A push is answered only after the
 * COMMIT that holds it returned: acknowledged still means on disk. A push that fails rolls back
 * its own savepoint and fails alone; a failed COMMIT fails all of its pushes.
 */
class WriteQueue {
  private waiting: QueuedWrite[] = []
  private running = false

  constructor(private readonly db: Kysely<Database>) {}

  run<R>(work: (trx: Transaction<Database>) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!this.running) {
        this.running = true
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting
      this.waiting = []
      const settle: (() => void)[] = []
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const write of group) {
            await sql`savepoint push`.execute(trx)
            try {
              const value = await write.work(trx)
              await sql`release push`.execute(trx)
              settle.push(() => write.resolve(value))
            }
            catch (error) {
              await sql`rollback to push`.execute(trx)
              await sql`release push`.execute(trx)
              settle.push(() => write.reject(error))
            }
          }
        })
        for (const done of settle)
          done()
      }
      catch (error) {
        for (const write of group)
          write.reject(error)
      }
      // Let the requests that arrived meanwhile reach the queue before the next group starts.
      await new Promise(resolve => setImmediate(resolve))
    }
    this.running = false
  }
}

/**
 * Last writer wins on `updatedAt`; a tie goes to the greater client id. The same `updatedAt` and
 * client id is a replay, a no-op answered `applied`, only when the change is `identical` to what is
 * stored (the same delete flag and data columns); any other change of that instant lost to the
 * stored one, which the client gets back as for any stale change: `applied` always means stored.
 */
export function judge(stored: Pick<StoredRecordHead, 'memberId' | 'updatedAt' | 'clientId'> | undefined, ownerId: string, updatedAt: number, clientId: string, identical: boolean): PushOutcome | 'replay' {
  if (!stored)
    return 'applied'
  if (stored.memberId !== ownerId)
    return 'forbidden'
  if (stored.updatedAt === updatedAt && stored.clientId === clientId)
    return identical ? 'replay' : 'stale'
  if (stored.updatedAt > updatedAt || (stored.updatedAt === updatedAt && stored.clientId > clientId))
    return 'stale'
  return 'applied'
}

/** What a push did: each change's outcome in request order, and the revs its applied rows took (none when nothing was written). */
export interface PushResult {
  outcomes: PushOutcome[]
  applied: RevRange | null
  /** Whose rows it wrote: the caller, or the member the caller was merged into meanwhile. */
  owner?: RecordOwner
}

/** A change judged `applied`, with the stored version it was judged against (undefined: no row). */
interface Winner {
  change: AcceptedChange
  judged: StoredRecordHead | undefined
}

export class SyncStore {
  private readonly writes: WriteQueue

  constructor(private readonly db: Kysely<Database>, private readonly records: RecordRepositories, private readonly dialect: 'sqlite' | 'postgres' = 'sqlite') {
    this.writes = new WriteQueue(db)
  }

  /**
   * Judges and applies `changes` in one transaction; outcomes keep the request's order.
   *
   * SQLite has one writer: the push joins the next group commit. On PostgreSQL the rows are read
   * and judged without any lock, then ONE statement takes the branch's revisions and writes every
   * winner, each only if its stored row is still the version judged; the counter's row lock is
   * held from that statement to COMMIT only. If another writer changed a row in between, the push
   * is judged again with the branch's counter locked first (then nobody can).
   */
  async push(owner: RecordOwner, clientId: string, changes: readonly AcceptedChange[]): Promise<PushResult> {
    if (changes.length === 0)
      return { outcomes: [], applied: null }
    if (this.dialect === 'sqlite')
      return this.writes.run(trx => this.pushIn(trx, owner, clientId, changes, true))
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(trx => this.pushIn(trx, owner, clientId, changes, attempt > 0))
      }
      catch (error) {
        // Locked first, only a row of another branch written under the same id can still move on.
        if (!(error instanceof RowMovedOn) || attempt >= 5)
          throw error
      }
    }
  }

  private async pushIn(trx: Transaction<Database>, caller: RecordOwner, clientId: string, changes: readonly AcceptedChange[], lockFirst: boolean): Promise<PushResult> {
    // Locked first, the judgement cannot go out of date: every writer of the branch's rows holds
    // this lock while it writes (and on SQLite the transaction is the only writer anyway).
    if (lockFirst)
      await takeRevisions(trx, caller.branchId, 0)
    // A merge holds the same lock: read after it (or on SQLite, inside the one writer), the owner is current.
    const owner = await currentOwner(trx, caller)

    const known = new Map<string, StoredRecordHead>()
    for (const table of MEMBER_TABLES) {
      const ids = [...new Set(changes.filter(c => c.table === table).map(c => c.id))]
      if (ids.length === 0)
        continue
      for (const [id, head] of await this.records[table].findHeads(ids, trx))
        known.set(`${table}:${id}`, head)
    }
    // The stored rows as read, before this push's own changes replace them in `known`.
    const judged = new Map(known)

    const outcomes: PushOutcome[] = []
    // A row written with a field the client did not send (a kept session link) must go back to it:
    // then no revs are reported as the push's own, so an omitApplied answer sends them all the same.
    let amended = false
    // The last applied version of each row in this push: that is the one written.
    const winners = new Map<string, Winner>()
    for (const pushed of changes) {
      const key = `${pushed.table}:${pushed.id}`
      if (isSecretaryWritten(pushed.table) && owner.role !== 'secretary') {
        outcomes.push('secretaryOnly')
        continue
      }
      const stored = known.get(key)
      const change = keepSessionLink(pushed, stored)
      const columns = (this.records[change.table] as RecordRepository).columnsOf(change.deleted, change.data)
      const identical = stored !== undefined && stored.deleted === change.deleted && sameColumns(stored.columns, columns)
      const verdict = judge(stored, ownerFor(change.table, stored, owner), change.updatedAt, clientId, identical)
      if (verdict === 'replay') {
        outcomes.push('applied')
        continue
      }
      outcomes.push(verdict)
      if (verdict !== 'applied')
        continue
      if (change !== pushed)
        amended = true
      known.set(key, { id: change.id, memberId: stored?.memberId ?? owner.memberId, branchId: owner.branchId, updatedAt: change.updatedAt, clientId, deleted: change.deleted, rev: -1, columns })
      winners.delete(key)
      winners.set(key, { change, judged: judged.get(key) })
    }
    if (winners.size === 0)
      return { outcomes, applied: null, owner }

    const n = winners.size
    const byTable = new Map<MemberTable, { writes: RecordWrite[], expected: { id: string, rev: number }[], offsets: number[] }>()
    let offset = 0
    for (const { change, judged: head } of winners.values()) {
      const entry = byTable.get(change.table) ?? { writes: [], expected: [], offsets: [] }
      entry.writes.push({ id: change.id, memberId: owner.memberId, branchId: owner.branchId, updatedAt: change.updatedAt, clientId, deleted: change.deleted, rev: 0, data: change.data })
      entry.offsets.push(offset++)
      if (head)
        entry.expected.push({ id: change.id, rev: head.rev })
      byTable.set(change.table, entry)
    }

    if (this.dialect === 'sqlite') {
      const first = await takeRevisions(trx, owner.branchId, n)
      for (const [table, entry] of byTable) {
        entry.writes.forEach((w, i) => {
          w.rev = first + entry.offsets[i]!
        })
        await (this.records[table] as RecordRepository).upsert(entry.writes, trx)
      }
      return { outcomes, applied: amended ? null : { first, last: first + n - 1 }, owner }
    }

    // PostgreSQL: the revisions and every write in one statement. Its data-modifying CTEs run
    // once each; the rows take their revs from `taken`, so the counter is locked before any row.
    const parts = [...byTable].map(([table, entry], i) => {
      const query = (this.records[table] as RecordRepository).guardedUpsert(entry.writes, sql<number>`(select value from taken) - ${n - 1}`, entry.offsets, entry.expected)
      return sql`${sql.raw(`w${i}`)} as (${query})`
    })
    const written = sql.join([...byTable.keys()].map((_, i) => sql`(select count(*) from ${sql.raw(`w${i}`)})`), sql` + `)
    const { rows } = await sql<{ top: number, written: number }>`with taken as (${revisionsQuery(trx, owner.branchId, n)}), ${sql.join(parts)} select (select value from taken) as top, ${written} as written`.execute(trx)
    const [result] = rows
    if (!result || Number(result.written) !== n)
      throw new RowMovedOn()
    // The statement waited for the counter's lock if a merge of the owner held it; its snapshot
    // is older than that merge's commit, but this next statement's is not: a merged owner is
    // judged again, locked first, as the member it became.
    if ((await currentOwner(trx, owner)).memberId !== owner.memberId)
      throw new RowMovedOn()
    const last = Number(result.top)
    return { outcomes, applied: amended ? null : { first: last - n + 1, last }, owner }
  }

  /**
   * Whether the reader has anything to pull after `afterRev` (outside `skip`, its own push), and
   * the branch's revision counter, in ONE statement (one snapshot): an up-to-date pull costs a
   * primary-key read and a few index range probes. When nothing is newer, the reader holds every
   * row up to `top`: rows with a rev up to the committed counter are all committed (each writer
   * holds the counter's lock until it commits).
   */
  async probe(reader: RecordReader, afterRev: number, skip: RevRange | null): Promise<{ top: number, newer: boolean }> {
    // A reader merged into another member (合并到…) is sent to the full pull, which reads as that member.
    const merged = sql<boolean>`exists (select 1 from members where id = ${reader.memberId} and merged_into is not null)`
    const newer = sql.join([merged, ...MEMBER_TABLES.map(table => this.records[table].newerExists(reader, afterRev, skip))], sql` or `)
    const { rows } = await sql<{ top: number | null, newer: number }>`select (select max(value) from counters where name in ('rev', ${branchCounter(reader.branchId)})) as top, case when ${newer} then 1 else 0 end as newer`.execute(this.db)
    return { top: Number(rows[0]?.top ?? 0), newer: Number(rows[0]?.newer ?? 1) === 1 }
  }

  /**
   * What a sync answer sends, read in ONE snapshot: the stored copies of `stale` rows a client at
   * `afterRev` has already been sent (the protocol promises the winning copy comes back), first,
   * then what the reader may read with rev after `afterRev`, oldest first, all within `limit`:
   * its own rows of every table and its branch's rows of the shared tables; none with a rev in
   * `skip` (the rows the caller's push just applied, when it asked not to get them back).
   * `through` is the highest rev the answer accounts for: the last row sent, or when the page is
   * complete the end of `skip`.
   *
   * The cursor becomes `through`, and rev order is commit order (every writer holds the branch
   * counter's row lock until it commits). Tables read in separate snapshots could see a row of one
   * table committed after another table was read, with a higher rev than a row of that other
   * table committed in between: that row would then sit behind the cursor for good. One
   * REPEATABLE READ transaction is one snapshot on PostgreSQL; SQLite ignores the isolation
   * settings, and its transaction is one snapshot (and one connection) already.
   */
  async pull(caller: RecordReader, afterRev: number, limit: number, stale: readonly { table: MemberTable, id: string }[] = [], skip: RevRange | null = null): Promise<{ resent: SyncChangeOut[], changes: SyncChangeOut[], hasMore: boolean, through: number, memberId: string }> {
    return this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
      // In the same snapshot as the rows: either the duplicate's rows before a merge, or the
      // merged member's after it; never a page of neither whose cursor would pass the moved rows.
      const reader: RecordReader = await currentOwner(trx, { ...caller, role: 'member' })
      const resent: SyncChangeOut[] = []
      for (const table of MEMBER_TABLES) {
        const ids = [...new Set(stale.filter(s => s.table === table).map(s => s.id))]
        if (ids.length > 0)
          resent.push(...await this.records[table].byIdsFor(reader, ids, afterRev, trx) as SyncChangeOut[])
      }
      resent.sort((a, b) => a.rev - b.rev)
      const room = limit - resent.length
      // The `room + 1` oldest of the union are among each table's `room + 1` oldest.
      const all: SyncChangeOut[] = []
      for (const table of MEMBER_TABLES)
        all.push(...await this.records[table].changedFor(reader, afterRev, room + 1, trx, skip) as SyncChangeOut[])
      all.sort((a, b) => a.rev - b.rev)
      const changes = all.slice(0, room)
      const hasMore = all.length > room
      const sent = changes.at(-1)?.rev ?? afterRev
      // A complete page leaves nothing unsent below the end of `skip`: the push committed before
      // this snapshot was taken, and every lower rev committed before the push took its revs.
      const through = !hasMore && skip ? Math.max(sent, skip.last) : sent
      return { resent, changes, hasMore, through, memberId: reader.memberId }
    })
  }
}
