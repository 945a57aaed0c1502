import type { FastifyPluginAsync } from 'fastify'
import type { MemberGroup } from '../../../domain/branch'
import type { OrganisationGridCell, OrganisationGridResponse, OrganisationGridRow } from '../../../domain/organisation'
import { GRID_DEFAULT_WEEKS, GRID_MAX_WEEKS, MEMBER_GROUPS } from '../../../domain/branch'
import { percent } from '../../../domain/summary'
import { currentWeek, DEFAULT_TIME_ZONE, isWeekKey, shiftWeek } from '../../../domain/week'
import { requireOrganisationSecretary } from '../../auth'
import { localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { queryValue } from '../branch/guard'
import { organisationScope } from './scope'

/** Every week key from `from` to `to`, inclusive, or null past `max` weeks. */
function weeksBetween(from: string, to: string, max: number): string[] | null {
  const weeks: string[] = []
  for (let w = from; w <= to; w = shiftWeek(w, 1)) {
    weeks.push(w)
    if (weeks.length > max)
      return null
  }
  return weeks
}

/** A row's sums over its weeks: member-weeks studied of member-weeks counted. */
function rowOf(cells: OrganisationGridCell[]): Omit<OrganisationGridRow, 'branchId' | 'name'> {
  const studied = cells.reduce((n, c) => n + c.studied, 0)
  const possible = cells.reduce((n, c) => n + c.total, 0)
  return { cells, studied, possible, rate: percent(studied, possible) }
}

/**
 * GET /organisation/grid (issue #14): weeks × branches. Each branch's cells are its own /branch/grid
 * totals (the same query, the same membership and 在职/退休 rules), so a branch's row is what its
 * secretary's grid says; the organisation's row sums them week by week (a member is in one branch,
 * counted once) and recomputes the rate from the sums, never averaging rates. No member rows.
 */
const organisationGridRoutes: FastifyPluginAsync = async (app) => {
  app.get('/organisation/grid', { onRequest: requireOrganisationSecretary }, async (request): Promise<OrganisationGridResponse> => {
    const locale = localeOf(request)
    const { branches } = await organisationScope(request)
    const group = (queryValue(request, 'group') ?? 'all') as MemberGroup
    if (!MEMBER_GROUPS.includes(group))
      throw validationError([{ path: 'group', message: t(locale, 'group') }], locale)
    // The current week in Beijing time unless the organisation's branches all keep another zone.
    const now = currentWeek(branches[0]?.timeZone ?? DEFAULT_TIME_ZONE)
    const to = queryValue(request, 'to') ?? now
    const from = queryValue(request, 'from') ?? (isWeekKey(to) ? shiftWeek(to, -(GRID_DEFAULT_WEEKS - 1)) : to)
    const weeks = isWeekKey(from) && isWeekKey(to) && from <= to ? weeksBetween(from, to, GRID_MAX_WEEKS) : null
    if (!weeks)
      throw validationError([{ path: isWeekKey(from) ? 'to' : 'from', message: t(locale, 'weekRange') }], locale)
    const rows: OrganisationGridRow[] = []
    for (const branch of branches) {
      const { totals } = await app.storage.grid.grid(branch.id, weeks, group)
      rows.push({ branchId: branch.id, name: branch.name, ...rowOf(totals.map(c => ({ week: c.week, studied: c.studied, total: c.total, rate: c.rate }))) })
    }
    const organisation = rowOf(weeks.map((week, i) => {
      const studied = rows.reduce((n, r) => n + r.cells[i]!.studied, 0)
      const total = rows.reduce((n, r) => n + r.cells[i]!.total, 0)
      return { week, studied, total, rate: percent(studied, total) }
    }))
    return { from, to, group, weeks, branches: rows, organisation }
  })
}

export default organisationGridRoutes
