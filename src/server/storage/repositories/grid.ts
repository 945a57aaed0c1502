import type { Kysely } from 'kysely'
import type { GridMember, GridWeekTotal, MemberGroup, ServiceMonth } from '../../../domain/branch'
import type { Database } from '../schema'
import { sql } from 'kysely'
import { inBranchInSpan, retiredOn, weekSpan } from '../../../domain/membership'
import { monthRange, monthsBetween, percent } from '../../../domain/summary'
import { DEFAULT_TIME_ZONE, todayIn } from '../../../domain/week'
import { MembershipHistory } from './history'

/**
 * The completion grid (weeks × members) and service by month, counted in SQL over live rows:
 * SQL groups and sums, the code only lays the sums out in the requested weeks' order.
 */

const byName = new Intl.Collator('zh-CN')

export class GridQueries {
  private readonly history: MembershipHistory

  constructor(private readonly db: Kysely<Database>, private readonly dialect: 'sqlite' | 'postgres') {
    this.history = new MembershipHistory(db)
  }

  /**
   * One row per member who was in the group in some week of the range, with a cell per week (in
   * `weeks`' order), and per-week totals over the members in the group that week. Who was in the
   * branch and who was retired each week come from the membership history (the current week:
   * today), so a member who left is a row only for the weeks they were in, and a later retirement
   * moves no earlier week. The sums come from one grouped scan of the (branch, week, member,
   * deleted, minutes) covering index; members outside the group are dropped when laid out.
   */
  async grid(branchId: string, weeks: readonly string[], group: MemberGroup, now: number = Date.now()): Promise<{ members: GridMember[], totals: GridWeekTotal[] }> {
    const from = weeks[0]!
    const to = weeks.at(-1)!
    const branch = await this.db.selectFrom('branches').select('time_zone').where('id', '=', branchId).executeTakeFirst()
    const today = todayIn(branch?.time_zone || DEFAULT_TIME_ZONE, now)
    const timelines = await this.history.timelines(branchId)
    // Each member counted in some week, with whether they count in week i (each week's span worked out once).
    const spans = weeks.map(week => weekSpan(week, today))
    const counted = [...timelines.values()]
      .map(person => ({ person, flags: spans.map(span => inBranchInSpan(person, span) && (group === 'all' || retiredOn(person, span.statusDay) === (group === 'retired'))) }))
      .filter(c => c.flags.includes(true))
    const inGroupCount = weeks.map((_, i) => counted.filter(c => c.flags[i]).length)
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
    for (const { person: p, flags } of counted) {
      rows.set(p.id, {
        id: p.id,
        name: p.name,
        role: p.role,
        retired: p.retiredNow,
        joinedOn: p.joinedOn,
        leftOn: p.leftOn,
        cells: flags.map(flag => ({ studied: false, minutes: 0, checkins: 0, counted: flag })),
        weeksStudied: 0,
        minutes: 0,
      })
    }
    const studiedIn = weeks.map(() => 0)
    for (const s of sums) {
      const row = rows.get(s.memberId)
      const i = column.get(s.week)
      // A week the member was not in the group (not yet joined, left, or of the other status) shows
      // nothing and counts nowhere.
      if (!row || i === undefined || !row.cells[i]!.counted)
        continue
      const cell = row.cells[i]!
      cell.studied = true
      cell.minutes = s.minutes
      cell.checkins = s.checkins
      row.weeksStudied += 1
      row.minutes += s.minutes
      studiedIn[i]! += 1
    }
    return {
      members: [...rows.values()].sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id)),
      totals: weeks.map((week, i) => ({ week, studied: studiedIn[i]!, total: inGroupCount[i]!, rate: percent(studiedIn[i]!, inGroupCount[i]!) })),
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
