import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { serverStudyCheckins } from './support/api'
import { addCheckin, deferred, joinInApp, syncStatus, waitForSynced } from './support/app'
import { reportPageOnFailure } from './support/diagnose'
import { useBranchServer } from './support/site'

/** Starts recording every text the sync bar shows on this page (read back with `statusTexts`). */
async function recordStatusTexts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = []
    const record = () => {
      for (const bar of document.querySelectorAll('[role="status"]')) {
        const text = bar.textContent ?? ''
        if (seen.at(-1) !== text)
          seen.push(text)
      }
    }
    ;(window as unknown as { statusTexts: string[] }).statusTexts = seen
    record()
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true })
  })
}

function statusTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { statusTexts: string[] }).statusTexts])
}

/** Whether this page waits in the queue for the sync Web Lock (another tab holds it). */
function queuedForSyncLock(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const state = await navigator.locks.query()
    return (state.pending ?? []).some(lock => lock.name === 'study-log-sync')
  })
}

// Two tabs of one phone share one IndexedDB and one Web Lock: a save in either tab reaches the
// server within seconds, whichever tab's pass holds the lock, and no tab says 已同步 and 同步失败 at once.
describe('two tabs of one phone', () => {
  const site = useBranchServer('双页党支部')

  it('pushes a save made in one tab while the other tab\'s pass holds the sync lock', async () => {
    // No service worker: page.route must see the app's own fetches.
    const { context, page: first } = await site.phone('first tab', { serviceWorkers: 'block' })
    const member = await joinInApp(first, site.server.baseUrl, site.branch.memberInviteCode, '钱双页')
    await waitForSynced(first)
    const second = await context.newPage()
    reportPageOnFailure(second, 'second tab')
    await second.goto(`${site.server.baseUrl}/study`)
    await second.getByText('本周未学习').first().waitFor()
    await waitForSynced(second)
    await recordStatusTexts(first)
    await recordStatusTexts(second)

    // The first tab's next pass hangs on a slow server until the test lets it answer.
    const { promise: released, resolve: release } = deferred<void>()
    const { promise: held, resolve: arrived } = deferred<void>()
    await first.route('**/api/v1/sync', async (route) => {
      arrived()
      await released
      await route.continue()
    })
    await first.getByRole('button', { name: '立即同步' }).click()
    await held

    await addCheckin(second, { topic: '两个页面同时打开时签到', minutes: 30 })
    // The second tab's sync (1.5 s after the save) finds the lock taken and queues for it. The bound
    // only keeps a tab that never asks from hanging the test: the check below then fails instead.
    const queued = expect.poll(() => queuedForSyncLock(second), { timeout: 10_000 }).toBe(true)
    await queued.catch(() => {})
    release()

    // Far sooner than the 3-minute periodic sync.
    await expect.poll(async () => (await serverStudyCheckins(site.server.baseUrl, member.token)).map(r => (r.data as { topic?: string }).topic), { timeout: 20_000 })
      .toEqual(['两个页面同时打开时签到'])
    await waitForSynced(second)
    await waitForSynced(first)
    await expect.poll(() => syncStatus(second).textContent()).not.toContain('待同步')

    for (const page of [first, second]) {
      const both = (await statusTexts(page)).filter(text => text.includes('已同步') && text.includes('同步失败'))
      expect(both).toEqual([])
    }
    await first.unroute('**/api/v1/sync')
    await context.close()
  })
})
