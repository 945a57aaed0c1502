import type { Kysely } from 'kysely'
import type { GridMember, GridWeekTotal, MemberGroup, ServiceMonth } from '../../../domain/branch'
import type { Database } from '../schema'
import { sql } from 'kysely'
import { monthRange, monthsBetween, percent } from '../../../domain/summary'

/**
 * The completion grid (weeks × members) and service by month, counted in SQL over live rows:
 * SQL groups and sums, the code only lays the sums out in the requested weeks' order.
 */

const byName = new Intl.Collator('zh-CN')

export class GridQueries {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: 'sqlite' | 'postgres') {}

  // The branch's members in a group (everyone now in the branch, or only those in work / retired).
  private groupMembers(branchId: string, group: MemberGroup) {
    let query = this.db.selectFrom('members').where('members.branch_id', '=', branchId).where('members.status', '=', 'active')
    if (group !== 'all')
      query = query.where('members.retired', '=', group === 'retired' ? 1 : 0)
    return query
  }

  /**
   * One row per member of the group with a cell per week (in `weeks`' order), and per-week totals.
   * The sums come from one grouped scan of the (branch, week, member, deleted, minutes) covering
   * index; members outside the group are dropped when the rows are laid out.
   */
  async grid(branchId: string, weeks: readonly string[], group: MemberGroup): Promise<{ members: GridMember[], totals: GridWeekTotal[] }> {
    const from = weeks[0]!
    const to = weeks.at(-1)!
    const people = await this.groupMembers(branchId, group).select(['members.id', 'members.name', 'members.role', 'members.retired']).execute()
    // One row per member: its (week, check-ins, minutes) sums joined into a string by the database,
    // so a year of a 500-member branch crosses into JS as 500 rows, not 20,000.
    const weekSums = this.db.selectFrom('study_checkins as c')
      .select(eb => ['c.week as week', 'c.member_id as member_id', eb.fn.countAll<number>().as('n'), eb.fn.coalesce(eb.fn.sum<number>('c.minutes'), eb.lit(0)).as('m')])
      .where('c.branch_id', '=', branchId)
      .where('c.week', '>=', from)
      .where('c.week', '<=', to)
      .where('c.deleted', '=', 0)
      .groupBy(['c.week', 'c.member_id'])
    const joined = this.dialect === 'postgres'
      ? sql<string>`string_agg(s.week || ',' || s.n || ',' || s.m, ';')`
      : sql<string>`group_concat(s.week || ',' || s.n || ',' || s.m, ';')`
    const perMember = await this.db.selectFrom(weekSums.as('s')).select(['s.member_id as memberId', joined.as('cells')]).groupBy('s.member_id').execute()
    const sums = perMember.flatMap(row => row.cells.split(';').map((cell) => {
      const [week, checkins, minutes] = cell.split(',')
      return { memberId: row.memberId, week: week!, checkins: Number(checkins), minutes: Number(minutes) }
    }))

    const column = new Map(weeks.map((w, i) => [w, i]))
    const rows = new Map<string, GridMember>()
    for (const p of people) {
      rows.set(p.id, {
        id: p.id,
        name: p.name,
        role: p.role,
        retired: Number(p.retired) === 1,
        cells: weeks.map(() => ({ studied: false, minutes: 0, checkins: 0 })),
        weeksStudied: 0,
        minutes: 0,
      })
    }
    const studiedIn = weeks.map(() => 0)
    for (const s of sums) {
      const row = rows.get(s.memberId)
      const i = column.get(s.week)
      if (!row || i === undefined)
        continue
      const minutes = s.minutes
      row.cells[i] = { studied: true, minutes, checkins: s.checkins }
      row.weeksStudied += 1
      row.minutes += minutes
      studiedIn[i]! += 1
    }
    const total = people.length
    return {
      members: [...rows.values()].sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id)),
      totals: weeks.map((week, i) => ({ week, studied: studiedIn[i]!, total, rate: percent(studiedIn[i]!, total) })),
    }
  }

  /** Live service logs per month from `from` to `to` (every month present, zeros included). */
  async serviceMonths(branchId: string, from: string, to: string): Promise<ServiceMonth[]> {
    const month = sql<string>`substr(date, 1, 7)`
    const rows = await this.db.selectFrom('service_logs')
      .select(eb => [
        month.as('month'),
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number>('hours').as('hours'),
        eb.fn.count<number>('member_id').distinct().as('members'),
      ])
      .where('branch_id', '=', branchId)
      .where('deleted', '=', 0)
      .where('date', '>=', monthRange(from).start)
      .where('date', '<=', monthRange(to).end)
      .groupBy(month)
      .execute()
    const byMonth = new Map(rows.map(r => [r.month, r]))
    return monthsBetween(from, to).map((m) => {
      const r = byMonth.get(m)
      return { month: m, hours: Number(r?.hours ?? 0), count: Number(r?.count ?? 0), members: Number(r?.members ?? 0) }
    })
  }
}
