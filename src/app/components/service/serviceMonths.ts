/** A month of the 服务 list as the composable gives it: totals of the whole month, its logs newest first. */
export interface ServiceMonthLike<T> {
  month: string
  hours: number
  count: number
  logs: readonly T[]
}

/**
 * The months to draw when at most `limit` logs are shown: whole months first, the last one cut
 * short. Each keeps its whole-month totals (the heading tells the month, not the page).
 */
export function visibleMonths<T>(months: readonly ServiceMonthLike<T>[], limit: number): ServiceMonthLike<T>[] {
  const shown: ServiceMonthLike<T>[] = []
  let left = limit
  for (const month of months) {
    if (left <= 0)
      break
    shown.push(month.logs.length <= left ? month : { ...month, logs: month.logs.slice(0, left) })
    left -= month.logs.length
  }
  return shown
}
