import type { AppModule } from './types'
import { watch } from 'vue'
import { useSessionStore } from '@/app/stores/session'

/**
 * Sync runs while a member is signed in: started on join or restore, stopped on sign-out. The sync
 * store and engine are fetched when a member is there (with the signed-in pages' frame), so a
 * first visit (加入支部) does not download them.
 */
export const installSync: AppModule = () => {
  const session = useSessionStore()
  let sync: { start: () => unknown, stop: () => void } | undefined
  watch(() => session.member?.id ?? null, async (memberId) => {
    if (memberId) {
      const { useSyncStore } = await import('@/app/stores/sync')
      sync = useSyncStore()
      if (session.member?.id === memberId)
        void sync.start()
    }
    else {
      sync?.stop()
    }
  }, { immediate: true })
}
