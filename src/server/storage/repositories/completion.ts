import type { Kysely } from 'kysely'
import type { CompletionMember } from '../../../domain/wire'
import type { Database } from '../schema'

/** Per-member study counts of one week, summed in SQL over live check-ins. */
export class CompletionQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async weekForBranch(branchId: string, week: string): Promise<CompletionMember[]> {
    const rows = await this.db.selectFrom('members')
      .leftJoin('study_checkins', join => join
        .onRef('study_checkins.member_id', '=', 'members.id')
        .on('study_checkins.week', '=', week)
        .on('study_checkins.deleted', '=', 0))
      .select(eb => [
        'members.id as id',
        'members.name as name',
        'members.role as role',
        eb.fn.count<number>('study_checkins.id').as('checkins'),
        eb.fn.coalesce(eb.fn.sum<number>('study_checkins.minutes'), eb.lit(0)).as('minutes'),
      ])
      .where('members.branch_id', '=', branchId)
      .where('members.status', '=', 'active')
      .groupBy(['members.id', 'members.name', 'members.role'])
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
