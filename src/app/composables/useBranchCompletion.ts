import type { Ref } from 'vue'
import type { CompletionResponse } from '@/domain/wire'
import { ref, shallowRef, watch } from 'vue'
import { api, ApiError } from '@/app/api/client'

/**
 * The branch's completion for a week from the server (secretaries only; needs the network).
 * Reloads when `week` changes; `error` is the `ApiError` of the last failed load.
 */
export function useBranchCompletion(week: Ref<string>): {
  data: Ref<CompletionResponse | null>
  error: Ref<ApiError | null>
  loading: Ref<boolean>
  reload: () => Promise<void>
} {
  const data = shallowRef<CompletionResponse | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const loading = ref(false)
  let latest = 0

  async function reload(): Promise<void> {
    const request = ++latest
    loading.value = true
    try {
      const response = await api.completion(week.value)
      if (request === latest) {
        data.value = response
        error.value = null
      }
    }
    catch (cause) {
      if (request === latest)
        error.value = cause instanceof ApiError ? cause : new ApiError(0, 'network', String(cause))
    }
    finally {
      if (request === latest)
        loading.value = false
    }
  }

  watch(week, () => void reload(), { immediate: true })
  return { data, error, loading, reload }
}
