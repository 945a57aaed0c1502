import { useRegisterSW } from 'virtual:pwa-register/vue'

/** How often an open app asks the server whether a new version was deployed. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

/**
 * The service worker's update flow as a prompt (vite-plugin-pwa `examples/vue-router`): a new
 * worker waits until the member accepts, because swapping code under an open page could drop an
 * edit in progress. `updateServiceWorker()` is the only place that makes the waiting worker take
 * over (it sends SKIP_WAITING, and the page reloads once the new worker controls it).
 */
export function usePwaUpdate() {
  let registration: ServiceWorkerRegistration | undefined

  // A check is only worth making with a network; offline it would just fail.
  function checkForUpdate(): void {
    if (!registration || registration.installing || !navigator.onLine)
      return
    registration.update().catch(() => {})
  }

  const { needRefresh, offlineReady, updateServiceWorker } = useRegisterSW({
    immediate: true,
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
  })

  return {
    /** A new version is installed and waiting for the member's consent. */
    needRefresh,
    /** The shell is precached: the app now opens without a network. */
    offlineReady,
    /** Lets the waiting worker take over; the page reloads into the new version. */
    refresh: () => updateServiceWorker(true),
  }
}
