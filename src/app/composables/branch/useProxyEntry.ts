import type { Ref } from 'vue'
import type { ProxyEntryRequest, ProxyEntryTable } from '@/domain/branch'
import type { FieldIssue, RecordDataByTable } from '@/domain/records'
import { ref } from 'vue'
import { branchApi } from '@/app/api/branch'
import { randomUuid } from '@/app/db/meta'
import { validateRecordData } from '@/domain/records'
import { asApiError } from './useBranchResource'

/**
 * 代录: saves a record a secretary enters for a member, straight to the server (online only).
 * The form's data is checked with the domain schema first, so a mistake shows at its field without a
 * round trip; the server's `data.<field>` issues land at the fields too. One id per entry: a retry
 * after a lost answer is harmless, and the next entry gets a new id once one has been saved.
 */
export function useProxyEntry<T extends ProxyEntryTable>(options: {
  table: T
  memberId: () => string
  lang: () => string
  formError: Ref<string | null>
  show: (issues: readonly FieldIssue[]) => void
  failedMessage: (reason: string) => string
}): { saving: Ref<boolean>, submit: (data: RecordDataByTable[T]) => Promise<boolean> } {
  const saving = ref(false)
  let id = randomUuid()

  async function submit(input: RecordDataByTable[T]): Promise<boolean> {
    if (saving.value)
      return false
    options.formError.value = null
    const checked = validateRecordData(options.table, input, options.lang())
    if (!checked.ok) {
      options.show(checked.issues)
      return false
    }
    saving.value = true
    try {
      const entry = { table: options.table, id, updatedAt: Date.now(), data: checked.data } as ProxyEntryRequest
      await branchApi.enterRecord(options.memberId(), entry)
      options.show([])
      id = randomUuid()
      return true
    }
    catch (cause) {
      const error = asApiError(cause)
      if (error.code === 'validation_failed' && error.details.length)
        options.show(error.details)
      else
        options.formError.value = options.failedMessage(error.message)
      return false
    }
    finally {
      saving.value = false
    }
  }

  return { saving, submit }
}
