import type { Ref } from 'vue'
import type { BranchResource } from '@/app/composables/branch/useBranchResource'
import type { CompletionResponse } from '@/domain/wire'
import { api } from '@/app/api/client'
import { useBranchResource } from '@/app/composables/branch/useBranchResource'

/**
 * The branch's completion for a week from the server (secretaries only; needs the network).
 * Reloads when `week` changes and when the phone comes back online after a failure; `error` is the
 * `ApiError` of the last failed load.
 */
export function useBranchCompletion(week: Ref<string>): BranchResource<CompletionResponse> {
  return useBranchResource(() => api.completion(week.value), () => week.value)
}
