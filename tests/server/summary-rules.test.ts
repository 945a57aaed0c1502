import { describe, expect, it } from 'vitest'
import { figureSpec, isMonthKey, monthInstants, monthRange, monthsBetween, percent, reportNumber, shiftMonth, startOfDayIn, SUMMARY_FIGURES, summarySentences } from '../../src/domain/summary'

/** The summary's pure parts (src/domain/summary.ts): months, instants in a time zone, figures, sentences. */

describe('summary rules', () => {
  it('knows months: keys, ranges with leap days, shifts across years, spans', () => {
    expect(['2026-11', '2026-01', '0001-12'].every(isMonthKey)).toBe(true)
    expect(['2026-13', '2026-00', '2026-1', '26-11', '2026-11-01'].some(isMonthKey)).toBe(false)
    expect(monthRange('2024-02')).toEqual({ start: '2024-02-01', end: '2024-02-29' })
    expect(monthRange('2025-02')).toEqual({ start: '2025-02-01', end: '2025-02-28' })
    expect(monthRange('2025-12')).toEqual({ start: '2025-12-01', end: '2025-12-31' })
    expect(shiftMonth('2026-01', -1)).toBe('2025-12')
    expect(shiftMonth('2025-12', 1)).toBe('2026-01')
    expect(shiftMonth('2026-11', -23)).toBe('2024-12')
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
    expect(monthsBetween('2026-02', '2026-01')).toEqual([])
  })

  it('puts a month\'s edges at local midnight in the branch\'s time zone', () => {
    expect(startOfDayIn('2026-01-01', 'Asia/Shanghai')).toBe(Date.parse('2025-12-31T16:00:00Z'))
    expect(startOfDayIn('2026-01-01', 'UTC')).toBe(Date.parse('2026-01-01T00:00:00Z'))
    // Across a daylight-saving change: New York is UTC-4 on 1 April, UTC-5 on 1 March.
    expect(monthInstants('2026-03', 'America/New_York')).toEqual({ start: Date.parse('2026-03-01T05:00:00Z'), end: Date.parse('2026-04-01T04:00:00Z') })
    expect(() => startOfDayIn('2026-02-30', 'UTC')).toThrow(RangeError)
  })

  it('has unique keys, a unit and both labels for every figure, and the report\'s targets', () => {
    const keys = SUMMARY_FIGURES.map(f => f.key)
    expect(new Set(keys).size).toBe(keys.length)
    for (const f of SUMMARY_FIGURES)
      expect(f.label['zh-CN'].length * f.label.en.length, f.key).toBeGreaterThan(0)
    expect(figureSpec('exchange.held')?.target).toBe(2)
    expect(figureSpec('seminar.held')?.target).toBe(1)
    // Held sessions are the branch's session records (issue #13), no longer inferred from check-ins.
    expect(figureSpec('branchStudy.held')?.rule).toEqual({ source: 'sessions', forms: ['branch_study'], measure: 'held' })
    expect(figureSpec('nope')).toBeUndefined()
  })

  it('rounds percentages and numbers as the report writes them', () => {
    expect(percent(112, 120)).toBe(93.3)
    expect(percent(2, 3)).toBe(66.7)
    expect(percent(0, 0)).toBeNull()
    expect([reportNumber(9), reportNumber(172.5), reportNumber(0.30000000000000004)]).toEqual(['9', '172.5', '0.3'])
  })

  it('writes an empty month plainly, without inventing activities', () => {
    expect(summarySentences({ 'branchStudy.rate': null })).toEqual([
      '本月共开展支部集中学习0次，参学党员0人次，参学率0%。',
      '组织学习交流活动0次（计划每月2次），开展专题研讨0次（计划每月1次）。',
      '本月暂无党员社区服务记录。',
      '截至本月底，共收集各类问题0个，已解决0个，0个正在推进过程中。',
    ])
  })

  it('names only the service kinds that happened, and the brief\'s example sentence', () => {
    const sentences = summarySentences({ 'branchStudy.held': 4, 'branchStudy.attendance': 112, 'branchStudy.rate': 93.3, 'service.count': 3, 'service.members': 2, 'service.hours': 4.5, 'service.byActivity.visit': 2, 'service.byActivity.other': 1, 'partyLecture.held': 1 })
    expect(sentences[0]).toBe('本月共开展支部集中学习4次，参学党员112人次，参学率93.3%。')
    expect(sentences).toContain('举办专题党课1次。')
    expect(sentences).toContain('落实党员“双报到双服务”，2名党员深入社区开展走访慰问等社区活动3人次，服务时长4.5小时。')
  })
})
