import type { RegisterSWOptions } from 'virtual:pwa-register'
import { ref } from 'vue'
import { afterFirstPage } from '@/app/router/afterFirstPage'

/** How often an open app asks the server whether a new version was deployed. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

/**
 * The service worker's update flow as a prompt (vite-plugin-pwa `examples/vue-router`): a new
 * worker waits until the member accepts, because swapping code under an open page could drop an
 * edit in progress. `refresh()` is the only place that makes the waiting worker take over (it
 * sends SKIP_WAITING, and the page reloads once the new worker controls it).
 *
 * The worker is registered once the first page is up (afterFirstPage), not while it loads: its
 * install downloads the whole precache, which would compete with the first page's own requests,
 * and the registration code (workbox-window) is not part of the first page's JavaScript.
 */
export function usePwaUpdate() {
  /** A new version is installed and waiting for the member's consent. */
  const needRefresh = ref(false)
  /** The shell is precached: the app now opens without a network. */
  const offlineReady = ref(false)
  let registration: ServiceWorkerRegistration | undefined
  let updateServiceWorker: ((reloadPage?: boolean) => Promise<void>) | undefined

  // A check is only worth making with a network; offline it would just fail.
  function checkForUpdate(): void {
    if (!registration || registration.installing || !navigator.onLine)
      return
    registration.update().catch(() => {})
  }

  const options: RegisterSWOptions = {
    immediate: true,
    onNeedRefresh: () => void (needRefresh.value = true),
    onOfflineReady: () => void (offlineReady.value = true),
    onRegisteredSW(_swUrl, r) {
      registration = r
      if (!r)
        return
      setInterval(checkForUpdate, UPDATE_CHECK_INTERVAL_MS)
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible')
          checkForUpdate()
      })
    },
  }

  async function register(): Promise<void> {
    await afterFirstPage()
    try {
      const { registerSW } = await import('virtual:pwa-register')
      updateServiceWorker = registerSW(options)
    }
    catch {
      // Offline with the registration code never fetched (no service worker yet): next time online.
      window.addEventListener('online', () => void register(), { once: true })
    }
  }
  if (typeof navigator !== 'undefined' && 'serviceWorker' in navigator)
    void register()

  return {
    needRefresh,
    offlineReady,
    /** Lets the waiting worker take over; the page reloads into the new version. */
    refresh: () => updateServiceWorker?.(true),
  }
}
