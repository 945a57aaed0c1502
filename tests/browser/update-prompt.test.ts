import type { Page } from 'playwright-core'
import { cp } from 'node:fs/promises'
import { describe, expect, inject, it } from 'vitest'
import { joinInApp, waitForServiceWorkerControl } from './support/app'
import { createBranch } from './support/server'
import { useServer } from './support/site'

/** The build id the page runs (`<html data-build>`), or null while it navigates. */
function runningBuild(page: Page): Promise<string | null> {
  return page.evaluate(() => document.documentElement.dataset.build ?? null).catch(() => null)
}

// A new deploy must not swap code under an open page that may hold unsynced edits: the new
// worker waits until the member taps 刷新.
describe('update prompt', () => {
  const site = useServer()

  it('offers 发现新版本 and takes over only after 刷新', async () => {
    const branch = await createBranch(site.server, '第三党支部')
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, branch.memberInviteCode, '赵六')
    await waitForServiceWorkerControl(page)
    expect(await runningBuild(page)).toBe('browser-a')
    const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL)

    // Deploy: the server reads files from disk per request, so copying is a release.
    await cp(inject('buildB'), site.server.staticDir, { recursive: true, force: true })
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration()
      await registration?.update()
    })

    await page.getByText('发现新版本').first().waitFor({ timeout: 60_000 })
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state === 'installed', undefined, { timeout: 30_000 })
    expect(await runningBuild(page)).toBe('browser-a')
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(firstWorker)

    // A plain reload is not consent: the old worker keeps serving build a, and the prompt returns.
    await page.reload()
    await page.getByText('发现新版本').first().waitFor({ timeout: 60_000 })
    expect(await runningBuild(page)).toBe('browser-a')

    await page.getByRole('button', { name: '刷新', exact: true }).click()
    await expect.poll(() => runningBuild(page), { timeout: 60_000 }).toBe('browser-b')
    await page.waitForFunction(async () => {
      const registration = await navigator.serviceWorker.getRegistration()
      return !registration?.waiting && navigator.serviceWorker.controller !== null
    }, undefined, { timeout: 30_000 })
    await page.getByRole('status').first().waitFor()

    await context.close()
  })
})
