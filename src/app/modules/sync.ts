import type { AppModule } from './types'
import { watch } from 'vue'
import { useSessionStore } from '@/app/stores/session'
import { useSyncStore } from '@/app/stores/sync'

/** Sync runs while a member is signed in: started on join or restore, stopped on sign-out. */
export const installSync: AppModule = () => {
  const session = useSessionStore()
  const sync = useSyncStore()
  watch(() => session.member?.id ?? null, (memberId) => {
    if (memberId)
      sync.start()
    else
      sync.stop()
  }, { immediate: true })
}
