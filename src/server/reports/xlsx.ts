import type { BranchRecord } from '../../domain/branch'
import type { ReportParagraph, ReportResponse } from '../../domain/report'
import ExcelJS from 'exceljs'
import { renderText } from '../../domain/report'

/**
 * The 阶段性总结 as an Excel workbook (exceljs): a sheet per part of the report (its paragraphs,
 * then a table of the figures they cite: 统计项, 数值, 单位, 统计键), and 数据明细, the records
 * behind each cited figure, one row per record under the figure's key.
 */

const STUDY_FORM_LABELS_ZH: Record<string, string> = { branch_study: '支部集中学习', party_lecture: '专题党课', party_day: '主题党日', reading_class: '读书班', seminar: '专题研讨', exchange: '学习交流', training: '专题培训', self_study: '个人自学', home_study: '居家学习' }
const SERVICE_ACTIVITY_LABELS_ZH: Record<string, string> = { publicity: '宣讲', visit: '走访慰问', volunteer: '志愿服务', charity_purchase: '爱心消费', other: '其他' }

interface Part { sheet: string, paragraphs: ReportParagraph[] }

// The report's parts: the title and opening go with 一, each heading1 starts the next part.
function parts(report: ReportResponse): Part[] {
  const names = ['一、主题教育开展情况', '二、主要做法及成效', '三、存在问题', '四、下一步工作计划']
  const result: Part[] = []
  let current: Part = { sheet: '标题与开头', paragraphs: [] }
  result.push(current)
  for (const p of report.paragraphs) {
    if (p.kind === 'heading1') {
      current = { sheet: (names.find(n => n === p.template) ?? p.template).slice(0, 31), paragraphs: [] }
      result.push(current)
    }
    current.paragraphs.push(p)
  }
  // Sheet names are unique and at most 31 characters.
  const seen = new Set<string>()
  for (const part of result) {
    let name = part.sheet.replace(/[[\]:*?/\\]/g, ' ')
    for (let i = 2; seen.has(name); i++)
      name = `${part.sheet.slice(0, 28)}(${i})`
    seen.add(name)
    part.sheet = name
  }
  return result
}

// A cell's text never starts a formula when Excel re-reads it as typed text.
export const safe = (text: string): string => /^[=+\-@]/.test(text) ? `'${text}` : text

export function recordSummary(record: BranchRecord): { date: string, what: string } {
  switch (record.table) {
    case 'studyCheckins':
      return { date: record.data.date, what: `${STUDY_FORM_LABELS_ZH[record.data.form] ?? record.data.form}：${record.data.topic}（${record.data.minutes}分钟）` }
    case 'serviceLogs':
      return { date: record.data.date, what: `${SERVICE_ACTIVITY_LABELS_ZH[record.data.activity] ?? record.data.activity}：${record.data.community}，${record.data.hours}小时${record.data.peopleServed ? `，服务群众${record.data.peopleServed}人` : ''}` }
    case 'readingNotes':
      return { date: new Date(record.updatedAt).toISOString().slice(0, 10), what: record.data.title }
    case 'problems':
      return { date: record.data.date, what: `${record.data.title}（${record.data.status === 'solved' ? '已解决' : record.data.status === 'in_progress' ? '正在推进' : '待解决'}${record.data.ownerName ? `，责任人：${record.data.ownerName}` : ''}）` }
  }
}

/** The .xlsx bytes of a report and the records behind its figures (by summary figure key). */
export async function reportXlsx(report: ReportResponse, records: ReadonlyMap<string, readonly BranchRecord[]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  book.creator = '学习打卡'
  const byKey = new Map(report.figures.map(f => [f.key, f]))
  addPartSheets(book, report)
  const detail = book.addWorksheet('数据明细')
  addDetail(detail, byKey, records)
  if (report.finalisedOn)
    detail.addRow([`本报告于${report.finalisedOn}定稿，数字以定稿时为准；明细为导出时的记录。`])
  return Buffer.from(await book.xlsx.writeBuffer())
}

/** A sheet per part of the report: its paragraphs, then the figures they cite (统计项, 数值, 单位, 统计键). */
export function addPartSheets(book: ExcelJS.Workbook, report: ReportResponse): void {
  const byKey = new Map(report.figures.map(f => [f.key, f]))
  for (const part of parts(report)) {
    const sheet = book.addWorksheet(part.sheet)
    sheet.columns = [{ width: 24 }, { width: 12 }, { width: 8 }, { width: 30 }]
    for (const p of part.paragraphs) {
      const row = sheet.addRow([safe(renderText(p.template, report.figures))])
      sheet.mergeCells(row.number, 1, row.number, 4)
      row.getCell(1).alignment = { wrapText: true, vertical: 'top' }
      row.getCell(1).font = { bold: p.kind !== 'body', size: p.kind === 'title' ? 16 : 11 }
    }
    const cited = [...new Set(part.paragraphs.flatMap(p => [...p.template.matchAll(/\{([\w.]+)\}/g)].map(m => m[1]!)))].map(k => byKey.get(k)).filter(f => f !== undefined)
    if (cited.length === 0)
      continue
    sheet.addRow([])
    const header = sheet.addRow(['统计项', '数值', '单位', '统计键'])
    header.font = { bold: true }
    for (const f of cited)
      sheet.addRow([f.label, f.value ?? f.text, f.unit, f.key])
  }
}

/** The records behind each figure (by summary key), one row per record under the figure's label and key. */
export function addDetail(detail: ExcelJS.Worksheet, byKey: ReadonlyMap<string, { label: string }>, records: ReadonlyMap<string, readonly BranchRecord[]>): void {
  detail.columns = [{ header: '统计项', width: 20 }, { header: '统计键', width: 26 }, { header: '党员', width: 10 }, { header: '日期', width: 12 }, { header: '内容', width: 50 }, { header: '记录ID', width: 38 }]
  detail.getRow(1).font = { bold: true }
  for (const [key, rows] of records) {
    const label = byKey.get(key)?.label ?? key
    for (const r of rows) {
      const { date, what } = recordSummary(r)
      detail.addRow([label, key, r.memberName, date, safe(what), r.id])
    }
  }
}
