/**
 * The signed-in pages' frame (the sync bar and the tab bar, with the sync store and engine behind
 * the bar): not part of a first visit's JavaScript (加入支部 shows neither). The router waits for it
 * before it shows a signed-in page, so the bar is there with the page's first paint and nothing
 * moves; App.vue renders it with these loaders.
 */
export const loadSyncStatusBar = () => import('@/app/components/sync/SyncStatusBar.vue')
export const loadTabBar = () => import('@/app/components/app/AppTabBar.vue')

export async function loadSignedInChrome(): Promise<void> {
  await Promise.all([loadSyncStatusBar(), loadTabBar()])
}
