import type { SummaryResponse } from '../../../src/domain/branch'
import { describe, expect, it } from 'vitest'
import { defaultParagraphs, fromEditable, renderTemplate, renderText, reportFigures, toEditable, weeksOfMonth } from '../../../src/domain/report'
import { SUMMARY_FIGURES, UNIT_LABELS } from '../../../src/domain/summary'

// A summary as any source gives it (a branch's month now, an organisation's roll-up later).
function summaryWith(values: Record<string, number>, month = '2025-10'): SummaryResponse {
  return {
    month,
    from: `${month}-01`,
    to: `${month}-31`,
    figures: SUMMARY_FIGURES.map(f => ({ key: f.key, label: f.label['zh-CN'], value: values[f.key] ?? 0, unit: UNIT_LABELS[f.unit]['zh-CN'], ...(f.key === 'members.withoutStudy' && values[f.key] ? { detail: '丁、戊' } : {}) })),
    sentences: [],
  }
}

describe('the report draft', () => {
  it('names every figure by a label of its own, so 〔label〕 in the editor maps back to one key', () => {
    const figures = reportFigures(summaryWith({}))
    expect(new Set(figures.map(f => f.label)).size).toBe(figures.length)
    for (const p of defaultParagraphs('第一支部', summaryWith({ 'members.retired': 1, 'members.withoutStudy': 2 }))) {
      const editable = toEditable(p.template, figures)
      expect(editable).not.toMatch(/\{[\w.]+\}/)
      expect(fromEditable(editable, figures), p.id).toBe(p.template)
    }
  })

  it('fills placeholders as segments linking to the records, leaves unknown ones as written', () => {
    const figures = reportFigures(summaryWith({ 'branchStudy.held': 3, 'branchStudy.rate': 66.7, 'members.withoutStudy': 2 }))
    const segments = renderTemplate('开展{branchStudy.held}次，参学率{branchStudy.rate}%，{nope}，未学：{members.withoutStudyNames}', figures)
    expect(segments.map(s => s.text).join('')).toBe('开展3次，参学率66.7%，{nope}，未学：丁、戊')
    expect(segments.filter(s => 'figure' in s).map(s => 'figure' in s && s.figure.recordsOf)).toEqual(['branchStudy.held', 'branchStudy.rate', 'members.withoutStudy'])
    // A secretary's 〔unknown〕 stays text.
    expect(fromEditable('〔不是统计项〕〔支部集中学习〕', figures)).toBe('〔不是统计项〕{branchStudy.held}')
  })

  it('counts weeks without a 支部集中学习: October 2025 has 5 ISO weeks', () => {
    expect(weeksOfMonth('2025-10')).toEqual(['2025-W40', '2025-W41', '2025-W42', '2025-W43', '2025-W44'])
    // Without the summary's own count of such weeks: the month's weeks less those held.
    const fromHeld = summaryWith({ 'branchStudy.held': 2 })
    fromHeld.figures = fromHeld.figures.filter(f => f.key !== 'branchStudy.weeksWithout')
    expect(renderText('{weeks.total}周中{weeks.withoutBranchStudy}周', reportFigures(fromHeld))).toBe('5周中3周')
    // With it (sessions, issue #13: several in a week count once), the summary's own.
    const counted = summaryWith({ 'branchStudy.held': 4 })
    counted.figures = [...counted.figures.filter(f => f.key !== 'branchStudy.weeksWithout'), { key: 'branchStudy.weeksWithout', label: '未开展支部集中学习的周', value: 2 }]
    expect(renderText('{weeks.withoutBranchStudy}', reportFigures(counted))).toBe('2')
  })

  it('chooses the 存在问题 evidence the figures give', () => {
    const texts = (values: Record<string, number>) => defaultParagraphs('支部', summaryWith(values)).filter(p => p.id.startsWith('problems.')).map(p => p.template)
    const weak = texts({ 'members.withoutStudy': 2, 'members.retired': 1, 'branchStudy.held': 2, 'branchStudy.weeksWithout': 3, 'exchange.held': 0 })
    expect(weak).toHaveLength(4)
    expect(weak[0]).toContain('{members.withoutStudy}名未参加任何学习（{members.withoutStudyNames}）')
    expect(weak[1]).toContain('{weeks.withoutBranchStudy}周未开展支部集中学习')
    const strong = texts({ 'branchStudy.held': 5, 'exchange.held': 2, 'seminar.held': 1 })
    expect(strong).toEqual(['一是学习教育覆盖面不广。对周边群众宣传教育的辐射范围有待进一步加强。'])
  })
})
