/**
 * The moment the first page is up: its `load`, then PREFETCH_DELAY_MS, then an idle moment. What
 * the first screen does not need waits for it (the member pages fetched ahead, the service
 * worker's registration and its precache downloads), so the first page's own requests go first.
 */

/** Wait after the page's `load` (ms): the first page's own requests (sync, material texts) go first. */
export const PREFETCH_DELAY_MS = 2000

let firstPageUp: Promise<void> | undefined

/** Resolves once, after the page's load, PREFETCH_DELAY_MS and an idle moment (at most 3 s more). */
export function afterFirstPage(): Promise<void> {
  firstPageUp ??= new Promise((resolve) => {
    const idle = (): void => {
      if (typeof window.requestIdleCallback === 'function')
        window.requestIdleCallback(() => resolve(), { timeout: 3000 })
      else
        resolve()
    }
    const later = (): void => void setTimeout(idle, PREFETCH_DELAY_MS)
    if (document.readyState === 'complete')
      later()
    else
      window.addEventListener('load', later, { once: true })
  })
  return firstPageUp
}
