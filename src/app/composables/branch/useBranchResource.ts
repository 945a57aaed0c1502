import type { Ref } from 'vue'
import { computed, ref, shallowRef, watch } from 'vue'
import { ApiError } from '@/app/api/client'
import { useSyncStore } from '@/app/stores/sync'

/** What a secretary page shows while it loads a server view: the data, the last failure, and a retry. */
export interface BranchResource<T> {
  data: Ref<T | null>
  error: Ref<ApiError | null>
  loading: Ref<boolean>
  /** True when the failure is the network (or the phone is offline with nothing loaded): show 需要联网. */
  needsNetwork: Ref<boolean>
  reload: () => Promise<void>
}

/** Any failure as an `ApiError`, so pages read one shape. */
export function asApiError(cause: unknown): ApiError {
  return cause instanceof ApiError ? cause : new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause))
}

/**
 * A view loaded from the server (online only): loads at once and whenever `deps` change, keeps only
 * the answer to the latest request, and loads again when `online` turns true after a failure.
 */
export function useServerResource<T>(load: () => Promise<T>, online: () => boolean, deps?: () => unknown): BranchResource<T> {
  const data = shallowRef<T | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const loading = ref(false)
  let latest = 0

  async function reload(): Promise<void> {
    const request = ++latest
    loading.value = true
    try {
      const response = await load()
      if (request === latest) {
        data.value = response
        error.value = null
      }
    }
    catch (cause) {
      if (request === latest)
        error.value = asApiError(cause)
    }
    finally {
      if (request === latest)
        loading.value = false
    }
  }

  if (deps)
    watch(deps, () => void reload(), { immediate: true })
  else
    void reload()

  watch(online, (isOnline) => {
    if (isOnline && error.value)
      void reload()
  })

  const needsNetwork = computed(() => error.value?.code === 'network' || (!online() && !data.value))
  return { data, error, loading, needsNetwork, reload }
}

/** A branch secretary's view (`useServerResource`), online as the member sync sees it. */
export function useBranchResource<T>(load: () => Promise<T>, deps?: () => unknown): BranchResource<T> {
  const sync = useSyncStore()
  return useServerResource(load, () => sync.online, deps)
}
