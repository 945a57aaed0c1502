import type { StudyCheckinData } from '@/domain/records'
import { defineStore } from 'pinia'
import { recordWriter } from './recordWriter'

export { NotSignedInError, RecordValidationError } from './recordWriter'

/**
 * Writes study check-ins. Records themselves are read live from IndexedDB (`useStudyCheckins`),
 * never held here; a write shows at once, network or not, and is pushed shortly after.
 */
export const useStudyStore = defineStore('study', () => {
  const writer = recordWriter('studyCheckins')

  /**
   * Saves a new check-in (no `id`) or an edit, after checking it against the domain schema; the
   * record and its outbox entry go in one IndexedDB transaction. An edit of a refused record queues
   * it again. Returns the record's id. Rejects with `RecordValidationError` on bad input.
   */
  function save(input: StudyCheckinData, id?: string): Promise<string> {
    return writer.save(input, id)
  }

  /** Deletes a check-in: a tombstone plus an outbox entry, pushed like any edit. */
  function remove(id: string): Promise<void> {
    return writer.remove(id)
  }

  return { save, remove }
})
