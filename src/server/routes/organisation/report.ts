import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { OrganisationRecordsResponse, OrganisationReportResponse } from '../../../domain/organisationReport'
import type { SummaryBranch } from '../../reports/summary'
import type { StoredReport } from '../../storage/repositories/report-drafts'
import { monthTitle } from '../../../domain/report'
import { figureSpec, isMonthKey, monthOf, shiftMonth } from '../../../domain/summary'
import { DEFAULT_TIME_ZONE, todayIn } from '../../../domain/week'
import { organisationSecretaryOf, requireOrganisationSecretary } from '../../auth'
import { ApiError, errorBody, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { reportDocx } from '../../reports/docx'
import { organisationReport, organisationReportCsv, organisationReportXlsx, recordsBehindPerBranch } from '../../reports/organisation-report'
import { queryValue } from '../branch/guard'
import { attachment, editedParagraphs } from '../branch/report'

const byName = new Intl.Collator('zh-CN')

/**
 * The organisation's 阶段性总结 (issue #14), for its secretary (组织管理员): GET the draft (the
 * roll-up of its branches, each figure linking to its records per branch), PUT its paragraphs over
 * a revision (a stale one, or any write after 定稿, gets 409 with the report as it is), POST /final
 * to freeze the text and every figure (the roll-up's and each branch's) with the day, and the Word,
 * Excel and CSV files. As the branch report does, with `scope: 'organisation'` rows of
 * report_drafts; every query is scoped to the caller's organisation and its branches.
 */
const organisationReportRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireOrganisationSecretary }

  // The caller's organisation, its branches and the month (`?month=` or the body's; by default
  // last month in Beijing time, as the organisation's summary).
  async function scope(request: FastifyRequest, fromBody = false) {
    const locale = localeOf(request)
    const secretary = organisationSecretaryOf(request)
    const organisation = await app.storage.db.selectFrom('organisations').select(['id', 'name']).where('id', '=', secretary.organisationId).executeTakeFirst()
    if (!organisation)
      throw new ApiError('unauthorized', 'unauthorized')
    const rows = await app.storage.db.selectFrom('branches').select(['id', 'name', 'time_zone']).where('organisation_id', '=', organisation.id).execute()
    const branches: SummaryBranch[] = rows.map(r => ({ id: r.id, name: r.name, timeZone: r.time_zone || DEFAULT_TIME_ZONE })).sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
    const raw = fromBody ? (request.body as Record<string, unknown>).month : queryValue(request, 'month')
    const month = raw === undefined && !fromBody ? shiftMonth(monthOf(todayIn(DEFAULT_TIME_ZONE)), -1) : raw
    if (typeof month !== 'string' || !isMonthKey(month))
      throw validationError([{ path: 'month', message: t(locale, 'month') }], locale)
    return { locale, secretary, organisation, branches, month, unit: { scope: 'organisation' as const, unitId: organisation.id, month } }
  }

  function bodyOf(request: FastifyRequest): Record<string, unknown> {
    const body = request.body
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw validationError([{ path: 'month', message: t(localeOf(request), 'month') }], localeOf(request))
    return body as Record<string, unknown>
  }

  function revisionOf(body: Record<string, unknown>, locale: ReturnType<typeof localeOf>): number {
    const revision = body.revision
    if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0)
      throw validationError([{ path: 'revision', message: t(locale, 'reportRevision') }], locale)
    return revision
  }

  function conflict(reply: FastifyReply, locale: ReturnType<typeof localeOf>, current: OrganisationReportResponse) {
    const finalised = current.finalisedAt !== null
    return reply.status(409).send({ ...errorBody(locale, 'conflict', finalised ? 'reportFinalised' : 'reportConflict'), current })
  }

  app.get('/organisation/report', opts, async (request): Promise<OrganisationReportResponse> => {
    const { organisation, branches, month } = await scope(request)
    return organisationReport(app.storage, organisation, branches, month)
  })

  app.put('/organisation/report', opts, async (request, reply) => {
    const body = bodyOf(request)
    const { locale, secretary, organisation, branches, month, unit } = await scope(request, true)
    const revision = revisionOf(body, locale)
    const current = await organisationReport(app.storage, organisation, branches, month)
    const paragraphs = editedParagraphs(body.paragraphs, current.paragraphs, locale)
    if (current.finalisedAt !== null || revision !== current.revision)
      return conflict(reply, locale, current)
    // One conditional statement decides: of writers over one revision exactly one is stored.
    const result = await app.storage.reports.write(unit, revision, paragraphs, secretary.id, Date.now())
    if ('conflict' in result)
      return conflict(reply, locale, await organisationReport(app.storage, organisation, branches, month, result.conflict ?? null))
    return organisationReport(app.storage, organisation, branches, month, result.ok)
  })

  app.post('/organisation/report/final', opts, async (request, reply) => {
    const body = bodyOf(request)
    const { locale, secretary, organisation, branches, month, unit } = await scope(request, true)
    const revision = revisionOf(body, locale)
    const current = await organisationReport(app.storage, organisation, branches, month)
    if (current.finalisedAt !== null || revision !== current.revision)
      return conflict(reply, locale, current)
    const now = Date.now()
    const result = await app.storage.reports.write(unit, revision, current.paragraphs, secretary.id, now, { figures: current.figures, on: todayIn(DEFAULT_TIME_ZONE, now), branchFigures: current.branches })
    if ('conflict' in result)
      return conflict(reply, locale, await organisationReport(app.storage, organisation, branches, month, result.conflict ?? null))
    return organisationReport(app.storage, organisation, branches, month, result.ok as StoredReport)
  })

  // The rows behind one figure of the month, per branch (each branch's own rows by the same rule).
  app.get('/organisation/report/records', opts, async (request): Promise<OrganisationRecordsResponse> => {
    const { locale, branches, month } = await scope(request)
    const key = queryValue(request, 'figure') ?? ''
    const spec = figureSpec(key)
    if (!spec)
      throw validationError([{ path: 'figure', message: t(locale, 'reportFigure') }], locale)
    const out: OrganisationRecordsResponse['branches'] = []
    for (const branch of branches) {
      const summaryScope = { branchId: branch.id, month, timeZone: branch.timeZone }
      const { values } = await app.storage.summary.values(summaryScope)
      out.push({ branchId: branch.id, name: branch.name, value: values[key] ?? null, records: await app.storage.summary.records(summaryScope, spec) })
    }
    return { month, figure: key, label: spec.label[locale], branches: out }
  })

  const file = (kind: 'docx' | 'xlsx' | 'csv') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { organisation, branches, month } = await scope(request)
    const report = await organisationReport(app.storage, organisation, branches, month)
    const name = `${organisation.name}${monthTitle(month)}阶段性总结.${kind}`
    const types = { docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' }
    const content = kind === 'docx'
      ? await reportDocx(report)
      : kind === 'xlsx'
        ? await organisationReportXlsx(report, await recordsBehindPerBranch(app.storage, branches, report))
        : organisationReportCsv(report)
    return reply
      .header('Content-Type', types[kind])
      .header('Content-Disposition', attachment(`organisation-report-${month}.${kind}`, name))
      .header('Cache-Control', 'no-store')
      .send(content)
  }
  app.get('/organisation/report.docx', opts, file('docx'))
  app.get('/organisation/report.xlsx', opts, file('xlsx'))
  app.get('/organisation/report.csv', opts, file('csv'))
}

export default organisationReportRoutes
