import type { Kysely, Transaction } from 'kysely'
import type { MemberTable, RecordDataByTable } from '../../domain/records'
import type { Role, SyncChangeOut } from '../../domain/wire'
import type { RecordReader, RecordRepositories, RecordRepository, RecordWrite, StoredRecordHead } from './repositories/records'
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

/** Takes `n` revisions from the shared counter (its row lock orders concurrent writers); returns the first. */
export async function takeRevisions(trx: Transaction<Database>, n: number): Promise<number> {
  const top = await trx.updateTable('counters').set({ value: sql<number>`value + ${n}` }).where('name', '=', 'rev').returning('value').executeTakeFirstOrThrow()
  return Number(top.value) - n + 1
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

export class SyncStore {
  constructor(private readonly db: Kysely<Database>, private readonly records: RecordRepositories) {}

  /** Judges and applies `changes` in one transaction; outcomes keep the request's order. */
  async push(owner: RecordOwner, clientId: string, changes: readonly AcceptedChange[]): Promise<PushOutcome[]> {
    if (changes.length === 0)
      return []
    return this.db.transaction().execute(async (trx) => {
      // Take the revision counter's write lock first: on PostgreSQL it serialises pushes so rev
      // order is commit order; on SQLite it starts the write at once, under busy_timeout.
      await trx.updateTable('counters').set({ value: sql<number>`value` }).where('name', '=', 'rev').execute()

      const known = new Map<string, StoredRecordHead>()
      for (const table of MEMBER_TABLES) {
        const ids = [...new Set(changes.filter(c => c.table === table).map(c => c.id))]
        if (ids.length === 0)
          continue
        for (const [id, head] of await this.records[table].findHeads(ids, trx))
          known.set(`${table}:${id}`, head)
      }

      const outcomes: PushOutcome[] = []
      // The last applied version of each row in this push: that is the one written.
      const winners = new Map<string, AcceptedChange>()
      for (const change of changes) {
        const key = `${change.table}:${change.id}`
        if (isSecretaryWritten(change.table) && owner.role !== 'secretary') {
          outcomes.push('secretaryOnly')
          continue
        }
        const stored = known.get(key)
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
        known.set(key, { id: change.id, memberId: stored?.memberId ?? owner.memberId, branchId: owner.branchId, updatedAt: change.updatedAt, clientId, deleted: change.deleted, columns })
        winners.delete(key)
        winners.set(key, change)
      }
      if (winners.size === 0)
        return outcomes

      let rev = await takeRevisions(trx, winners.size) - 1
      const writes = new Map<MemberTable, RecordWrite[]>()
      for (const change of winners.values()) {
        rev += 1
        const list = writes.get(change.table) ?? []
        list.push({ id: change.id, memberId: owner.memberId, branchId: owner.branchId, updatedAt: change.updatedAt, clientId, deleted: change.deleted, rev, data: change.data })
        writes.set(change.table, list)
      }
      for (const [table, list] of writes)
        await (this.records[table] as RecordRepository).upsert(list, trx)
      return outcomes
    })
  }

  /**
   * What a sync answer sends, read in ONE snapshot: the stored copies of `stale` rows a client at
   * `afterRev` has already been sent (the protocol promises the winning copy comes back), first,
   * then what the reader may read with rev after `afterRev`, oldest first, all within `limit`:
   * its own rows of every table and its branch's rows of the shared tables.
   *
   * The cursor becomes the highest rev sent, and rev order is commit order (every writer holds
   * the counter's row lock until it commits). Tables read in separate snapshots could see a row
   * of one table committed after another table was read, with a higher rev than a row of that
   * other table committed in between: that row would then sit behind the cursor for good. One
   * REPEATABLE READ transaction is one snapshot on PostgreSQL; SQLite ignores the isolation
   * settings, and its transaction is one snapshot (and one connection) already.
   */
  async pull(reader: RecordReader, afterRev: number, limit: number, stale: readonly { table: MemberTable, id: string }[] = []): Promise<{ resent: SyncChangeOut[], changes: SyncChangeOut[], hasMore: boolean }> {
    return this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
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
        all.push(...await this.records[table].changedFor(reader, afterRev, room + 1, trx) as SyncChangeOut[])
      all.sort((a, b) => a.rev - b.rev)
      return { resent, changes: all.slice(0, room), hasMore: all.length > room }
    })
  }
}
