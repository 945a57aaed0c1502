import type { Kysely } from 'kysely'
import type { BranchRecord } from '../../../domain/branch'
import type { ProblemStatus } from '../../../domain/records'
import type { FigureRule, FigureSpec } from '../../../domain/summary'
import type { Database } from '../schema'
import type { BranchAdminRepository } from './branch-admin'
import { sql } from 'kysely'
import { inBranchOn, retiredOn } from '../../../domain/membership'
import { monthInstants, monthRange, percent, SUMMARY_FIGURES } from '../../../domain/summary'
import { MembershipHistory, retiredOnSql } from './history'

/**
 * The monthly summary's figures, counted in SQL from the rules in src/domain/summary.ts, and the
 * rows behind each figure read with the same filters (so a figure and its rows always agree).
 */

/** What a figure's value is computed over: one month of one branch, in its time zone. */
export interface SummaryScope {
  branchId: string
  month: string
  timeZone: string
}

interface StudyAggregates { rows: number, members: number, sessions: number, attendance: number, minutes: number, withMaterial: number }

const num = (v: unknown): number => Number(v ?? 0)
const byName = new Intl.Collator('zh-CN')

export class SummaryQueries {
  private readonly history: MembershipHistory

  constructor(private readonly db: Kysely<Database>, private readonly admin: BranchAdminRepository) {
    this.history = new MembershipHistory(db)
  }

  private studyRows(scope: SummaryScope, rule: Extract<FigureRule, { source: 'study' }>) {
    const { start, end } = monthRange(scope.month)
    let query = this.db.selectFrom('study_checkins as r').innerJoin('members as m', 'm.id', 'r.member_id').where('r.branch_id', '=', scope.branchId).where('r.deleted', '=', 0).where('r.date', '>=', start).where('r.date', '<=', end)
    if (rule.forms)
      query = query.where('r.form', 'in', rule.forms)
    if (rule.retiredOnly)
      query = query.where(retiredOnSql('r.member_id', 'r.date', 'm.retired'), '=', 1)
    if (rule.homeStudy)
      query = query.where(eb => eb.or([eb('r.form', '=', 'home_study'), eb.and([eb('r.form', '=', 'self_study'), eb('r.material_id', 'is not', null)])]))
    return query
  }

  private async studyAggregates(scope: SummaryScope, rule: Extract<FigureRule, { source: 'study' }>): Promise<StudyAggregates> {
    const session = rule.by === 'week' ? sql.ref('r.week') : sql.ref('r.date')
    const row = await this.studyRows(scope, rule)
      .select(eb => [
        eb.fn.countAll().as('rows'),
        eb.fn.count('r.member_id').distinct().as('members'),
        sql`count(distinct ${session})`.as('sessions'),
        sql`count(distinct r.member_id || '|' || ${session})`.as('attendance'),
        eb.fn.sum('r.minutes').as('minutes'),
        eb.fn.count('r.material_id').as('withMaterial'),
      ])
      .executeTakeFirstOrThrow()
    return { rows: num(row.rows), members: num(row.members), sessions: num(row.sessions), attendance: num(row.attendance), minutes: num(row.minutes), withMaterial: num(row.withMaterial) }
  }

  /**
   * The single-form figures of a month in one grouped scan (sessions and attendance both by week
   * and by date), so a summary reads the month's check-ins a few times, not once per figure.
   */
  private async studyByForm(scope: SummaryScope): Promise<Map<string, { week: StudyAggregates, date: StudyAggregates }>> {
    const { start, end } = monthRange(scope.month)
    const rows = await this.db.selectFrom('study_checkins as r').select(eb => [
      'r.form as form',
      eb.fn.countAll().as('rows'),
      eb.fn.count('r.member_id').distinct().as('members'),
      sql`count(distinct r.week)`.as('weeks'),
      sql`count(distinct r.date)`.as('dates'),
      sql`count(distinct r.member_id || '|' || r.week)`.as('weekPairs'),
      sql`count(distinct r.member_id || '|' || r.date)`.as('datePairs'),
      eb.fn.sum('r.minutes').as('minutes'),
      eb.fn.count('r.material_id').as('withMaterial'),
    ]).where('r.branch_id', '=', scope.branchId).where('r.date', '>=', start).where('r.date', '<=', end).where('r.deleted', '=', 0).groupBy('r.form').execute()
    const byForm = new Map<string, { week: StudyAggregates, date: StudyAggregates }>()
    for (const r of rows) {
      const common = { rows: num(r.rows), members: num(r.members), minutes: num(r.minutes), withMaterial: num(r.withMaterial) }
      byForm.set(String(r.form), {
        week: { ...common, sessions: num(r.weeks), attendance: num(r.weekPairs) },
        date: { ...common, sessions: num(r.dates), attendance: num(r.datePairs) },
      })
    }
    return byForm
  }

  private serviceRows(scope: SummaryScope, activity?: string) {
    const { start, end } = monthRange(scope.month)
    let query = this.db.selectFrom('service_logs as r').where('r.branch_id', '=', scope.branchId).where('r.deleted', '=', 0).where('r.date', '>=', start).where('r.date', '<=', end)
    if (activity)
      query = query.where('r.activity', '=', activity)
    return query
  }

  // Each live problem collected by the month's end, with its status on the month's last day: the
  // latest change taking effect by then (a status is counted by the day it took effect, not the
  // day it was entered).
  private problemsAtMonthEnd(scope: SummaryScope) {
    const { end } = monthRange(scope.month)
    return this.db.selectFrom('problems as p').select(eb => [
      'p.id as id',
      'p.date as date',
      'p.owner_name as ownerName',
      eb.fn.coalesce(
        eb.selectFrom('problem_status_changes as s').select('s.status').whereRef('s.problem_id', '=', 'p.id').where('s.effective_on', '<=', end).orderBy('s.effective_on', 'desc').orderBy('s.changed_at', 'desc').orderBy('s.id', 'desc').limit(1),
        eb.val<ProblemStatus>('open'),
      ).as('status'),
    ]).where('p.branch_id', '=', scope.branchId).where('p.deleted', '=', 0).where('p.date', '<=', end)
  }

  private notesRows(scope: SummaryScope) {
    const { start, end } = monthInstants(scope.month, scope.timeZone)
    return this.db.selectFrom('reading_notes as r').where('r.branch_id', '=', scope.branchId).where('r.deleted', '=', 0).where('r.updated_at', '>=', start).where('r.updated_at', '<', end)
  }

  /**
   * A participation rate from the membership history: per session (a week or a day of the month's
   * check-ins of the forms), the members of the branch on the session's day (its first check-in of
   * the month), only those 在职 then for `activeOnly`, and how many of them checked in for it.
   */
  private async rate(scope: SummaryScope, rule: Extract<FigureRule, { measure: 'rate' }>, timelines: Awaited<ReturnType<MembershipHistory['timelines']>>): Promise<{ attended: number, possible: number }> {
    const { start, end } = monthRange(scope.month)
    const rows = await this.db.selectFrom('study_checkins as r').select(['r.member_id as memberId', 'r.date as date', 'r.week as week']).where('r.branch_id', '=', scope.branchId).where('r.deleted', '=', 0).where('r.date', '>=', start).where('r.date', '<=', end).where('r.form', 'in', rule.forms).execute()
    const sessions = new Map<string, { day: string, members: Set<string> }>()
    for (const row of rows) {
      const key = rule.by === 'week' ? row.week! : row.date!
      const session = sessions.get(key) ?? { day: row.date!, members: new Set<string>() }
      if (row.date! < session.day)
        session.day = row.date!
      session.members.add(row.memberId)
      sessions.set(key, session)
    }
    let attended = 0
    let possible = 0
    for (const session of sessions.values()) {
      const counts = (id: string) => {
        const t = timelines.get(id)
        return t !== undefined && inBranchOn(t, session.day) && !(rule.activeOnly && retiredOn(t, session.day))
      }
      for (const t of timelines.values()) {
        if (counts(t.id))
          possible++
      }
      for (const id of session.members) {
        if (counts(id))
          attended++
      }
    }
    return { attended, possible }
  }

  /**
   * The members of the branch on the month's last day, from the membership history: all of them,
   * those retired then, and the names of those with no live study check-in dated in the month.
   */
  private async membersAtMonthEnd(scope: SummaryScope): Promise<Record<'total' | 'retired' | 'withoutStudy', string[]>> {
    const { start, end } = monthRange(scope.month)
    const timelines = await this.history.timelines(scope.branchId)
    const studied = new Set((await this.db.selectFrom('study_checkins').select('member_id').distinct().where('branch_id', '=', scope.branchId).where('deleted', '=', 0).where('date', '>=', start).where('date', '<=', end).execute()).map(r => r.member_id))
    const inBranch = [...timelines.values()].filter(t => inBranchOn(t, end)).sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
    return {
      total: inBranch.map(t => t.name),
      retired: inBranch.filter(t => retiredOn(t, end)).map(t => t.name),
      withoutStudy: inBranch.filter(t => !studied.has(t.id)).map(t => t.name),
    }
  }

  /** Every figure's value (and the parts of the rate) for a month; queries sharing a filter run once. */
  async values(scope: SummaryScope): Promise<{ values: Record<string, number | null>, details: Record<string, string> }> {
    const values: Record<string, number | null> = {}
    const details: Record<string, string> = {}
    const cache = new Map<string, Promise<unknown>>()
    const once = <T>(key: string, run: () => Promise<T>): Promise<T> => {
      if (!cache.has(key))
        cache.set(key, run())
      return cache.get(key) as Promise<T>
    }
    const { start } = monthRange(scope.month)
    for (const spec of SUMMARY_FIGURES) {
      const rule = spec.rule
      switch (rule.source) {
        case 'study': {
          const oneForm = rule.forms?.length === 1 && !rule.retiredOnly ? rule.forms[0]! : null
          const empty: StudyAggregates = { rows: 0, members: 0, sessions: 0, attendance: 0, minutes: 0, withMaterial: 0 }
          const agg: StudyAggregates = oneForm
            ? ((await once('study:byForm', () => this.studyByForm(scope))).get(oneForm)?.[rule.by ?? 'date'] ?? empty)
            : await once(`study:${rule.forms?.join(',') ?? '*'}:${rule.retiredOnly ?? false}:${rule.homeStudy ?? false}:${rule.by ?? ''}`, () => this.studyAggregates(scope, rule))
          if (rule.measure === 'rate') {
            const timelines = await once('timelines', () => this.history.timelines(scope.branchId))
            const { attended, possible } = await this.rate(scope, rule, timelines)
            values[spec.key] = percent(attended, possible)
            details[spec.key] = `${attended}/${possible}`
          }
          else {
            values[spec.key] = agg[rule.measure]
          }
          break
        }
        case 'service': {
          const row = await once(`service:${rule.activity ?? '*'}`, () => this.serviceRows(scope, rule.activity)
            .select(eb => [eb.fn.countAll().as('rows'), eb.fn.sum('r.hours').as('hours'), eb.fn.count('r.member_id').distinct().as('members'), eb.fn.sum('r.people_served').as('peopleServed')])
            .executeTakeFirstOrThrow())
          values[spec.key] = num(row[rule.measure])
          break
        }
        case 'problems': {
          const byStatus = await once('problems', () => this.db.selectFrom(this.problemsAtMonthEnd(scope).as('x')).select(eb => [
            'x.status',
            eb.fn.countAll().as('n'),
            eb.fn.sum(eb.case().when('x.date', '>=', start).then(1).else(0).end()).as('inMonth'),
            eb.fn.sum(eb.case().when(eb.and([eb('x.ownerName', 'is not', null), eb('x.ownerName', '<>', '')])).then(1).else(0).end()).as('withOwner'),
          ]).groupBy('x.status').execute())
          const count = (status?: string) => byStatus.filter(r => status === undefined || r.status === status).reduce((n, r) => n + num(r.n), 0)
          values[spec.key] = rule.measure === 'collected'
            ? count()
            : rule.measure === 'collectedInMonth' || rule.measure === 'withOwner'
              ? byStatus.reduce((n, r) => n + num(r[rule.measure === 'withOwner' ? 'withOwner' : 'inMonth']), 0)
              : count(rule.measure)
          break
        }
        case 'notes': {
          const row = await once('notes', () => this.notesRows(scope)
            .select(eb => [eb.fn.countAll().as('rows'), eb.fn.count('r.member_id').distinct().as('members')])
            .executeTakeFirstOrThrow())
          values[spec.key] = num(row[rule.measure])
          break
        }
        case 'members': {
          const members = await once('members', () => this.membersAtMonthEnd(scope))
          const list = members[rule.measure]
          values[spec.key] = list.length
          // Who did not study is named (there are no rows behind it to list).
          if (rule.measure === 'withoutStudy' && list.length > 0)
            details[spec.key] = list.join('、')
          break
        }
      }
    }
    return { values, details }
  }

  /** The live rows a figure counts, newest first. */
  async records(scope: SummaryScope, spec: FigureSpec): Promise<BranchRecord[]> {
    const rule = spec.rule
    const { start, end } = monthRange(scope.month)
    switch (rule.source) {
      case 'study':
        return this.admin.recordsWhere(scope.branchId, 'studyCheckins', { from: start, to: end, forms: rule.forms, retiredOnly: rule.retiredOnly, homeStudy: rule.homeStudy, withMaterial: rule.measure === 'withMaterial' })
      case 'service':
        return this.admin.recordsWhere(scope.branchId, 'serviceLogs', { from: start, to: end, activity: rule.activity })
      case 'notes': {
        const instants = monthInstants(scope.month, scope.timeZone)
        return this.admin.recordsWhere(scope.branchId, 'readingNotes', { fromInstant: instants.start, toInstant: instants.end })
      }
      case 'problems': {
        let query = this.db.selectFrom(this.problemsAtMonthEnd(scope).as('x')).select(['x.id', 'x.status'])
        if (rule.measure === 'collectedInMonth')
          query = query.where('x.date', '>=', start)
        else if (rule.measure === 'withOwner')
          query = query.where('x.ownerName', 'is not', null).where('x.ownerName', '<>', '')
        else if (rule.measure !== 'collected')
          query = query.where('x.status', '=', rule.measure)
        const atMonthEnd = new Map((await query.execute()).map(r => [r.id, r.status as ProblemStatus]))
        const problems = await this.admin.problems(scope.branchId, { ids: [...atMonthEnd.keys()] })
        // The rows behind a month's figure show each problem as it stood at the month's end.
        return problems.map(p => ({ table: 'problems', id: p.id, memberId: p.reporterId, memberName: p.reporterName, updatedAt: p.updatedAt, data: { ...p, status: atMonthEnd.get(p.id) ?? p.status } }))
      }
      case 'members':
        // Members are not records: the figure's `detail` names those without study.
        return []
    }
  }
}
