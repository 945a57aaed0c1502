import type { StudyCheckinRow } from '@/app/db/database'
import type { StudyCheckinData, StudyForm } from '@/domain/records'
import { isSessionStudyForm } from '@/domain/sessions'

/** A study check-in as its form holds it: number fields keep what was typed until saved. */
export interface StudyCheckinDraft {
  form: StudyForm
  date: string
  topic: string
  minutes: string | number
  note: string
  /** The session (组织生活) the check-in is linked to, '' for none: offered for a session form. */
  sessionId: string
}

/** A session a check-in can be linked to: its id and 签到码. */
export interface LinkableSession {
  id: string
  code: string
}

/**
 * The form's starting draft: the check-in being edited, or a new one dated `today`. A new one is
 * 个人自学: a session form is chosen on purpose (and then linked to the session), so a self-study
 * saved without a look at 学习形式 no longer counts as the branch's study.
 */
export function studyCheckinDraft(checkin: StudyCheckinRow | null | undefined, today: string): StudyCheckinDraft {
  return {
    form: checkin?.form ?? 'self_study',
    date: checkin?.date ?? today,
    topic: checkin?.topic ?? '',
    minutes: checkin?.minutes ?? '',
    note: checkin?.note ?? '',
    sessionId: checkin?.sessionId ?? '',
  }
}

/**
 * The check-in a draft stands for, trimmed. For an `edited` check-in a cleared note becomes null
 * (so the server drops it) and its link to a 资料 is kept. `linked` is the session the draft's
 * `sessionId` names, when the phone has it (its code goes along); a form that is no session's, or
 * no session chosen, unlinks an edited check-in (null clears the server's copy), except a sign-in
 * by code the phone cannot resolve yet, which keeps its code.
 */
export function studyCheckinData(draft: StudyCheckinDraft, edited?: StudyCheckinRow | null, linked?: LinkableSession | null): StudyCheckinData {
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
  const sessionForm = isSessionStudyForm(draft.form)
  if (sessionForm && linked && draft.sessionId === linked.id) {
    data.sessionId = linked.id
    data.sessionCode = linked.code
  }
  else if (sessionForm && edited?.sessionId && draft.sessionId === edited.sessionId) {
    data.sessionId = edited.sessionId
    if (edited.sessionCode)
      data.sessionCode = edited.sessionCode
  }
  else if (sessionForm && !edited?.sessionId && edited?.sessionCode && draft.sessionId === '') {
    data.sessionCode = edited.sessionCode
  }
  else if (edited?.sessionId || edited?.sessionCode) {
    data.sessionId = null
    data.sessionCode = null
  }
  return data
}
