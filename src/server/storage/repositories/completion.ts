import type { Kysely } from 'kysely'
import type { CompletionMember } from '../../../domain/wire'
import type { Database } from '../schema'
import { inBranchInWeek } from '../../../domain/membership'
import { DEFAULT_TIME_ZONE, todayIn } from '../../../domain/week'
import { MembershipHistory } from './history'

/**
 * Per-member study counts of one week, summed in SQL over live check-ins, for the members who were
 * in the branch that week (the membership history: a past week keeps whoever was in it, the current
 * week lists only those in the branch today).
 */
export class CompletionQueries {
  private readonly history: MembershipHistory

  constructor(private readonly db: Kysely<Database>) {
    this.history = new MembershipHistory(db)
  }

  async weekForBranch(branchId: string, week: string, now: number = Date.now()): Promise<CompletionMember[]> {
    const branch = await this.db.selectFrom('branches').select('time_zone').where('id', '=', branchId).executeTakeFirst()
    const today = todayIn(branch?.time_zone || DEFAULT_TIME_ZONE, now)
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
      .execute()
    // Read after the rows, so a member who joined meanwhile has a history here too.
    const timelines = await this.history.timelines(branchId)
    return rows.filter((r) => {
      const timeline = timelines.get(r.id)
      return timeline !== undefined && inBranchInWeek(timeline, week, today)
    }).map(r => ({
      id: r.id,
      name: r.name,
      role: r.role,
      studied: Number(r.checkins) > 0,
      checkins: Number(r.checkins),
      minutes: Number(r.minutes),
    }))
  }
}
