import type { BranchRecord } from '../../domain/branch'
import type { OrganisationMonth, OrganisationReportResponse } from '../../domain/organisationReport'
import type { ReportFigure } from '../../domain/report'
import type { Storage } from '../storage'
import type { StoredReport } from '../storage/repositories/report-drafts'
import type { SummaryBranch } from './summary'
import { Buffer } from 'node:buffer'
import ExcelJS from 'exceljs'
import { branchColumns, organisationParagraphs, organisationReportFigures } from '../../domain/organisationReport'
import { monthTitle, renderText } from '../../domain/report'
import { figureSpec } from '../../domain/summary'
import { csvField } from './csv'
import { citedFigures } from './report'
import { buildOrganisationSummary } from './summary'
import { addDetail, addPartSheets, safe } from './xlsx'

/**
 * An organisation's report for a month (issue #14): the stored draft (or the generated one while
 * nothing is stored) with the roll-up's figures live until 定稿, then the roll-up and every
 * branch's figures as frozen with it. Its files: Word as a branch report's, Excel with a sheet per
 * part, 各支部数字 (each figure per branch) and a sheet of records per branch, and CSV.
 */

export interface ReportOrganisation { id: string, name: string }

/** The organisation's month: the roll-up and each branch's own summary (zh-CN labels, as the report writes them). */
export async function organisationMonth(storage: Storage, branches: readonly SummaryBranch[], month: string): Promise<OrganisationMonth> {
  return buildOrganisationSummary(storage, branches, month, 'zh-CN')
}

export async function organisationReport(storage: Storage, organisation: ReportOrganisation, branches: readonly SummaryBranch[], month: string, stored?: StoredReport | null): Promise<OrganisationReportResponse> {
  const kept = stored === undefined ? await storage.reports.get({ scope: 'organisation', unitId: organisation.id, month }) : stored ?? undefined
  const head = { month, unitName: organisation.name, organisationId: organisation.id }
  const state = (k: StoredReport) => ({ revision: k.revision, finalisedAt: k.finalisedAt, finalisedOn: k.finalisedOn, paragraphs: k.paragraphs })
  if (kept?.figures)
    return { ...head, ...state(kept), figures: kept.figures, branches: kept.branchFigures ?? [] }
  const live = await organisationMonth(storage, branches, month)
  const figures = organisationReportFigures(live)
  const columns = branchColumns(live)
  return kept
    ? { ...head, ...state(kept), figures, branches: columns }
    : { ...head, revision: 0, finalisedAt: null, finalisedOn: null, paragraphs: organisationParagraphs(organisation.name, live), figures, branches: columns }
}

/** Per branch, the live rows behind each summary figure the report cites (by summary key). */
export async function recordsBehindPerBranch(storage: Storage, branches: readonly SummaryBranch[], report: OrganisationReportResponse): Promise<{ branch: SummaryBranch, records: Map<string, BranchRecord[]> }[]> {
  const specs = [...new Map(citedFigures(report).map(f => figureSpec(f.recordsOf)).filter(s => s !== undefined).map(s => [s.key, s])).values()]
  const out: { branch: SummaryBranch, records: Map<string, BranchRecord[]> }[] = []
  for (const branch of branches) {
    const records = new Map<string, BranchRecord[]>()
    for (const spec of specs)
      records.set(spec.key, await storage.summary.records({ branchId: branch.id, month: report.month, timeZone: branch.timeZone }, spec))
    out.push({ branch, records })
  }
  return out
}

// Excel sheet names: at most 31 characters, none of []:*?/\, unique.
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31)
  let result = base
  for (let i = 2; taken.has(result); i++)
    result = `${base.slice(0, 27)}(${i})`
  taken.add(result)
  return result
}

const cell = (f: ReportFigure | undefined): string | number => f === undefined ? '' : f.value ?? f.text

/**
 * The workbook: the report's parts as in a branch report; 各支部数字, each figure the report cites
 * with the roll-up's value and each branch's; then 明细-<branch>, the records behind each cited
 * figure in that branch.
 */
export async function organisationReportXlsx(report: OrganisationReportResponse, perBranch: readonly { branch: SummaryBranch, records: ReadonlyMap<string, readonly BranchRecord[]> }[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  book.creator = '学习打卡'
  addPartSheets(book, report)
  const taken = new Set(book.worksheets.map(w => w.name))
  const grid = book.addWorksheet(sheetName('各支部数字', taken))
  grid.columns = [{ width: 24 }, { width: 12 }, ...report.branches.map(() => ({ width: 14 })), { width: 8 }, { width: 30 }]
  const header = grid.addRow(['统计项', '全系统', ...report.branches.map(b => b.name), '单位', '统计键'])
  header.font = { bold: true }
  for (const f of citedFigures(report)) {
    const columns = report.branches.map(b => cell(b.figures.find(x => x.key === f.key)))
    grid.addRow([f.label, cell(f), ...columns.map(c => typeof c === 'string' ? safe(c) : c), f.unit, f.key])
  }
  const byKey = new Map(report.figures.map(f => [f.key, f]))
  for (const { branch, records } of perBranch) {
    const sheet = book.addWorksheet(sheetName(`明细-${branch.name}`, taken))
    addDetail(sheet, byKey, records)
  }
  if (report.finalisedOn)
    grid.addRow([`本报告于${report.finalisedOn}定稿，数字以定稿时为准；明细为导出时的记录。`])
  return Buffer.from(await book.xlsx.writeBuffer())
}

/**
 * The report as CSV for Excel (UTF-8 with BOM, CRLF): the title, each figure the report cites with
 * the roll-up's and each branch's value, then the report's paragraphs as text.
 */
export function organisationReportCsv(report: OrganisationReportResponse): string {
  const lines: string[] = [csvField(`${report.unitName}${monthTitle(report.month)}阶段性总结`), '']
  lines.push(['统计项', '全系统', ...report.branches.map(b => b.name), '单位', '统计键'].map(csvField).join(','))
  for (const f of citedFigures(report))
    lines.push([f.label, cell(f), ...report.branches.map(b => cell(b.figures.find(x => x.key === f.key))), f.unit, f.key].map(csvField).join(','))
  lines.push('', csvField('总结正文'))
  for (const p of report.paragraphs)
    lines.push(csvField(renderText(p.template, report.figures)))
  if (report.finalisedOn)
    lines.push('', csvField(`本报告于${report.finalisedOn}定稿`))
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
