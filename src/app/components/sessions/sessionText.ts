import type { BranchSessionRow } from '@/app/db/database'
import { lastDay } from './sessionDays'

/** The i18n lookup (vue-i18n's `t`). */
export type Translate = (key: string, params?: Record<string, unknown>) => string

/** When a session is held, as a line: `2026-12-02 19:30`, or `2026-12-02 至 2026-12-03` over several days. */
export function sessionWhen(t: Translate, session: Pick<BranchSessionRow, 'date' | 'endDate' | 'time'>): string {
  const last = lastDay(session)
  const days = last === session.date ? t('sessions.when', { date: session.date }) : t('sessions.whenRange', { date: session.date, endDate: last })
  return session.time ? `${days} ${session.time}` : days
}
