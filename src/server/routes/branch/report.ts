import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Locale } from '../../../domain/locale'
import type { ReportConflictBody, ReportParagraph, ReportResponse } from '../../../domain/report'
import type { StoredReport } from '../../storage/repositories/report-drafts'
import { monthTitle, REPORT_LIMITS } from '../../../domain/report'
import { isMonthKey, monthOf, shiftMonth } from '../../../domain/summary'
import { todayIn } from '../../../domain/week'
import { errorBody, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { reportDocx } from '../../reports/docx'
import { branchReport, recordsBehind } from '../../reports/report'
import { reportXlsx } from '../../reports/xlsx'
import { queryValue, requireSecretary, secretaryBranch } from './guard'

/** `attachment` with an ASCII fallback name and the real (Chinese) name per RFC 5987. */
export function attachment(asciiName: string, name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encoded}`
}

const PARAGRAPH_ID = /^[\w.]{1,40}$/

/**
 * The report's paragraphs with a PUT body's `paragraphs` written over them: each edit names a
 * paragraph of `current` and its new template (control characters other than line breaks removed:
 * they cannot reach a Word file). A malformed list, an unknown id or an over-long template is a
 * 400 at `paragraphs`, and nothing is written.
 */
export function editedParagraphs(edits: unknown, current: readonly ReportParagraph[], locale: Locale): ReportParagraph[] {
  const known = new Set(current.map(p => p.id))
  const bad = () => validationError([{ path: 'paragraphs', message: t(locale, 'reportParagraphs') }], locale)
  if (!Array.isArray(edits) || edits.length > REPORT_LIMITS.paragraphs)
    throw bad()
  const templates = new Map<string, string>()
  for (const edit of edits as unknown[]) {
    const { id, template } = (edit ?? {}) as Record<string, unknown>
    if (typeof id !== 'string' || !PARAGRAPH_ID.test(id) || !known.has(id) || typeof template !== 'string' || [...template].length > REPORT_LIMITS.templateChars)
      throw bad()
    // eslint-disable-next-line no-control-regex
    templates.set(id, template.replace(/[\u0000-\u0009\v\f\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/\r\n?/g, '\n'))
  }
  return current.map(p => templates.has(p.id) ? { ...p, template: templates.get(p.id)! } : p)
}

/**
 * The month's 阶段性总结 (issue #14): GET the draft, PUT the secretary's paragraphs over a revision
 * (a stale one gets 409 with the current report), POST /final to freeze it (定稿), and the Word and
 * Excel files. Secretaries of the branch only; every query is scoped to the caller's branch.
 */
const reportRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }

  // The month of a query (`?month=`) or body, by default last month in the branch's time zone.
  async function scope(request: FastifyRequest, fromBody = false) {
    const locale = localeOf(request)
    const { secretary, branch } = await secretaryBranch(request)
    const raw = fromBody ? (request.body as Record<string, unknown> | null | undefined)?.month : queryValue(request, 'month')
    const month = raw === undefined && !fromBody ? shiftMonth(monthOf(todayIn(branch.timeZone)), -1) : raw
    if (typeof month !== 'string' || !isMonthKey(month))
      throw validationError([{ path: 'month', message: t(locale, 'month') }], locale)
    return { locale, secretary, branch, month, unit: { scope: 'branch' as const, unitId: branch.id, month } }
  }

  function revisionOf(request: FastifyRequest, locale: ReturnType<typeof localeOf>): number {
    const revision = (request.body as Record<string, unknown>).revision
    if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0)
      throw validationError([{ path: 'revision', message: t(locale, 'reportRevision') }], locale)
    return revision
  }

  function conflict(reply: FastifyReply, locale: ReturnType<typeof localeOf>, current: ReportResponse, finalised: boolean) {
    const body: ReportConflictBody = { ...errorBody(locale, 'conflict', finalised ? 'reportFinalised' : 'reportConflict') as ReportConflictBody, current }
    return reply.status(409).send(body)
  }

  app.get('/branch/report', opts, async (request): Promise<ReportResponse> => {
    const { branch, month } = await scope(request)
    return branchReport(app.storage, branch, month)
  })

  app.put('/branch/report', opts, async (request, reply) => {
    const body = request.body
    const locale = localeOf(request)
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw validationError([{ path: 'month', message: t(locale, 'month') }], locale)
    const { secretary, branch, month, unit } = await scope(request, true)
    const revision = revisionOf(request, locale)
    const current = await branchReport(app.storage, branch, month)
    const paragraphs = editedParagraphs((body as Record<string, unknown>).paragraphs, current.paragraphs, locale)
    if (current.finalisedAt !== null || revision !== current.revision)
      return conflict(reply, locale, current, current.finalisedAt !== null)
    const result = await app.storage.reports.write(unit, revision, paragraphs, secretary.id, Date.now())
    if ('conflict' in result)
      return conflict(reply, locale, await branchReport(app.storage, branch, month, result.conflict ?? null), Boolean(result.conflict?.finalisedAt))
    return branchReport(app.storage, branch, month, result.ok)
  })

  app.post('/branch/report/final', opts, async (request, reply) => {
    const body = request.body
    const locale = localeOf(request)
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw validationError([{ path: 'month', message: t(locale, 'month') }], locale)
    const { secretary, branch, month, unit } = await scope(request, true)
    const revision = revisionOf(request, locale)
    const current = await branchReport(app.storage, branch, month)
    if (current.finalisedAt !== null || revision !== current.revision)
      return conflict(reply, locale, current, current.finalisedAt !== null)
    const now = Date.now()
    const result = await app.storage.reports.write(unit, revision, current.paragraphs, secretary.id, now, { figures: current.figures, on: todayIn(branch.timeZone, now) })
    if ('conflict' in result)
      return conflict(reply, locale, await branchReport(app.storage, branch, month, result.conflict ?? null), Boolean(result.conflict?.finalisedAt))
    return branchReport(app.storage, branch, month, result.ok as StoredReport)
  })

  app.get('/branch/report.docx', opts, async (request, reply) => {
    const { branch, month } = await scope(request)
    const report = await branchReport(app.storage, branch, month)
    return reply
      .header('Content-Type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('Content-Disposition', attachment(`report-${month}.docx`, `${branch.name}${monthTitle(month)}阶段性总结.docx`))
      .header('Cache-Control', 'no-store')
      .send(await reportDocx(report))
  })

  app.get('/branch/report.xlsx', opts, async (request, reply) => {
    const { branch, month } = await scope(request)
    const report = await branchReport(app.storage, branch, month)
    return reply
      .header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', attachment(`report-${month}.xlsx`, `${branch.name}${monthTitle(month)}阶段性总结.xlsx`))
      .header('Cache-Control', 'no-store')
      .send(await reportXlsx(report, await recordsBehind(app.storage, branch, report)))
  })
}

export default reportRoutes
