import type { ServiceLogRow } from '@/app/db/database'
import type { ServiceActivity, ServiceLogData } from '@/domain/records'

/** A service log as its form holds it: number fields keep what was typed until saved. */
export interface ServiceLogDraft {
  date: string
  community: string
  activity: ServiceActivity
  hours: string | number
  peopleServed: string | number
  description: string
}

/** The form's starting draft: the log being edited, or a new one dated `today` at `community`. */
export function serviceLogDraft(log: ServiceLogRow | null | undefined, today: string, community = ''): ServiceLogDraft {
  return {
    date: log?.date ?? today,
    community: log?.community ?? community,
    activity: log?.activity ?? 'volunteer',
    hours: log?.hours ?? '',
    peopleServed: log?.peopleServed ?? '',
    description: log?.description ?? '',
  }
}

/** A number field's value, NaN when not a number so the schema's message for it is shown. */
function numberOf(value: string | number): number {
  const text = String(value).trim()
  return text === '' ? Number.NaN : Number(text)
}

/** The service log a draft stands for, trimmed; an empty 服务人数 is null (not recorded). */
export function serviceLogData(draft: ServiceLogDraft): ServiceLogData {
  const people = String(draft.peopleServed).trim()
  return {
    date: draft.date,
    community: draft.community.trim(),
    activity: draft.activity,
    hours: numberOf(draft.hours),
    peopleServed: people === '' ? null : numberOf(people),
    description: draft.description.trim(),
  }
}
