import type { Kysely } from 'kysely'
import type { BranchRecord } from '../../../domain/branch'
import type { ProblemStatus } from '../../../domain/records'
import type { FigureRule, FigureSpec } from '../../../domain/summary'
import type { Database } from '../schema'
import type { BranchAdminRepository } from './branch-admin'
import type { SessionCount, SessionMonth } from './sessions'
import { inBranchOn, retiredOn } from '../../../domain/membership'
import { sessionLastDay } from '../../../domain/sessions'
import { monthInstants, monthRange, percent, SUMMARY_FIGURES } from '../../../domain/summary'
import { addDays, todayIn, weekKey, weekRange } from '../../../domain/week'
import { MembershipHistory, retiredOnSql } from './history'
import { SessionQueries } from './sessions'

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

interface StudyAggregates { rows: number, members: number, minutes: number, withMaterial: number }

const num = (v: unknown): number => Number(v ?? 0)
const byName = new Intl.Collator('zh-CN')

export class SummaryQueries {
  private readonly history: MembershipHistory
  private readonly sessions: SessionQueries

  constructor(private readonly db: Kysely<Database>, private readonly admin: BranchAdminRepository) {
    this.history = new MembershipHistory(db)
    this.sessions = new SessionQueries(db)
  }

  private studyRows(scope: SummaryScope, rule: Extract<FigureRule, { source: 'study' }>) {
    const { start, end } = monthRange(scope.month)
    let query = this.db.selectFrom('study_checkins as r').innerJoin('members as m', 'm.id', 'r.member_id').where('r.branch_id', '=', scope.branchId).where('r.deleted', '=', 0).where('r.date', '>=', start).where('r.date', '<=', end)
    if (rule.retiredOnly)
      query = query.where(retiredOnSql('r.member_id', 'r.date', 'm.retired'), '=', 1)
    if (rule.homeStudy)
      query = query.where(eb => eb.or([eb('r.form', '=', 'home_study'), eb.and([eb('r.form', '=', 'self_study'), eb('r.material_id', 'is not', null)])]))
    return query
  }

  private async studyAggregates(scope: SummaryScope, rule: Extract<FigureRule, { source: 'study' }>): Promise<StudyAggregates> {
    const row = await this.studyRows(scope, rule)
      .select(eb => [
        eb.fn.countAll().as('rows'),
        eb.fn.count('r.member_id').distinct().as('members'),
        eb.fn.sum('r.minutes').as('minutes'),
        eb.fn.count('r.material_id').as('withMaterial'),
      ])
      .executeTakeFirstOrThrow()
    return { rows: num(row.rows), members: num(row.members), minutes: num(row.minutes), withMaterial: num(row.withMaterial) }
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
   * A sessions figure of the month (组织生活, issue #13): over the month's sessions of the rule's
   * forms, counted by SessionQueries (attendance derived by `matchAttendance`, among the members of
   * the branch on each session's first day).
   */
  private sessionFigure(scope: SummaryScope, rule: Extract<FigureRule, { source: 'sessions' }>, month: SessionMonth): { value: number | null, detail?: string } {
    const forms = rule.forms as readonly string[] | undefined
    const counts = month.counts.filter(c => !forms || forms.includes(c.session.form))
    const sum = (f: (c: SessionCount) => number) => counts.reduce((n, c) => n + f(c), 0)
    const activeOf = (c: SessionCount) => {
      const active = c.expected.filter(id => !retiredOn(month.timelines.get(id)!, c.session.date))
      return { expected: active.length, attended: active.filter(id => c.attended.has(id)).length }
    }
    switch (rule.measure) {
      case 'held':
        return { value: counts.length }
      case 'attendance':
        return { value: sum(c => c.attended.size) }
      case 'members':
        return { value: new Set(counts.flatMap(c => [...c.attended.keys()])).size }
      case 'rate': {
        const attended = sum(c => rule.activeOnly ? activeOf(c).attended : c.attended.size)
        const possible = sum(c => rule.activeOnly ? activeOf(c).expected : c.expected.length)
        return { value: percent(attended, possible), detail: `${attended}/${possible}` }
      }
      case 'leaves':
        return { value: sum(c => c.onLeave.size) }
      case 'absent':
        return { value: sum(c => c.absent.length) }
      case 'unlinked':
        return { value: month.unlinked.length }
      case 'weeksWithout': {
        const weeks = weeksWithout(scope, forms, month)
        return weeks.length > 0 ? { value: weeks.length, detail: weeks.join('、') } : { value: 0 }
      }
    }
  }

  /**
   * The members of the branch on the month's last day, from the membership history: all of them,
   * those retired then, and the names of those with no live study check-in dated in the month.
   */
  private async membersAtMonthEnd(scope: SummaryScope): Promise<Record<'total' | 'retired' | 'withoutStudy', string[]>> {
    const rows = await this.membersAtMonthEndRows(scope)
    return { total: rows.total.map(t => t.name), retired: rows.retired.map(t => t.name), withoutStudy: rows.withoutStudy.map(t => t.name) }
  }

  private async membersAtMonthEndRows(scope: SummaryScope): Promise<Record<'total' | 'retired' | 'withoutStudy', { id: string, name: string }[]>> {
    const { start, end } = monthRange(scope.month)
    const timelines = await this.history.timelines(scope.branchId)
    const studied = new Set((await this.db.selectFrom('study_checkins').select('member_id').distinct().where('branch_id', '=', scope.branchId).where('deleted', '=', 0).where('date', '>=', start).where('date', '<=', end).execute()).map(r => r.member_id))
    const inBranch = [...timelines.values()].filter(t => inBranchOn(t, end)).sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
    return {
      total: inBranch,
      retired: inBranch.filter(t => retiredOn(t, end)),
      withoutStudy: inBranch.filter(t => !studied.has(t.id)),
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
          const agg = await once(`study:${rule.retiredOnly ?? false}:${rule.homeStudy ?? false}`, () => this.studyAggregates(scope, rule))
          values[spec.key] = agg[rule.measure]
          break
        }
        case 'sessions': {
          const month = await once('sessions', () => this.sessions.month(scope.branchId, scope.month))
          const { value, detail } = this.sessionFigure(scope, rule, month)
          values[spec.key] = value
          if (detail !== undefined)
            details[spec.key] = detail
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

  /**
   * The members behind each figure that counts members (distinct members, or the members of the
   * branch at the month's end), by figure key, with their names: what an organisation needs to count
   * a person once across its branches (a member who moved branch is two rows, linked).
   */
  async memberIds(scope: SummaryScope): Promise<{ ids: Record<string, string[]>, names: Map<string, string> }> {
    const ids: Record<string, string[]> = {}
    const distinct = async (rows: Promise<{ member_id: string }[]>) => (await rows).map(r => r.member_id)
    let sessionMonth: SessionMonth | undefined
    let atEnd: Awaited<ReturnType<SummaryQueries['membersAtMonthEndRows']>> | undefined
    for (const spec of SUMMARY_FIGURES) {
      const rule = spec.rule
      if (rule.source === 'study' && rule.measure === 'members') {
        ids[spec.key] = await distinct(this.studyRows(scope, rule).select('r.member_id').distinct().execute())
      }
      else if (rule.source === 'service' && rule.measure === 'members') {
        ids[spec.key] = await distinct(this.serviceRows(scope, rule.activity).select('r.member_id').distinct().execute())
      }
      else if (rule.source === 'notes' && rule.measure === 'members') {
        ids[spec.key] = await distinct(this.notesRows(scope).select('r.member_id').distinct().execute())
      }
      else if (rule.source === 'sessions' && rule.measure === 'members') {
        sessionMonth ??= await this.sessions.month(scope.branchId, scope.month)
        const forms = rule.forms as readonly string[] | undefined
        ids[spec.key] = [...new Set(sessionMonth.counts.filter(c => !forms || forms.includes(c.session.form)).flatMap(c => [...c.attended.keys()]))]
      }
      else if (rule.source === 'members') {
        atEnd ??= await this.membersAtMonthEndRows(scope)
        ids[spec.key] = atEnd[rule.measure].map(t => t.id)
      }
    }
    return { ids, names: new Map((atEnd?.total ?? []).map(t => [t.id, t.name])) }
  }

  /** The live rows a figure counts, newest first. */
  async records(scope: SummaryScope, spec: FigureSpec): Promise<BranchRecord[]> {
    const rule = spec.rule
    const { start, end } = monthRange(scope.month)
    switch (rule.source) {
      case 'study':
        return this.admin.recordsWhere(scope.branchId, 'studyCheckins', { from: start, to: end, retiredOnly: rule.retiredOnly, homeStudy: rule.homeStudy, withMaterial: rule.measure === 'withMaterial' })
      case 'sessions': {
        // The check-ins behind a sessions figure: those that count as attendance at its sessions,
        // or the unlinked ones. 请假, 缺席 and the weeks are no rows (GET /branch/sessions lists them).
        const month = await this.sessions.month(scope.branchId, scope.month)
        const forms = rule.forms as readonly string[] | undefined
        const ids = rule.measure === 'unlinked'
          ? month.unlinked.map(c => c.id)
          : rule.measure === 'leaves' || rule.measure === 'absent' || rule.measure === 'weeksWithout'
            ? []
            : month.counts.filter(c => !forms || forms.includes(c.session.form)).flatMap(c => [...c.attended.values()].map(a => a.id))
        return ids.length === 0 ? [] : this.admin.recordsWhere(scope.branchId, 'studyCheckins', { ids })
      }
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

/**
 * The ISO weeks with a day in the month, begun by today in the branch's zone, in which no live
 * session of `forms` has a day (a session's days count in their week, whichever month it starts in).
 */
function weeksWithout(scope: SummaryScope, forms: readonly string[] | undefined, month: SessionMonth): string[] {
  const { start, end } = monthRange(scope.month)
  const today = todayIn(scope.timeZone)
  const held = new Set<string>()
  for (const session of month.around) {
    if (forms && !forms.includes(session.form))
      continue
    for (let day = session.date; day <= sessionLastDay(session); day = addDays(day, 1))
      held.add(weekKey(day))
  }
  const weeks: string[] = []
  for (let day = start; day <= end; day = addDays(day, 1)) {
    const week = weekKey(day)
    if (weekRange(week).start <= today && !held.has(week) && !weeks.includes(week))
      weeks.push(week)
  }
  return weeks
}
