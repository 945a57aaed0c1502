import type { SummaryResponse } from '../../domain/branch'
import { monthTitle } from '../../domain/report'

/**
 * The monthly summary as CSV for Excel: a UTF-8 BOM (so Excel reads Chinese), CRLF lines, one
 * block per section (a title line, a header row, the figures), then the sentences.
 */

/** Quotes a field when it holds a comma, quote, line break or edge space; a leading formula sign is defused. */
export function csvField(value: string | number): string {
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text))
    text = `'${text}`
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const SECTIONS: [string, (key: string) => boolean][] = [
  ['学习情况', key => key.startsWith('branchStudy.') || key.endsWith('.held') || key.startsWith('study.')],
  ['社区服务（双报到双服务）', key => key.startsWith('service.')],
  ['为民办实事问题清单', key => key.startsWith('problems.')],
  ['读书笔记', key => key.startsWith('notes.')],
  ['退休党员居家学习', key => key.startsWith('homeStudy.')],
]

export const CSV_HEADER = ['统计项', '数值', '单位', '每月目标', '说明', '统计键']

export function summaryCsv(branchName: string, summary: SummaryResponse): string {
  const lines: string[] = [csvField(`${branchName}${monthTitle(summary.month)}阶段性总结`), `${csvField('统计期间')},${summary.from},${summary.to}`, '']
  const placed = new Set<string>()
  for (const [title, belongs] of SECTIONS) {
    const figures = summary.figures.filter(f => !placed.has(f.key) && belongs(f.key))
    if (figures.length === 0)
      continue
    lines.push(csvField(title), CSV_HEADER.join(','))
    for (const f of figures) {
      placed.add(f.key)
      lines.push([f.label, f.value, f.unit ?? '', f.target ?? '', f.detail ?? '', f.key].map(csvField).join(','))
    }
    lines.push('')
  }
  lines.push(csvField('情况表述（草稿）'), csvField('文字'))
  for (const sentence of summary.sentences)
    lines.push(csvField(sentence))
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
