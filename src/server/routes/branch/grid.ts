import type { FastifyPluginAsync } from 'fastify'
import type { GridResponse, MemberGroup, ServiceMonthsResponse } from '../../../domain/branch'
import { GRID_DEFAULT_WEEKS, GRID_MAX_WEEKS, MEMBER_GROUPS, SERVICE_MONTHS_MAX } from '../../../domain/branch'
import { isMonthKey, monthOf, monthsBetween, shiftMonth } from '../../../domain/summary'
import { currentWeek, isWeekKey, shiftWeek, todayIn } from '../../../domain/week'
import { localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { queryValue, requireSecretary, secretaryBranch } from './guard'

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

// A year's grid is 26,000 cells for 500 members: a response schema lets Fastify serialise it
// with a compiled serialiser instead of JSON.stringify.
const cellSchema = { type: 'object', properties: { studied: { type: 'boolean' }, minutes: { type: 'number' }, checkins: { type: 'integer' }, counted: { type: 'boolean' } }, required: ['studied', 'minutes', 'checkins', 'counted'] } as const
const gridResponseSchema = {
  type: 'object',
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    group: { type: 'string' },
    weeks: { type: 'array', items: { type: 'string' } },
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, retired: { type: 'boolean' }, joinedOn: { type: 'string' }, leftOn: { type: ['string', 'null'] }, cells: { type: 'array', items: cellSchema }, weeksStudied: { type: 'integer' }, minutes: { type: 'number' } },
        required: ['id', 'name', 'role', 'retired', 'joinedOn', 'leftOn', 'cells', 'weeksStudied', 'minutes'],
      },
    },
    totals: {
      type: 'array',
      items: { type: 'object', properties: { week: { type: 'string' }, studied: { type: 'integer' }, total: { type: 'integer' }, rate: { type: ['number', 'null'] } }, required: ['week', 'studied', 'total', 'rate'] },
    },
  },
  required: ['from', 'to', 'group', 'weeks', 'members', 'totals'],
} as const

/** The completion grid (weeks × members) and service hours by month, for the branch's charts. */
const gridRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }

  app.get('/branch/grid', { ...opts, schema: { response: { 200: gridResponseSchema } } }, async (request): Promise<GridResponse> => {
    const locale = localeOf(request)
    const { branch } = await secretaryBranch(request)
    const group = (queryValue(request, 'group') ?? 'all') as MemberGroup
    if (!MEMBER_GROUPS.includes(group))
      throw validationError([{ path: 'group', message: t(locale, 'group') }], locale)
    const now = currentWeek(branch.timeZone)
    const to = queryValue(request, 'to') ?? now
    const from = queryValue(request, 'from') ?? (isWeekKey(to) ? shiftWeek(to, -(GRID_DEFAULT_WEEKS - 1)) : to)
    const weeks = isWeekKey(from) && isWeekKey(to) && from <= to ? weeksBetween(from, to, GRID_MAX_WEEKS) : null
    if (!weeks)
      throw validationError([{ path: isWeekKey(from) ? 'to' : 'from', message: t(locale, 'weekRange') }], locale)
    const { members, totals } = await app.storage.grid.grid(branch.id, weeks, group)
    return { from, to, group, weeks, members, totals }
  })

  app.get('/branch/service-months', opts, async (request): Promise<ServiceMonthsResponse> => {
    const locale = localeOf(request)
    const { branch } = await secretaryBranch(request)
    const to = queryValue(request, 'to') ?? monthOf(todayIn(branch.timeZone))
    const from = queryValue(request, 'from') ?? (isMonthKey(to) ? shiftMonth(to, -11) : to)
    if (!isMonthKey(from) || !isMonthKey(to) || from > to || monthsBetween(from, to).length > SERVICE_MONTHS_MAX)
      throw validationError([{ path: isMonthKey(from) ? 'to' : 'from', message: t(locale, 'monthRange') }], locale)
    return app.storage.grid.serviceMonths(branch.id, from, to)
  })
}

export default gridRoutes
