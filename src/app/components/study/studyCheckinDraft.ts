import type { StudyCheckinRow } from '@/app/db/database'
import type { StudyCheckinData, StudyForm } from '@/domain/records'

/** A study check-in as its form holds it: number fields keep what was typed until saved. */
export interface StudyCheckinDraft {
  form: StudyForm
  date: string
  topic: string
  minutes: string | number
  note: string
}

/** The form's starting draft: the check-in being edited, or a new one dated `today`. */
export function studyCheckinDraft(checkin: StudyCheckinRow | null | undefined, today: string): StudyCheckinDraft {
  return {
    form: checkin?.form ?? 'branch_study',
    date: checkin?.date ?? today,
    topic: checkin?.topic ?? '',
    minutes: checkin?.minutes ?? '',
    note: checkin?.note ?? '',
  }
}

/**
 * The check-in a draft stands for, trimmed. For an `edited` check-in a cleared note becomes null
 * (so the server drops it) and its link to a 资料 is kept.
 */
export function studyCheckinData(draft: StudyCheckinDraft, edited?: StudyCheckinRow | null): StudyCheckinData {
  // Vue's v-model hands a type="number" input's value back as a number, or '' when empty.
  const text = String(draft.minutes).trim()
  const data: StudyCheckinData = {
    form: draft.form,
    date: draft.date,
    topic: draft.topic.trim(),
    // An empty or non-numeric entry stays NaN so the schema's minutes message is shown.
    minutes: text === '' ? Number.NaN : Number(text),
  }
  const note = draft.note.trim()
  if (note)
    data.note = note
  else if (edited?.note)
    data.note = null
  if (edited?.materialId)
    data.materialId = edited.materialId
  return data
}
