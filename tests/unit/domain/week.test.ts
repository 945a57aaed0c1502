import { describe, expect, it } from 'vitest'
import { addDays, currentWeek, isIsoDate, isoWeekday, isWeekKey, shiftWeek, todayIn, weekKey, weekLabel, weekRange, weeksInYear } from '@/domain/week'

describe('weekKey', () => {
  it.each([
    ['2026-11-24', '2026-W48'],
    ['2026-12-28', '2026-W53'],
    ['2026-12-31', '2026-W53'],
    ['2027-01-01', '2026-W53'],
    ['2027-01-03', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'],
    ['2020-02-29', '2020-W09'],
    ['2023-01-01', '2022-W52'],
  ])('%s is in %s', (date, week) => {
    expect(weekKey(date)).toBe(week)
  })

  it('starts weeks on Monday', () => {
    expect(weekKey('2026-11-22')).toBe('2026-W47') // Sunday
    expect(weekKey('2026-11-23')).toBe('2026-W48') // Monday
    expect(isoWeekday('2026-11-22')).toBe(7)
    expect(isoWeekday('2026-11-23')).toBe(1)
  })
})

describe('weekRange and shiftWeek', () => {
  it('gives Monday to Sunday, across a year end', () => {
    expect(weekRange('2026-W53')).toEqual({ start: '2026-12-28', end: '2027-01-03' })
    expect(weekRange('2027-W01')).toEqual({ start: '2027-01-04', end: '2027-01-10' })
    expect(weekRange('2025-W01')).toEqual({ start: '2024-12-30', end: '2025-01-05' })
  })

  it('round-trips every day of several years', () => {
    let date = '2019-12-25'
    while (date < '2028-01-10') {
      const { start, end } = weekRange(weekKey(date))
      expect(start <= date && date <= end).toBe(true)
      date = addDays(date, 1)
    }
  })

  it('moves by weeks over year ends', () => {
    expect(shiftWeek('2026-W53', 1)).toBe('2027-W01')
    expect(shiftWeek('2027-W01', -1)).toBe('2026-W53')
    expect(shiftWeek('2026-W48', -52)).toBe('2025-W48')
  })

  it('knows 53-week years', () => {
    expect(weeksInYear(2026)).toBe(53)
    expect(weeksInYear(2027)).toBe(52)
    expect(weeksInYear(2020)).toBe(53)
    expect(isWeekKey('2026-W53')).toBe(true)
    expect(isWeekKey('2027-W53')).toBe(false)
    expect(isWeekKey('2027-W00')).toBe(false)
    expect(isWeekKey('2027-w01')).toBe(false)
    expect(() => weekRange('2027-W53')).toThrow(RangeError)
  })
})

describe('dates', () => {
  it('rejects impossible dates', () => {
    expect(isIsoDate('2026-02-29')).toBe(false)
    expect(isIsoDate('2028-02-29')).toBe(true)
    expect(isIsoDate('2026-13-01')).toBe(false)
    expect(isIsoDate('2026-1-01')).toBe(false)
    expect(isIsoDate('')).toBe(false)
  })

  it('takes today in the branch time zone, not UTC', () => {
    // 2026-11-29 17:30 UTC is already Monday 2026-11-30 01:30 in Shanghai.
    const now = Date.UTC(2026, 10, 29, 17, 30)
    expect(todayIn('Asia/Shanghai', now)).toBe('2026-11-30')
    expect(todayIn('UTC', now)).toBe('2026-11-29')
    expect(currentWeek('Asia/Shanghai', now)).toBe('2026-W49')
    expect(currentWeek('UTC', now)).toBe('2026-W48')
  })
})

describe('weekLabel', () => {
  it.each([
    ['2026-W49', 'zh-CN', '第49周 · 11月30日–12月6日'],
    ['2026-W49', 'en', 'Week 49 · 30 Nov – 6 Dec'],
    ['2026-W01', 'zh-CN', '第1周 · 12月29日–1月4日'],
    ['2026-W53', 'en', 'Week 53 · 28 Dec – 3 Jan'],
    ['2027-W09', 'en', 'Week 9 · 1 Mar – 7 Mar'],
  ] as const)('%s in %s reads %s', (week, locale, label) => {
    expect(weekLabel(week, locale)).toBe(label)
  })

  it('refuses what is not a week key', () => {
    expect(() => weekLabel('2026-W54', 'zh-CN')).toThrow(RangeError)
  })
})
