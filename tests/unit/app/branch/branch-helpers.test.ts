import { describe, expect, it } from 'vitest'
import { dispositionFilename, queryString } from '@/app/api/branch'
import { defaultWeekRange, formatPercent, participationPercent, rateChartOption, serviceChartOption, weekShortLabel, weekSpan } from '@/app/composables/branch/grid'
import { monthParts, previousMonth } from '@/app/composables/branch/months'
import { reminderText } from '@/app/composables/branch/reminder'
import { i18n } from '@/app/i18n'
import '@/app/i18n/branch'

const t = (key: string, params: Record<string, unknown>) => i18n.global.t(key, params)

describe('复制提醒', () => {
  it('names the week by its Monday and Sunday and lists who has not studied', () => {
    i18n.global.locale.value = 'zh-CN'
    // 2026-W48 runs from Monday 23 November to Sunday 29 November.
    expect(reminderText(t, '2026-W48', ['张三', '李四'])).toBe(
      '【学习提醒】本周（11月23日—11月29日）还有以下同志未完成学习打卡：张三、李四。请抽空完成学习并在学习打卡中签到。',
    )
  })

  it('crosses a year boundary and speaks English when the app does', () => {
    i18n.global.locale.value = 'en'
    try {
      // 2026-W53 is Monday 28 December 2026 to Sunday 3 January 2027.
      expect(reminderText(t, '2026-W53', ['Zhang San', 'Li Si'])).toBe(
        '[Study reminder] This week (28/12 to 3/1) these comrades have not checked in yet: Zhang San, Li Si. Please find time to study and check in on Study Log.',
      )
    }
    finally {
      i18n.global.locale.value = 'zh-CN'
    }
  })
})

describe('completion grid helpers', () => {
  it('defaults to the 12 weeks up to the current one, across a year end', () => {
    expect(defaultWeekRange('2026-W48')).toEqual({ from: '2026-W37', to: '2026-W48' })
    expect(defaultWeekRange('2027-W03')).toEqual({ from: '2026-W45', to: '2027-W03' })
    expect(weekSpan('2026-W45', '2027-W03')).toBe(12)
  })

  it('counts a range inclusively and a reversed one as empty', () => {
    expect(weekSpan('2026-W48', '2026-W48')).toBe(1)
    expect(weekSpan('2026-W48', '2026-W47')).toBe(0)
    expect(weekSpan('2025-W01', '2026-W52')).toBe(104)
  })

  it('writes rates as the report does, with one decimal', () => {
    expect(participationPercent(28, 30)).toBe(93.3)
    expect(participationPercent(30, 30)).toBe(100)
    expect(participationPercent(0, 0)).toBe(0)
    expect(formatPercent(93.3)).toBe('93.3%')
    expect(formatPercent(100)).toBe('100%')
  })

  it('labels a week column by its Monday', () => {
    expect(weekShortLabel('2026-W48')).toBe('11/23')
    expect(weekShortLabel('2026-W01')).toBe('12/29')
  })

  it('builds the charts from the figures, one point per week and per month', () => {
    const texts = { rate: '参学率', hours: '小时', count: '人次', month: (m: string) => `${Number(m.slice(5))}月` }
    const rate = rateChartOption([{ week: '2026-W47', studied: 27, total: 30, rate: 90 }, { week: '2026-W48', studied: 0, total: 0, rate: null }], texts)
    expect(rate.xAxis.data).toEqual(['11/16', '11/23'])
    expect(rate.series[0]!.data).toEqual([90, 0])
    const service = serviceChartOption([{ month: '2026-10', hours: 12.5, count: 9, members: 6 }, { month: '2026-11', hours: 3, count: 2, members: 2 }], texts)
    expect(service.xAxis.data).toEqual(['10月', '11月'])
    expect(service.series.map(s => s.data)).toEqual([[12.5, 3], [9, 2]])
  })
})

describe('summary months', () => {
  it('defaults to the month before today, across a year', () => {
    expect(previousMonth('2026-11-24')).toBe('2026-10')
    expect(previousMonth('2027-01-01')).toBe('2026-12')
    expect(monthParts('2026-09')).toEqual({ year: 2026, month: 9 })
  })
})

describe('aPI helpers', () => {
  it('leaves empty filters out of the query', () => {
    expect(queryString({ status: 'open', category: '', community: undefined })).toBe('?status=open')
    expect(queryString({ community: '和平 社区' })).toBe('?community=%E5%92%8C%E5%B9%B3+%E7%A4%BE%E5%8C%BA')
    expect(queryString({})).toBe('')
  })

  it('takes the Chinese file name from an RFC 5987 Content-Disposition, else the plain one', () => {
    const header = `attachment; filename="summary-2026-10.docx"; filename*=UTF-8''${encodeURIComponent('2026年10月阶段性总结.docx')}`
    expect(dispositionFilename(header)).toBe('2026年10月阶段性总结.docx')
    expect(dispositionFilename('attachment; filename="summary.csv"')).toBe('summary.csv')
    expect(dispositionFilename(null)).toBeNull()
  })
})

describe('secretary pages\' messages', () => {
  it('have every key in both languages', async () => {
    const zh = (await import('@/app/i18n/branch/zh-CN.json')).default
    const en = (await import('@/app/i18n/branch/en.json')).default
    const keys = (value: unknown, prefix = ''): string[] => typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, inner]) => keys(inner, `${prefix}${key}.`))
      : [prefix.slice(0, -1)]
    expect(keys(en)).toEqual(keys(zh))
    expect(keys(zh).length).toBeGreaterThan(100)
  })
})
