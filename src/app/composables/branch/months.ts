import { monthOf, shiftMonth } from '@/domain/summary'

/** The month before the one `today` is in: the summary a secretary writes at the start of a month. */
export function previousMonth(today: string): string {
  return shiftMonth(monthOf(today), -1)
}

/** Year and month number of a `YYYY-MM` key, for the UI's own wording (2026年10月 / 10/2026). */
export function monthParts(month: string): { year: number, month: number } {
  return { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) }
}
