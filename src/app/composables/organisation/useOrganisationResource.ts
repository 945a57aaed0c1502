import type { Ref } from 'vue'
import type { BranchResource } from '@/app/composables/branch/useBranchResource'
import { onScopeDispose, ref } from 'vue'
import { useServerResource } from '@/app/composables/branch/useBranchResource'

/**
 * An organisation secretary's view loaded from the server (online only), as `useBranchResource`
 * loads a branch secretary's. The phone's online state is read from the browser here: a phone
 * signed in only as 组织管理员 runs no member sync to tell it.
 */
/** Whether the browser is online, kept up to date while the calling scope lives. */
export function useBrowserOnline(): Ref<boolean> {
  const online = ref(typeof navigator === 'undefined' || navigator.onLine !== false)
  if (typeof window !== 'undefined') {
    const onOnline = () => {
      online.value = true
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
  return online
}

export function useOrganisationResource<T>(load: () => Promise<T>, deps?: () => unknown): BranchResource<T> {
  const online = useBrowserOnline()
  return useServerResource(load, () => online.value, deps)
}
