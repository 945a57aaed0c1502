import type { FieldIssue, StudyCheckinData } from '@/domain/records'
import { defineStore } from 'pinia'
import { toRaw } from 'vue'
import { randomUuid } from '@/app/db/meta'
import { removeStudyCheckin, saveStudyCheckin } from '@/app/db/studyCheckins'
import { validateRecordData } from '@/domain/records'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'
import { useSyncStore } from './sync'

/** A check-in the domain schema refused; `issues` carry paths like `data.topic` and messages in the current language. */
export class RecordValidationError extends Error {
  issues: FieldIssue[]

  constructor(issues: FieldIssue[]) {
    super(issues.map(issue => `${issue.path}: ${issue.message}`).join('; '))
    this.name = 'RecordValidationError'
    this.issues = issues
  }
}

/** Thrown when a record is written with nobody signed in. */
export class NotSignedInError extends Error {
  constructor() {
    super('Sign in before writing records')
    this.name = 'NotSignedInError'
  }
}

/**
 * Writes study check-ins. Records themselves are read live from IndexedDB (`useStudyCheckins`),
 * never held here; a write shows at once, network or not, and is pushed shortly after.
 */
export const useStudyStore = defineStore('study', () => {
  const session = useSessionStore()
  const settings = useSettingsStore()
  const sync = useSyncStore()

  function memberId(): string {
    const id = session.member?.id
    if (!id)
      throw new NotSignedInError()
    return id
  }

  /**
   * Saves a new check-in (no `id`) or an edit, after checking it against the domain schema; the
   * record and its outbox entry go in one IndexedDB transaction. An edit of a refused record queues
   * it again. Returns the record's id. Rejects with `RecordValidationError` on bad input.
   */
  async function save(input: StudyCheckinData, id?: string): Promise<string> {
    const owner = memberId()
    const checked = validateRecordData('studyCheckins', { ...toRaw(input) }, settings.locale)
    if (!checked.ok)
      throw new RecordValidationError(checked.issues)
    const recordId = id ?? randomUuid()
    await saveStudyCheckin(owner, recordId, checked.data)
    sync.scheduleSoon()
    return recordId
  }

  /** Deletes a check-in: a tombstone plus an outbox entry, pushed like any edit. */
  async function remove(id: string): Promise<void> {
    await removeStudyCheckin(memberId(), id)
    sync.scheduleSoon()
  }

  return { save, remove }
})
