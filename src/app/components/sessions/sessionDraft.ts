import type { BranchSessionRow } from '@/app/db/database'
import type { SessionInput } from '@/app/stores/branchSessions'
import type { SessionForm } from '@/domain/sessions'

/** A session as 新建活动 / 编辑 holds it: every text as typed, '' for an empty optional field. */
export interface SessionDraft {
  form: SessionForm
  topic: string
  date: string
  endDate: string
  time: string
  place: string
  host: string
  speaker: string
  materialIds: string[]
}

/** The form's starting draft: the session being edited, or a 支部集中学习 today. */
export function sessionDraft(session: BranchSessionRow | null | undefined, today: string): SessionDraft {
  return {
    form: session?.form ?? 'branch_study',
    topic: session?.topic ?? '',
    date: session?.date ?? today,
    endDate: session?.endDate ?? '',
    time: session?.time ?? '',
    place: session?.place ?? '',
    host: session?.host ?? '',
    speaker: session?.speaker ?? '',
    materialIds: [...(session?.materialIds ?? [])],
  }
}

const optional = (text: string): string | null => text.trim() || null

/** The session a draft stands for, trimmed; an empty optional field is none (null clears it on an edit). */
export function sessionInput(draft: SessionDraft): SessionInput {
  return {
    form: draft.form,
    topic: draft.topic.trim(),
    date: draft.date,
    endDate: draft.endDate && draft.endDate !== draft.date ? draft.endDate : null,
    time: optional(draft.time),
    place: optional(draft.place),
    host: optional(draft.host),
    speaker: optional(draft.speaker),
    materialIds: [...draft.materialIds],
  } as SessionInput
}
