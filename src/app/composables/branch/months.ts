import { isIsoDate } from '@/domain/week'

/** Calendar months as `YYYY-MM` keys, the way the summary and the service chart name them. */

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/

/** Whether `value` is a `YYYY-MM` month key. */
export function isMonthKey(value: string): boolean {
  return MONTH_RE.test(value)
}

/** The month a `YYYY-MM-DD` date falls in. */
export function monthOf(date: string): string {
  if (!isIsoDate(date))
    throw new RangeError(`not a date: ${date}`)
  return date.slice(0, 7)
}

/** The month `offset` months after `month` (negative: before). */
export function shiftMonth(month: string, offset: number): string {
  const match = MONTH_RE.exec(month)
  if (!match)
    throw new RangeError(`not a month: ${month}`)
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + offset
  const year = Math.floor(index / 12)
  return `${String(year).padStart(4, '0')}-${String(index - year * 12 + 1).padStart(2, '0')}`
}

/** The month before the one `today` is in: the summary a secretary writes at the start of a month. */
export function previousMonth(today: string): string {
  return shiftMonth(monthOf(today), -1)
}

/** Year and month number of a month key, for the UI's own wording (2026年10月 / 10/2026). */
export function monthParts(month: string): { year: number, month: number } {
  return { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) }
}
