import type { Ref } from 'vue'
import type { FieldIssue } from '@/domain/records'
import { reactive, ref } from 'vue'
import { RecordValidationError } from '@/app/stores/study'

/**
 * Errors of a record form, one slot per field: `show(issues)` puts each issue at its field
 * (`data.title` → the 书名或篇目 field); anything without a field goes to `formError`, above 保存.
 */
export function useFieldErrors<F extends string>(fields: readonly F[]): {
  errors: Record<F, string | null>
  formError: Ref<string | null>
  show: (issues: readonly FieldIssue[]) => void
} {
  const errors = reactive(Object.fromEntries(fields.map(field => [field, null]))) as Record<F, string | null>
  const formError = ref<string | null>(null)

  function show(issues: readonly FieldIssue[]): void {
    for (const field of fields)
      errors[field] = null
    const unplaced: string[] = []
    for (const issue of issues) {
      const field = issue.path.replace(/^data\./, '').split('.')[0] as F
      if (fields.includes(field))
        errors[field] ??= issue.message
      else
        unplaced.push(issue.message)
    }
    formError.value = unplaced.length ? unplaced.join(' ') : null
  }

  return { errors, formError, show }
}

/**
 * The save step every record form shares: one write at a time; a `RecordValidationError` puts its
 * issues at their fields, any other failure shows above 保存 as `failedMessage(reason)`.
 * `run(write)` resolves to the write's result, or undefined when it failed (already shown).
 */
export function useRecordSave(target: { formError: Ref<string | null>, show: (issues: readonly FieldIssue[]) => void }, failedMessage: (reason: string) => string): {
  saving: Ref<boolean>
  run: <T>(write: () => Promise<T>) => Promise<T | undefined>
} {
  const saving = ref(false)

  async function run<T>(write: () => Promise<T>): Promise<T | undefined> {
    if (saving.value)
      return undefined
    saving.value = true
    target.formError.value = null
    try {
      const result = await write()
      target.show([])
      return result
    }
    catch (error) {
      if (error instanceof RecordValidationError)
        target.show(error.issues)
      else
        target.formError.value = failedMessage(error instanceof Error ? error.message : String(error))
      return undefined
    }
    finally {
      saving.value = false
    }
  }

  return { saving, run }
}
