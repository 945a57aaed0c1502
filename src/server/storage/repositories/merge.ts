import type { Kysely, Transaction } from 'kysely'
import type { MemberMergeCounts } from '../../../domain/branch'
import type { Database } from '../schema'
import type { RecordRepositories, RecordSqlTable } from './records'
import { sql } from 'kysely'
import { takeRevisions } from '../sync'
import { fillHistory } from './history'

/**
 * 合并到… (issue #12): a secretary merges a duplicate member (a second join under the same name,
 * a second account on a new phone) into the real member of the branch. In ONE transaction that
 * holds the branch's revision counter from its first statement (the lock every push, 代录 and
 * status change of the branch takes first, so none of them runs in the middle of it):
 *
 * - every row the duplicate owns moves to the real member keeping its id, and every personal row
 *   of both gets a new rev, so each device of either pulls the other's rows;
 * - rows whose id is derived from what they mean (home study of a material in a week, reading
 *   progress in a material: src/domain/homeStudy.ts) that both members have are reconciled: the
 *   real member's row stays (a reading progress takes the furthest position of the two, their
 *   reading times added, the earlier 已学), the duplicate's becomes a tombstone, so nothing counts twice;
 * - the duplicate's devices (tokens) become the real member's, its unused codes stop working;
 * - the membership history spans both: 入支部日期 is the earlier of the two, the duplicate's
 *   在职/退休 changes from before the real member's history starts are kept, the real member's
 *   status from then on; the merged member is a secretary when either was;
 * - the duplicate keeps its row as 'merged' (`merged_into`): it is in no list, no week and no
 *   month, so every figure of every month is what it would have been had it never existed.
 */

type Db = Kysely<Database>

export type MergeRefusal = 'notFound' | 'self' | 'targetNotFound' | 'targetLeft'

export interface MergeOutcome {
  memberId: string
  counts: MemberMergeCounts
}

const PERSONAL: readonly RecordSqlTable[] = ['study_checkins', 'service_logs', 'reading_notes', 'reading_progress']
const SHARED: readonly RecordSqlTable[] = ['problems', 'materials', 'sessions']
const ENTERED_BY: readonly RecordSqlTable[] = ['study_checkins', 'service_logs']
// Ids per statement when revs are handed out (three bound values each).
const CHUNK = 200

const TABLE_NAMES: Record<RecordSqlTable, keyof MemberMergeCounts['moved']> = {
  study_checkins: 'studyCheckins',
  service_logs: 'serviceLogs',
  reading_notes: 'readingNotes',
  reading_progress: 'readingProgress',
  problems: 'problems',
  materials: 'materials',
  sessions: 'sessions',
}

export class MemberMerge {
  constructor(private readonly db: Db, private readonly records: RecordRepositories) {}

  /** Merges `duplicateId` into `intoId` (both of `branchId`); `secretaryId` is who did it (the tombstones' writer). */
  async merge(branchId: string, duplicateId: string, intoId: string, secretaryId: string, now: number = Date.now()): Promise<MergeOutcome | MergeRefusal> {
    if (duplicateId === intoId)
      return 'self'
    return this.db.transaction().execute(async (trx) => {
      // The branch's revision counter first: the same lock order as a push, so a push of the
      // duplicate's phone either committed before (its rows move here) or runs after and follows
      // `merged_into` (src/server/storage/sync.ts).
      await takeRevisions(trx, branchId, 0)
      await trx.updateTable('members').set({ name: sql<string>`name` }).where('branch_id', '=', branchId).where('id', 'in', [duplicateId, intoId]).execute()
      await fillHistory(trx, branchId)
      const both = await trx.selectFrom('members').selectAll().where('branch_id', '=', branchId).where('id', 'in', [duplicateId, intoId]).execute()
      const duplicate = both.find(m => m.id === duplicateId)
      const target = both.find(m => m.id === intoId)
      if (!duplicate || duplicate.merged_into)
        return 'notFound'
      if (!target || target.merged_into)
        return 'targetNotFound'
      if (target.left_on !== null)
        return 'targetLeft'

      const pair = [duplicate.id, target.id]
      const tombstoneOf = new Map<RecordSqlTable, Set<string>>()
      const clientId = `merge:${secretaryId}`
      const tombstone = async (table: RecordSqlTable, ids: readonly string[]) => {
        if (ids.length === 0)
          return
        const empty = this.records[TABLE_NAMES[table]].columnsOf(true, null)
        await (trx as Kysely<any>).updateTable(table).set({ ...empty, deleted: 1, client_id: clientId, updated_at: sql`case when updated_at >= ${now} then updated_at + 1 else ${now} end` }).where('id', 'in', ids).execute()
        tombstoneOf.set(table, new Set([...(tombstoneOf.get(table) ?? []), ...ids]))
      }

      // Home study of one material in one week is one check-in per member: the duplicate's goes.
      const home = await trx.selectFrom('study_checkins').select(['id', 'member_id', 'material_id', 'week']).where('member_id', 'in', pair).where('deleted', '=', 0).where('form', '=', 'home_study').where('material_id', 'is not', null).execute()
      const keyOf = (r: { material_id: string | null, week: string | null }) => `${r.material_id}|${r.week}`
      const targetHome = new Set(home.filter(r => r.member_id === target.id).map(keyOf))
      const homeTwice = home.filter(r => r.member_id === duplicate.id && targetHome.has(keyOf(r))).map(r => r.id)
      await tombstone('study_checkins', homeTwice)

      // One reading progress per member and material: the real member's row takes both.
      const progress = await trx.selectFrom('reading_progress').selectAll().where('member_id', 'in', pair).where('deleted', '=', 0).orderBy('updated_at', 'desc').orderBy('id').execute()
      const progressTwice: string[] = []
      for (const materialId of new Set(progress.map(r => r.material_id))) {
        // The real member's latest row for the material (another of its own, from two of its phones offline, stays as it is).
        const kept = progress.find(r => r.member_id === target.id && r.material_id === materialId)
        const others = progress.filter(r => r.member_id === duplicate.id && r.material_id === materialId)
        if (!kept || others.length === 0)
          continue
        const all = [kept, ...others]
        const furthest = all.reduce((a, b) => Number(b.percent) > Number(a.percent) ? b : a)
        const finished = all.map(r => r.finished_at).filter((f): f is number => f !== null).map(Number)
        await trx.updateTable('reading_progress').set({
          position: furthest.position,
          percent: furthest.percent,
          seconds_spent: all.reduce((n, r) => n + Number(r.seconds_spent ?? 0), 0),
          finished_at: finished.length > 0 ? Math.min(...finished) : null,
          updated_at: Math.max(now, ...all.map(r => Number(r.updated_at) + 1)),
          client_id: clientId,
        }).where('id', '=', kept.id).execute()
        progressTwice.push(...others.map(r => r.id))
      }
      await tombstone('reading_progress', progressTwice)

      // Which rows get a new rev: every personal row of both, and the duplicate's shared rows,
      // 代录 entries and 请假 entries (their writer's or member's name changes for every reader).
      const rerev = new Map<RecordSqlTable, Set<string>>()
      const moved = {} as MemberMergeCounts['moved']
      const add = (table: RecordSqlTable, ids: Iterable<string>) => rerev.set(table, new Set([...(rerev.get(table) ?? []), ...ids]))
      for (const table of [...PERSONAL, ...SHARED]) {
        const owned = await (trx as Kysely<any>).selectFrom(table).select(['id', 'member_id']).where('member_id', 'in', PERSONAL.includes(table) ? pair : [duplicate.id]).execute() as { id: string, member_id: string }[]
        moved[TABLE_NAMES[table]] = owned.filter(r => r.member_id === duplicate.id).length
        add(table, owned.map(r => r.id))
        await (trx as Kysely<any>).updateTable(table).set({ member_id: target.id }).where('member_id', '=', duplicate.id).execute()
      }
      for (const table of ENTERED_BY) {
        const entered = await (trx as Kysely<any>).selectFrom(table).select('id').where('entered_by', '=', duplicate.id).execute() as { id: string }[]
        add(table, entered.map(r => r.id))
        await (trx as Kysely<any>).updateTable(table).set({ entered_by: target.id }).where('entered_by', '=', duplicate.id).execute()
      }
      const onLeave = await trx.selectFrom('sessions').select(['id', 'leaves']).where('branch_id', '=', branchId).where('leaves', 'like', `%${duplicate.id}%`).execute()
      for (const session of onLeave) {
        const leaves = JSON.parse(session.leaves!) as { memberId: string, reason: string }[]
        const merged = leaves.some(l => l.memberId === target.id)
          ? leaves.filter(l => l.memberId !== duplicate.id)
          : leaves.map(l => l.memberId === duplicate.id ? { ...l, memberId: target.id } : l)
        await trx.updateTable('sessions').set({ leaves: JSON.stringify(merged) }).where('id', '=', session.id).execute()
        add('sessions', [session.id])
      }
      for (const [table, ids] of tombstoneOf)
        add(table, ids)

      const total = [...rerev.values()].reduce((n, ids) => n + ids.size, 0)
      if (total > 0) {
        let rev = await takeRevisions(trx, branchId, total)
        for (const [table, ids] of rerev) {
          const list = [...ids].sort()
          for (let i = 0; i < list.length; i += CHUNK) {
            const chunk = list.slice(i, i + CHUNK)
            const cases = sql.join(chunk.map(id => sql`when ${id} then cast(${rev++} as bigint)`), sql` `)
            await sql`update ${sql.table(table)} set rev = case id ${cases} end where id in (${sql.join(chunk)})`.execute(trx)
          }
        }
      }

      await this.mergeHistory(trx, duplicate, target)
      await trx.updateTable('member_tokens').set({ member_id: target.id }).where('member_id', '=', duplicate.id).execute()
      await trx.updateTable('sign_in_codes').set({ expires_at: now }).where('member_id', '=', duplicate.id).where('used_at', 'is', null).where('expires_at', '>', now).execute()
      await trx.updateTable('problem_status_changes').set({ changed_by: target.id }).where('changed_by', '=', duplicate.id).execute()
      await trx.updateTable('member_status_changes').set({ changed_by: target.id }).where('changed_by', '=', duplicate.id).execute()
      await trx.updateTable('members').set({ status: 'merged', merged_into: target.id, merged_at: now }).where('id', '=', duplicate.id).execute()
      // A member merged into the duplicate earlier follows it: `merged_into` is never a merged member.
      await trx.updateTable('members').set({ merged_into: target.id }).where('merged_into', '=', duplicate.id).execute()
      return {
        memberId: target.id,
        counts: { moved, reconciled: { homeStudy: homeTwice.length, readingProgress: progressTwice.length } },
      }
    })
  }

  // The merged member's history spans both: joined at the earlier day; the duplicate's statuses
  // hold for the days before the real member's history starts, the real member's from then on.
  private async mergeHistory(trx: Transaction<Database>, duplicate: Database['members'], target: Database['members']): Promise<void> {
    const first = await trx.selectFrom('member_status_changes').select('effective_on').where('member_id', '=', target.id).orderBy('effective_on').limit(1).executeTakeFirst()
    const targetStart = [target.joined_on!, first?.effective_on ?? target.joined_on!].sort()[0]!
    await trx.updateTable('member_status_changes').set({ member_id: target.id }).where('member_id', '=', duplicate.id).where('effective_on', '<', targetStart).execute()
    await trx.updateTable('members').set({
      joined_on: [duplicate.joined_on!, target.joined_on!].sort()[0]!,
      party_join_date: target.party_join_date ?? duplicate.party_join_date,
      role: target.role === 'secretary' || duplicate.role === 'secretary' ? 'secretary' : 'member',
    }).where('id', '=', target.id).execute()
  }
}
