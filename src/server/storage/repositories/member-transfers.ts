import type { Kysely } from 'kysely'
import type { Database } from '../schema'

/**
 * Members who moved between branches of one organisation (migration 0019). A move is two member
 * rows: the one that left its branch (转出, `left_on` set) and the one that joined the other branch.
 * A link says they are one person, so the organisation's month counts them once; each branch keeps
 * counting its own row, as before.
 */

export type TransferRefusal = 'notFound' | 'sameBranch' | 'notLeft' | 'linked' | 'loop'

export class MemberTransferRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Links `fromMemberId` (left its branch) to `toMemberId` (in another branch of `organisationId`).
   * Both must be members of the organisation's branches; each row is in one link at most, and a
   * chain never closes into a loop (A → B → … → A has no first row, so no person to count).
   *
   * Links of one organisation are written one at a time: the transaction first takes the
   * organisation's row lock (an UPDATE that changes nothing), so two links checked at once (A → B
   * and B → A, or the last link of a loop racing its others) cannot both pass the checks on
   * PostgreSQL, where transactions interleave. Links are rare: one lock per organisation costs nothing.
   */
  async link(organisationId: string, fromMemberId: string, toMemberId: string, now: number = Date.now()): Promise<'ok' | TransferRefusal> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('organisations').set(eb => ({ id: eb.ref('id') })).where('id', '=', organisationId).execute()
      const rows = await trx.selectFrom('members as m').innerJoin('branches as b', 'b.id', 'm.branch_id').select(['m.id', 'm.branch_id', 'm.status', 'm.left_on', 'b.organisation_id']).where('m.id', 'in', [fromMemberId, toMemberId]).execute()
      const from = rows.find(r => r.id === fromMemberId)
      const to = rows.find(r => r.id === toMemberId)
      // A member of another organisation's branch is as unknown to the caller as one that does not exist.
      if (!from || !to || from.organisation_id !== organisationId || to.organisation_id !== organisationId || from.status === 'merged' || to.status === 'merged')
        return 'notFound'
      if (from.branch_id === to.branch_id)
        return 'sameBranch'
      if (from.left_on === null)
        return 'notLeft'
      const taken = await trx.selectFrom('member_transfers').select('from_member_id').where(eb => eb.or([eb('from_member_id', '=', fromMemberId), eb('to_member_id', '=', toMemberId), eb.and([eb('from_member_id', '=', toMemberId), eb('to_member_id', '=', fromMemberId)])])).executeTakeFirst()
      if (taken)
        return 'linked'
      // Following the moves on from the joined row must not lead back to the row that left.
      const seen = new Set<string>([toMemberId])
      for (let next: string | undefined = toMemberId; next !== undefined;) {
        const onward: { to_member_id: string } | undefined = await trx.selectFrom('member_transfers').select('to_member_id').where('from_member_id', '=', next).executeTakeFirst()
        next = onward?.to_member_id
        if (next === fromMemberId)
          return 'loop'
        if (next !== undefined && seen.has(next))
          break
        if (next !== undefined)
          seen.add(next)
      }
      const inserted = await trx.insertInto('member_transfers').values({ from_member_id: fromMemberId, to_member_id: toMemberId, created_at: now }).onConflict(oc => oc.doNothing()).executeTakeFirst()
      // A link written by another request meanwhile: this one is refused, never a second link.
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 ? 'ok' : 'linked'
    })
  }

  /** Each member of the branches to the person it is: the first row of its chain of moves (itself when it never moved). */
  async personOf(branchIds: readonly string[]): Promise<(memberId: string) => string> {
    if (branchIds.length === 0)
      return id => id
    const links = await this.db.selectFrom('member_transfers as t').innerJoin('members as m', 'm.id', 't.to_member_id').select(['t.from_member_id as from', 't.to_member_id as to']).where('m.branch_id', 'in', [...branchIds]).execute()
    const back = new Map(links.map(l => [l.to, l.from]))
    return (memberId) => {
      let id = memberId
      const seen = new Set<string>()
      while (back.has(id) && !seen.has(id)) {
        seen.add(id)
        id = back.get(id)!
      }
      return id
    }
  }

  /** The organisation's links, with both rows' names and branches. */
  async list(organisationId: string): Promise<{ fromMemberId: string, fromName: string, fromBranchId: string, toMemberId: string, toName: string, toBranchId: string, leftOn: string | null }[]> {
    const rows = await this.db.selectFrom('member_transfers as t')
      .innerJoin('members as f', 'f.id', 't.from_member_id')
      .innerJoin('members as n', 'n.id', 't.to_member_id')
      .innerJoin('branches as b', 'b.id', 'n.branch_id')
      .select(['t.from_member_id', 'f.name as fromName', 'f.branch_id as fromBranchId', 't.to_member_id', 'n.name as toName', 'n.branch_id as toBranchId', 'f.left_on'])
      .where('b.organisation_id', '=', organisationId)
      .orderBy('t.created_at')
      .orderBy('t.from_member_id')
      .execute()
    return rows.map(r => ({ fromMemberId: r.from_member_id, fromName: r.fromName, fromBranchId: r.fromBranchId, toMemberId: r.to_member_id, toName: r.toName, toBranchId: r.toBranchId, leftOn: r.left_on }))
  }
}
