import { describe, expect, it } from 'vitest'
import { joinInApp, waitForServiceWorkerControl } from './support/app'
import { openBranchSection, openBranchTab } from './support/branch'
import { useBranchServer } from './support/site'

// The secretary's pages are views of the server: offline they say 需要联网 instead of showing stale or
// empty figures, and they load by themselves once the phone is back online.
describe('the secretary\'s pages offline', () => {
  const site = useBranchServer('和平党支部')

  it('says 需要联网 offline and shows the grid once back online', async () => {
    const { context, page, errors } = await site.phone('secretary')
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')
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
