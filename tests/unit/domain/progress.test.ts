import { describe, expect, it } from 'vitest'
import { progressSummary, serviceMonths, serviceTotals, studiedWeeks, studyStreak, yearWeeks } from '@/domain/progress'

const weeks = (...keys: string[]) => new Set(keys)

describe('study streak', () => {
  it('runs on across the year end: 2026-W53 then 2027-W01 are consecutive', () => {
    expect(studyStreak(weeks('2026-W52', '2026-W53', '2027-W01'), '2027-W01')).toBe(3)
    // The dates behind those weeks: 2026-12-31 is in 2026-W53, 2027-01-04 in 2027-W01.
    expect(studyStreak(studiedWeeks([{ date: '2026-12-31', minutes: 30 }, { date: '2027-01-04', minutes: 30 }]), '2027-W01')).toBe(2)
  })

  it('is not broken by a current week not studied yet, but by a week missed before it', () => {
    expect(studyStreak(weeks('2026-W46', '2026-W47'), '2026-W48')).toBe(2)
    expect(studyStreak(weeks('2026-W46', '2026-W47', '2026-W48'), '2026-W48')).toBe(3)
    expect(studyStreak(weeks('2026-W45', '2026-W47'), '2026-W48')).toBe(1)
    expect(studyStreak(weeks('2026-W45', '2026-W46'), '2026-W48')).toBe(0)
    expect(studyStreak(weeks(), '2026-W48')).toBe(0)
  })

  it('ignores deleted check-ins', () => {
    expect(studiedWeeks([{ date: '2026-11-23', minutes: 30, deleted: true }]).size).toBe(0)
  })
})

describe('year strip', () => {
  it('has 53 cells in 2026 and 52 in 2027, marking the studied weeks', () => {
    const cells = yearWeeks(2026, weeks('2026-W01', '2026-W53'))
    expect(cells).toHaveLength(53)
    expect(cells[0]).toEqual({ week: '2026-W01', studied: true })
    expect(cells[1]).toEqual({ week: '2026-W02', studied: false })
    expect(cells[52]).toEqual({ week: '2026-W53', studied: true })
    expect(yearWeeks(2027, weeks())).toHaveLength(52)
  })
})

describe('service totals and 人次', () => {
  const log = (id: string, date: string, hours: number, extra: object = {}) => ({ id, memberId: 'm1', date, hours, ...extra })

  it('counts one member in one activity once, however many residents it served', () => {
    expect(serviceTotals([log('a', '2026-11-02', 2, { peopleServed: 40 }), log('b', '2026-11-03', 1.5)])).toEqual({ hours: 3.5, count: 2 })
    // The same activity listed twice is still one 人次; another member in it is one more.
    expect(serviceTotals([log('a', '2026-11-02', 2), log('a', '2026-11-02', 2), { ...log('a', '2026-11-02', 2), memberId: 'm2' }])).toEqual({ hours: 4, count: 2 })
    expect(serviceTotals([log('a', '2026-11-02', 2, { deleted: true })])).toEqual({ hours: 0, count: 0 })
  })

  it('groups by month, newest month first, with each month\'s totals', () => {
    const months = serviceMonths([log('c', '2026-11-20', 1), log('a', '2026-10-05', 2), log('b', '2026-11-01', 0.5), log('d', '2026-09-01', 3, { deleted: true })])
    expect(months.map(m => [m.month, m.hours, m.count, m.logs.map(l => l.id)])).toEqual([
      ['2026-11', 1.5, 2, ['c', 'b']],
      ['2026-10', 2, 1, ['a']],
    ])
  })
})

describe('progress summary', () => {
  it('sums this week, this month and this year, with the streak and strip', () => {
    const today = '2026-11-25' // Wednesday of 2026-W48
    const summary = progressSummary({
      checkins: [
        { date: '2026-11-23', minutes: 30 },
        { date: '2026-11-25', minutes: 45 },
        { date: '2026-11-16', minutes: 60 },
        { date: '2026-01-05', minutes: 20 },
        { date: '2025-12-30', minutes: 90 },
        { date: '2026-11-24', minutes: 99, deleted: true },
      ],
      services: [
        { id: 's1', memberId: 'm', date: '2026-11-24', hours: 2 },
        { id: 's2', memberId: 'm', date: '2026-11-02', hours: 1.5 },
        { id: 's3', memberId: 'm', date: '2026-03-02', hours: 4 },
      ],
      notes: [
        { updatedAt: Date.parse('2026-11-24T10:00:00+08:00') },
        // 2026-10-31 23:30 UTC is already 11-01 in Shanghai: this month.
        { updatedAt: Date.parse('2026-10-31T23:30:00Z') },
        { updatedAt: Date.parse('2026-02-01T10:00:00+08:00'), deleted: true },
      ],
      problems: [{ date: '2026-11-23' }, { date: '2026-06-01' }],
    }, today)
    expect(summary.week).toEqual({ checkins: 2, minutes: 75, serviceHours: 2, serviceCount: 1, notes: 1, problems: 1 })
    expect(summary.month).toEqual({ checkins: 3, minutes: 135, serviceHours: 3.5, serviceCount: 2, notes: 2, problems: 1 })
    expect(summary.year).toEqual({ checkins: 4, minutes: 155, serviceHours: 7.5, serviceCount: 3, notes: 2, problems: 2 })
    expect(summary.streak).toBe(2)
    expect(summary.stripYear).toBe(2026)
    expect(summary.yearWeeks).toHaveLength(53)
    // 2025-12-30 lies in 2026-W01 (the strip is by ISO week) but not in the calendar year 2026.
    expect(summary.yearWeeks.filter(c => c.studied).map(c => c.week)).toEqual(['2026-W01', '2026-W02', '2026-W47', '2026-W48'])
  })
})
