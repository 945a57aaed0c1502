/** A month of the 服务 list as the composable gives it: totals of the whole month, its logs newest first. */
export interface ServiceMonthLike<T> {
  month: string
  hours: number
  count: number
  logs: readonly T[]
}

/** One line of the 服务 list as drawn: a month's heading, or a log with its place among all logs. */
export type ServiceEntry<T> = { kind: 'heading', key: string, month: ServiceMonthLike<T> } | { kind: 'row', key: string, row: T, position: number }

/** The list as drawn, newest first: each month's heading (with its whole-month totals), then its logs. */
export function serviceEntries<T extends { id: string }>(months: readonly ServiceMonthLike<T>[]): ServiceEntry<T>[] {
  const entries: ServiceEntry<T>[] = []
  let position = 0
  for (const month of months) {
    entries.push({ kind: 'heading', key: `month-${month.month}`, month })
    for (const row of month.logs)
      entries.push({ kind: 'row', key: row.id, row, position: ++position })
  }
  return entries
}
