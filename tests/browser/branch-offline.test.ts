import type { Browser } from 'playwright-core'
import type { CreatedBranch, RunningServer } from './support/server'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { joinInApp, waitForServiceWorkerControl } from './support/app'
import { openBranchSection, openBranchTab } from './support/branch'
import { collectPageErrors, launchChromium, newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { createBranch, startServer } from './support/server'

// The secretary's pages are views of the server: offline they say 需要联网 instead of showing stale or
// empty figures, and they load by themselves once the phone is back online.
describe('the secretary\'s pages offline', () => {
  let server: RunningServer
  let browser: Browser
  let branch: CreatedBranch

  beforeAll(async () => {
    server = await startServer({ staticFrom: inject('buildA') })
    browser = await launchChromium()
    branch = await createBranch(server, '和平党支部')
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('says 需要联网 offline and shows the grid once back online', async () => {
    const context = await newPhoneContext(browser)
    const page = await context.newPage()
    reportPageOnFailure(page, 'secretary')
    const errors = collectPageErrors(page)
    await joinInApp(page, server.baseUrl, branch.secretaryInviteCode, '王书记')
    await waitForServiceWorkerControl(page)
    await openBranchTab(page)

    await context.setOffline(true)
    await openBranchSection(page, '完成情况')
    await page.getByRole('alert').filter({ hasText: '需要联网才能查看支部情况' }).waitFor()
    expect(await page.getByRole('region', { name: '各周学习情况表，可左右滑动' }).count()).toBe(0)

    await context.setOffline(false)
    await page.getByRole('region', { name: '各周学习情况表，可左右滑动' }).waitFor()
    expect(await page.getByRole('alert').filter({ hasText: '需要联网' }).count()).toBe(0)

    expect(errors).toEqual([])
    await context.close()
  })
})
