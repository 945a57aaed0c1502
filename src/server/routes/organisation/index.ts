import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { SummaryResponse } from '../../../domain/branch'
import type { FieldIssue } from '../../../domain/records'
import type { OrganisationSummary, SummaryBranch } from '../../reports/summary'
import { UUID_RE } from '../../../domain/records'
import { isMonthKey, monthOf, shiftMonth } from '../../../domain/summary'
import { currentWeek, DEFAULT_TIME_ZONE, isWeekKey, todayIn } from '../../../domain/week'
import { organisationSecretaryOf, requireOrganisationSecretary } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { buildOrganisationSummary, buildSummary } from '../../reports/summary'
import { bodyObject, textField } from '../../validation'
import { pathId, queryValue } from '../branch/guard'
import organisationGridRoutes from './grid'
import organisationInviteRoutes from './invite'
import organisationProblemRoutes from './problems'
import organisationRecordRoutes from './records'

const byName = new Intl.Collator('zh-CN')

/** One branch's week in the organisation's completion view. */
interface BranchWeek {
  branchId: string
  name: string
  week: string
  total: number
  completed: number
  missing: { id: string, name: string }[]
}

/**
 * The organisation secretary's views (组织管理员, issue #14): sign-in with the admin command's
 * one-time code, the organisation and its branches, this week's completion per branch, the
 * monthly summary as a whole and per branch. Reads only: nothing here writes a branch's data, and
 * an organisation token is no member token, so every member and branch route refuses it (401).
 */
const organisationRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireOrganisationSecretary }
  await app.register(organisationGridRoutes)
  await app.register(organisationProblemRoutes)
  await app.register(organisationInviteRoutes)
  await app.register(organisationRecordRoutes)

  app.post('/organisation/claim', async (request, reply) => {
    const locale = localeOf(request)
    const issues: FieldIssue[] = []
    const code = textField(bodyObject(request.body).code, 'code', 1, 64, 'signInCode', locale, issues)
    if (issues.length > 0 || code === null)
      throw validationError(issues, locale)
    const outcome = await app.failureLimits.codes.attempt(request.ip, async () => app.storage.organisationSecretaries.redeem(code), o => o.result !== 'ok')
    if (outcome.result !== 'ok')
      throw new ApiError('invalid_invite', outcome.result === 'used' ? 'codeUsed' : outcome.result === 'expired' ? 'codeExpired' : 'codeUnknown')
    reply.status(201)
    return { token: outcome.token, secretary: outcome.secretary }
  })

  // The caller's organisation and its branches (each with its time zone), scoping every query.
  async function scope(request: FastifyRequest) {
    const secretary = organisationSecretaryOf(request)
    const organisation = await app.storage.db.selectFrom('organisations').select(['id', 'name', 'kind']).where('id', '=', secretary.organisationId).executeTakeFirst()
    if (!organisation)
      throw new ApiError('unauthorized', 'unauthorized')
    const rows = await app.storage.db.selectFrom('branches').select(['id', 'name', 'time_zone']).where('organisation_id', '=', organisation.id).execute()
    const branches: SummaryBranch[] = rows.map(r => ({ id: r.id, name: r.name, timeZone: r.time_zone || DEFAULT_TIME_ZONE })).sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
    return { secretary, organisation, branches }
  }

  // `?month=` (default: last month in Beijing time).
  function monthOfRequest(request: FastifyRequest): string {
    const month = queryValue(request, 'month') ?? shiftMonth(monthOf(todayIn(DEFAULT_TIME_ZONE)), -1)
    if (!isMonthKey(month))
      throw validationError([{ path: 'month', message: t(localeOf(request), 'month') }], localeOf(request))
    return month
  }

  app.get('/organisation', opts, async (request) => {
    const { secretary, organisation, branches } = await scope(request)
    return { organisation, secretary: { id: secretary.id, name: secretary.name }, branches: branches.map(b => ({ id: b.id, name: b.name })) }
  })

  app.get('/organisation/completion', opts, async (request): Promise<{ branches: BranchWeek[] }> => {
    const { branches } = await scope(request)
    const requested = queryValue(request, 'week')
    if (requested !== undefined && !isWeekKey(requested))
      throw validationError([{ path: 'week', message: t(localeOf(request), 'week') }], localeOf(request))
    const out: BranchWeek[] = []
    for (const branch of branches) {
      const week = requested ?? currentWeek(branch.timeZone)
      const members = await app.storage.completion.weekForBranch(branch.id, week)
      const missing = members.filter(m => !m.studied).sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
      out.push({ branchId: branch.id, name: branch.name, week, total: members.length, completed: members.length - missing.length, missing: missing.map(m => ({ id: m.id, name: m.name })) })
    }
    return { branches: out }
  })

  app.get('/organisation/summary', opts, async (request): Promise<OrganisationSummary> => {
    const { branches } = await scope(request)
    return buildOrganisationSummary(app.storage, branches, monthOfRequest(request), localeOf(request))
  })

  app.get('/organisation/branches/:id/summary', opts, async (request): Promise<SummaryResponse> => {
    const { branches } = await scope(request)
    const id = pathId(request)
    const branch = UUID_RE.test(id) ? branches.find(b => b.id === id) : undefined
    if (!branch)
      throw new ApiError('not_found', 'organisationBranchNotFound')
    return buildSummary(app.storage, branch, monthOfRequest(request), localeOf(request))
  })
}

export default organisationRoutes
