import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { SummaryRecordsResponse, SummaryResponse } from '../../../domain/branch'
import { monthTitle } from '../../../domain/report'
import { figureSpec, isMonthKey, monthOf, shiftMonth } from '../../../domain/summary'
import { todayIn } from '../../../domain/week'
import { localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { summaryCsv } from '../../reports/csv'
import { reportDocx } from '../../reports/docx'
import { branchReport } from '../../reports/report'
import { buildSummary } from '../../reports/summary'
import { queryValue, requireSecretary, secretaryBranch } from './guard'
import { attachment } from './report'

/** The monthly phase summary: figures and sentences, the rows behind a figure, Word (the report) and CSV exports. */
const summaryRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }

  // `?month=` (default: last month in the branch's time zone) and the branch it is for.
  async function monthOfRequest(request: FastifyRequest) {
    const locale = localeOf(request)
    const { branch } = await secretaryBranch(request)
    const month = queryValue(request, 'month') ?? shiftMonth(monthOf(todayIn(branch.timeZone)), -1)
    if (!isMonthKey(month))
      throw validationError([{ path: 'month', message: t(locale, 'month') }], locale)
    return { locale, branch, month }
  }

  app.get('/branch/summary', opts, async (request): Promise<SummaryResponse> => {
    const { locale, branch, month } = await monthOfRequest(request)
    return buildSummary(app.storage, branch, month, locale)
  })

  app.get('/branch/summary/records', opts, async (request): Promise<SummaryRecordsResponse> => {
    const { locale, branch, month } = await monthOfRequest(request)
    const key = queryValue(request, 'figure') ?? ''
    const spec = figureSpec(key)
    if (!spec)
      throw validationError([{ path: 'figure', message: t(locale, 'figure') }], locale)
    const summary = await buildSummary(app.storage, branch, month, locale)
    const figure = summary.figures.find(f => f.key === key)!
    const records = await app.storage.summary.records({ branchId: branch.id, month, timeZone: branch.timeZone }, spec)
    return { month, figure, records }
  })

  // The month's report as Word (the same file as /branch/report.docx: the draft or the 定稿).
  app.get('/branch/summary.docx', opts, async (request, reply) => {
    const { branch, month } = await monthOfRequest(request)
    const report = await branchReport(app.storage, branch, month)
    return reply
      .header('Content-Type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('Content-Disposition', attachment(`summary-${month}.docx`, `${branch.name}${monthTitle(month)}阶段性总结.docx`))
      .header('Cache-Control', 'no-store')
      .send(await reportDocx(report))
  })

  app.get('/branch/summary.csv', opts, async (request, reply) => {
    const { branch, month } = await monthOfRequest(request)
    const summary = await buildSummary(app.storage, branch, month, 'zh-CN')
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', attachment(`summary-${month}.csv`, `${branch.name}${monthTitle(month)}阶段性总结.csv`))
      .header('Cache-Control', 'no-store')
      .send(summaryCsv(branch.name, summary))
  })
}

export default summaryRoutes
