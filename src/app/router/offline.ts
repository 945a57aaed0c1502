import type { Router, RouteRecordNormalized } from 'vue-router'
import { useNetworkNoticeStore } from '@/app/stores/networkNotice'
import { afterFirstPage } from './afterFirstPage'

/**
 * Pages that open offline without a service worker. Chat apps' in-app browsers (iOS WebViews among
 * them) have none, so nothing is precached: a page's chunk not fetched while online cannot load
 * once the network goes. After start the member pages' chunks are fetched when the phone is idle
 * (after the first page is up, so it is not slowed), and a navigation whose chunk still cannot load
 * says 需要联网 instead of doing nothing. Secretary pages are not fetched ahead: most need the server.
 */

type LazyComponent = () => Promise<unknown>

/** The lazy page components of the routes a member opens (signed in, not secretary-only), once each. */
export function memberPageLoaders(records: readonly RouteRecordNormalized[]): LazyComponent[] {
  const loaders = new Set<LazyComponent>()
  for (const record of records) {
    if (!record.meta.signedIn || record.meta.secretary)
      continue
    for (const component of Object.values(record.components ?? {})) {
      // A lazy route component is a function returning the import(); a page in the entry chunk is an object.
      if (typeof component === 'function')
        loaders.add(component as LazyComponent)
    }
  }
  return [...loaders]
}

/** Whether a navigation failed because a chunk (script or its CSS) could not be fetched. */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? `${error.name} ${error.message}` : String(error)
  return /dynamically imported module|Importing a module script failed|error loading dynamically imported module|Unable to preload CSS|Failed to fetch|ChunkLoadError/i.test(message)
}

/** Fetches the member pages' chunks one after another; a failure (offline) is tried again next time the phone is online. */
export async function prefetchMemberPages(router: Router): Promise<void> {
  const pending = memberPageLoaders(router.getRoutes())
  for (const load of pending) {
    try {
      await load()
    }
    catch {
      window.addEventListener('online', () => void prefetchMemberPages(router), { once: true })
      return
    }
  }
  document.documentElement.dataset.memberPages = 'ready'
}

/** Installs both halves on the router: fetch ahead once idle, and 需要联网 on a chunk that cannot load. */
export function keepPagesOffline(router: Router): void {
  router.onError((error, to) => {
    if (isChunkLoadError(error))
      useNetworkNoticeStore().show(to.fullPath)
    else
      console.error('navigation failed', error)
  })
  router.afterEach((_to, _from, failure) => {
    if (!failure)
      useNetworkNoticeStore().hide()
  })
  void router.isReady().then(afterFirstPage).then(() => prefetchMemberPages(router))
}
