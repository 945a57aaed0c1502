import { describe, expect, it } from 'vitest'
import { isMonthKey, monthRange, shiftMonth, startOfDayIn } from '../../../src/domain/summary'
import { addDays, isIsoDate, isWeekKey, shiftWeek, weekKey, weekRange } from '../../../src/domain/week'

/**
 * The ends of the four-digit calendar (found by tests/server/fuzz.test.ts answering 500): years
 * 0–99 are not 1900–1999, and a date, week or month from outside stays one year clear of 0000 and
 * 9999, so the day, week or month next to it can still be written `YYYY`.
 */
describe('calendar range', () => {
  it('reads years 0001–0099 as themselves', () => {
    expect(isIsoDate('0050-06-01')).toBe(true)
    expect(isIsoDate('0050-02-29')).toBe(false)
    expect(isIsoDate('0048-02-29')).toBe(true)
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01')
    expect(weekKey('0050-06-01')).toBe('0050-W22')
    expect(isWeekKey('0050-W01')).toBe(true)
    expect(weekRange('0001-W01')).toEqual({ start: '0001-01-01', end: '0001-01-07' })
    expect(startOfDayIn('0050-06-01', 'UTC')).toBe(Date.parse('0050-06-01T00:00:00Z'))
  })

  it('accepts years 0001–9998 only, and computes the neighbours of their ends', () => {
    for (const bad of ['0000-01-01', '9999-01-01', '9999-12-31'])
      expect(isIsoDate(bad), bad).toBe(false)
    for (const bad of ['0000-W01', '9999-W01', '9999-W52'])
      expect(isWeekKey(bad), bad).toBe(false)
    for (const bad of ['0000-01', '9999-01', '9999-12'])
      expect(isMonthKey(bad), bad).toBe(false)
    expect(isMonthKey('0001-01')).toBe(true)
    expect(isMonthKey('9998-12')).toBe(true)
    expect(monthRange('9998-12')).toEqual({ start: '9998-12-01', end: '9998-12-31' })
    expect(shiftMonth('0001-01', -1)).toBe('0000-12')
    expect(shiftWeek('9998-W53', 1)).toBe('9999-W01')
    expect(shiftWeek('0001-W01', -1)).toBe('0000-W52')
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError)
  })
})
