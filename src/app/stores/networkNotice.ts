import { defineStore } from 'pinia'
import { ref } from 'vue'

/** How long 需要联网 stays on screen (ms). */
export const NETWORK_NOTICE_MS = 6000

/**
 * 需要联网: shown when a page the member tapped cannot be fetched (its code is not on the phone and
 * the network is gone, e.g. in a chat app's browser without a service worker), instead of a tap
 * that does nothing. It goes away by itself, or when the next navigation succeeds.
 */
export const useNetworkNoticeStore = defineStore('networkNotice', () => {
  /** The path that could not be opened, or null when nothing is shown. */
  const failedPath = ref<string | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined

  function show(path: string): void {
    failedPath.value = path
    clearTimeout(timer)
    timer = setTimeout(() => (failedPath.value = null), NETWORK_NOTICE_MS)
  }

  function hide(): void {
    clearTimeout(timer)
    failedPath.value = null
  }

  return { failedPath, show, hide }
})
