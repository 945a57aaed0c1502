import type { BranchResource } from '@/app/composables/branch/useBranchResource'
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import { asApiError } from '@/app/composables/branch/useBranchResource'

/**
 * An organisation secretary's view loaded from the server (online only), as `useBranchResource`
 * loads a branch secretary's: at once and whenever `deps` change, keeping only the latest answer,
 * and again when the phone comes back online after a failure. The phone's online state is read
 * from the browser here: a phone signed in only as 组织管理员 runs no member sync to tell it.
 */
export function useOrganisationResource<T>(load: () => Promise<T>, deps?: () => unknown): BranchResource<T> {
  const data = shallowRef<T | null>(null)
  const error = shallowRef<ReturnType<typeof asApiError> | null>(null)
  const loading = ref(false)
  const online = ref(typeof navigator === 'undefined' || navigator.onLine !== false)
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

  if (typeof window !== 'undefined') {
    const onOnline = () => {
      online.value = true
      if (error.value)
        void reload()
    }
    const onOffline = () => {
      online.value = false
    }
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOffline)
    onScopeDispose(() => {
      window.removeEventListener('online', onOnline)
      window.removeEventListener('offline', onOffline)
    })
  }

  const needsNetwork = computed(() => error.value?.code === 'network' || (!online.value && !data.value))
  return { data, error, loading, needsNetwork, reload }
}
