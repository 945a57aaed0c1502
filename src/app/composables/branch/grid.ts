import type { GridWeekTotal, ServiceMonth } from '@/domain/branch'
import { GRID_DEFAULT_WEEKS } from '@/domain/branch'
import { shiftWeek, weekRange } from '@/domain/week'

/** The default range of the grid: the last 12 weeks up to and including `current`. */
export function defaultWeekRange(current: string): { from: string, to: string } {
  return { from: shiftWeek(current, -(GRID_DEFAULT_WEEKS - 1)), to: current }
}

/** Weeks from `from` to `to`, both included (0 when `to` is before `from`). */
export function weekSpan(from: string, to: string): number {
  const days = (Date.parse(weekRange(to).start) - Date.parse(weekRange(from).start)) / 86_400_000
  return days < 0 ? 0 : Math.round(days / 7) + 1
}

/** Share of members who studied, in percent with one decimal (the report writes 93.3%); 0 of 0 is 0. */
export function participationPercent(studied: number, total: number): number {
  return total > 0 ? Math.round((studied / total) * 1000) / 10 : 0
}

/** A percentage as the report writes it: `93.3%`, `100%`. */
export function formatPercent(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`
}

/** A week column's short label: its Monday as `M/D` (the week key is in the column's full name). */
export function weekShortLabel(week: string): string {
  const start = weekRange(week).start
  return `${Number(start.slice(5, 7))}/${Number(start.slice(8, 10))}`
}

/** Names the charts need from i18n. */
export interface ChartTexts {
  rate: string
  hours: string
  count: string
  /** A month's axis label (10月 / Oct). */
  month: (month: string) => string
}

/** ECharts option for the participation rate by week (a line, 0–100%). */
export function rateChartOption(totals: readonly GridWeekTotal[], texts: ChartTexts) {
  return {
    animation: false,
    grid: { left: 40, right: 12, top: 24, bottom: 28 },
    tooltip: { trigger: 'axis' as const, valueFormatter: (value: unknown) => formatPercent(Number(value)) },
    xAxis: { type: 'category' as const, data: totals.map(total => weekShortLabel(total.week)) },
    yAxis: { type: 'value' as const, min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{
      name: texts.rate,
      type: 'line' as const,
      data: totals.map(total => participationPercent(total.studied, total.total)),
      itemStyle: { color: '#c8102e' },
    }],
  }
}

/** ECharts option for service hours (bars) and 人次 (line) by month. */
export function serviceChartOption(months: readonly ServiceMonth[], texts: ChartTexts) {
  return {
    animation: false,
    grid: { left: 40, right: 40, top: 32, bottom: 28 },
    legend: { top: 0, data: [texts.hours, texts.count] },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'category' as const, data: months.map(month => texts.month(month.month)) },
    yAxis: [{ type: 'value' as const, minInterval: 1 }, { type: 'value' as const, minInterval: 1 }],
    series: [
      { name: texts.hours, type: 'bar' as const, data: months.map(month => month.hours), itemStyle: { color: '#c8102e' } },
      { name: texts.count, type: 'line' as const, yAxisIndex: 1, data: months.map(month => month.count), itemStyle: { color: '#1a7f37' } },
    ],
  }
}
