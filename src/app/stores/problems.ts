import type { ProblemData } from '@/domain/records'
import { defineStore } from 'pinia'
import { RecordLockedError } from '@/app/db/records'
import { recordWriter } from './recordWriter'
import { useSessionStore } from './session'

export { RecordLockedError } from '@/app/db/records'

/**
 * Writes the residents' problems the member reports. The member sets only what they saw; the
 * status (待解决 → 推进中 → 已解决) comes from the server. Read them with `useMyProblems`.
 */
export const useProblemsStore = defineStore('problems', () => {
  const session = useSessionStore()
  const writer = recordWriter('problems', () => ({
    reporterName: session.member?.name ?? '',
    branchId: session.member?.branchId,
    status: 'open',
  }))

  /**
   * Saves a new problem (no `id`, status 待解决) or an edit of the member's own, checked against the
   * domain schema (throws `RecordValidationError`); another member's problem throws `ForeignRecordError`.
   */
  function save(input: ProblemData, id?: string): Promise<string> {
    return writer.save(input, id)
  }

  /** Deletes the member's own problem while it is still open; otherwise throws `RecordLockedError`. */
  function remove(id: string): Promise<void> {
    return writer.remove(id, (row) => {
      if (row.status !== 'open')
        throw new RecordLockedError(id)
    })
  }

  return { save, remove }
})
