import type { Ref } from 'vue'
import type { FieldIssue } from '@/domain/records'
import { reactive, ref } from 'vue'

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
