import type { FastifyPluginAsync } from 'fastify'
import type { SummaryRecordsResponse } from '../../../domain/branch'
import { UUID_RE } from '../../../domain/records'
import { figureSpec, isMonthKey, monthOf, shiftMonth } from '../../../domain/summary'
import { DEFAULT_TIME_ZONE, todayIn } from '../../../domain/week'
import { requireOrganisationSecretary } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { buildSummary } from '../../reports/summary'
import { pathId, queryValue } from '../branch/guard'
import { organisationScope } from './scope'

/**
 * GET /organisation/branches/:id/summary/records?month=&figure= (issue #14): the records behind one
 * figure of one branch of the organisation, the body its secretary's /branch/summary/records gives.
 * One figure of one branch and month at a time, as a branch secretary reads them: no bulk export of
 * members' rows. Another organisation's branch is 404.
 */
const organisationRecordRoutes: FastifyPluginAsync = async (app) => {
  app.get('/organisation/branches/:id/summary/records', { onRequest: requireOrganisationSecretary }, async (request): Promise<SummaryRecordsResponse> => {
    const locale = localeOf(request)
    const { branches } = await organisationScope(request)
    const id = pathId(request)
    const branch = UUID_RE.test(id) ? branches.find(b => b.id === id) : undefined
    if (!branch)
      throw new ApiError('not_found', 'organisationBranchNotFound')
    const month = queryValue(request, 'month') ?? shiftMonth(monthOf(todayIn(DEFAULT_TIME_ZONE)), -1)
    const key = queryValue(request, 'figure') ?? ''
    const spec = figureSpec(key)
    if (!isMonthKey(month) || !spec)
      throw validationError([...(isMonthKey(month) ? [] : [{ path: 'month', message: t(locale, 'month') }]), ...(spec ? [] : [{ path: 'figure', message: t(locale, 'figure') }])], locale)
    const summary = await buildSummary(app.storage, branch, month, locale)
    const figure = summary.figures.find(f => f.key === key)!
    const records = await app.storage.summary.records({ branchId: branch.id, month, timeZone: branch.timeZone }, spec)
    return { month, figure, records }
  })
}

export default organisationRecordRoutes
