import { weekRange } from '@/domain/week'

/** The i18n lookup the reminder is worded with (vue-i18n's `t`). */
export type Translate = (key: string, params: Record<string, unknown>) => string

function dayParams(date: string): { month: number, day: number } {
  return { month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) }
}

/**
 * The reminder a secretary pastes into the branch's chat group: the week's dates and the names of
 * those who have not studied, e.g. "【学习提醒】本周（11月23日—11月29日）还有以下同志未完成学习打卡：张三、李四。…".
 */
export function reminderText(t: Translate, week: string, names: readonly string[]): string {
  const { start, end } = weekRange(week)
  return t('branch.reminder.text', {
    start: t('branch.reminder.day', dayParams(start)),
    end: t('branch.reminder.day', dayParams(end)),
    names: names.join(t('branch.reminder.separator', {})),
  })
}
