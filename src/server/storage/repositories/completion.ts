import type { Kysely } from 'kysely'
import type { CompletionMember } from '../../../domain/wire'
import type { Database } from '../schema'

/** Per-member study counts of one week, summed in SQL over live check-ins. */
export class CompletionQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async weekForBranch(branchId: string, week: string): Promise<CompletionMember[]> {
    // The week's check-ins are summed first, by (branch, week) through its covering index; a join
    // on the member alone would read every check-in each member ever made.
    const ofWeek = this.db.selectFrom('study_checkins')
      .select(eb => ['member_id', eb.fn.countAll<number>().as('checkins'), eb.fn.sum<number>('minutes').as('minutes')])
      .where('branch_id', '=', branchId)
      .where('week', '=', week)
      .where('deleted', '=', 0)
      .groupBy('member_id')
      .as('w')
    const rows = await this.db.selectFrom('members')
      .leftJoin(ofWeek, 'w.member_id', 'members.id')
      .select(eb => [
        'members.id as id',
        'members.name as name',
        'members.role as role',
        eb.fn.coalesce('w.checkins', eb.lit(0)).as('checkins'),
        eb.fn.coalesce('w.minutes', eb.lit(0)).as('minutes'),
      ])
      .where('members.branch_id', '=', branchId)
      .where('members.status', '=', 'active')
      .execute()
    return rows.map(r => ({
      id: r.id,
      name: r.name,
      role: r.role,
      studied: Number(r.checkins) > 0,
      checkins: Number(r.checkins),
      minutes: Number(r.minutes),
    }))
  }
}
