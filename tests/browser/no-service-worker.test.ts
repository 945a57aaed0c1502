import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { serverRows, serverStudyCheckins } from './support/api'
import { action, addCheckin, checkinRow, fillNote, joinInApp, openNewNote, saveNote, tab, waitForSynced } from './support/app'
import { useBranchServer } from './support/site'

/** What a chat app's in-app browser without service workers is: playwright blocks them. */
const NO_SERVICE_WORKER = { serviceWorkers: 'block' } as const

/** Waits until the app has fetched the member pages' chunks ahead (it marks <html> when done). */
async function memberPagesFetched(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.memberPages === 'ready', undefined, { timeout: 60_000 })
}

/** The 需要联网 notice (role="alert"). */
const networkNeeded = (page: Page) => page.getByRole('alert').filter({ hasText: '需要联网' })

// Members open the link from the branch's chat group, in an in-app browser that may have no service
// worker: nothing is precached. Once the app has loaded online it keeps working offline while the
// page stays open (the member pages are fetched ahead), saves sync when the network is back, and a
// page that truly needs the network says 需要联网 instead of doing nothing.
describe('without a service worker (chat-app browsers)', () => {
  const site = useBranchServer('群聊党支部')

  it('opened online then offline: 签到, 笔记 and every member page work, saves sync once back online', async () => {
    const { context, page, errors } = await site.phone('member', NO_SERVICE_WORKER)
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '群里点开')
    expect(await page.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull()
    await memberPagesFetched(page)
    await context.setOffline(true)

    await addCheckin(page, { topic: '离线签到：群里打开的页面', minutes: 25 })
    await checkinRow(page, '离线签到：群里打开的页面').waitFor()

    await tab(page, '笔记').click()
    await openNewNote(page)
    await fillNote(page, { title: '离线笔记：为人民服务', reflection: '没有网络也能写下心得。' })
    await saveNote(page)
    await page.getByText('离线笔记：为人民服务').first().waitFor()

    await tab(page, '服务').click()
    await action(page, '记录服务').waitFor()
    await tab(page, '资料').click()
    await page.getByRole('heading', { name: '学习资料' }).waitFor()
    await tab(page, '我的').click()
    await page.getByRole('heading', { name: '我的', exact: true }).waitFor()
    expect(await networkNeeded(page).count()).toBe(0)

    await context.setOffline(false)
    await waitForSynced(page)
    expect((await serverStudyCheckins(site.server.baseUrl, member.token)).map(c => (c.data as { topic: string }).topic)).toEqual(['离线签到：群里打开的页面'])
    expect((await serverRows(site.server.baseUrl, member.token, 'readingNotes')).map(n => (n.data as { title: string }).title)).toEqual(['离线笔记：为人民服务'])
    expect(errors).toEqual([])
    await context.close()
  })

  it('a page whose code is not on the phone says 需要联网 offline, and opens once online again', async () => {
    const { context, page } = await site.phone('secretary', NO_SERVICE_WORKER)
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '群里书记')
    await memberPagesFetched(page)
    await context.setOffline(true)

    // The secretary pages are not fetched ahead (they need the server anyway).
    await tab(page, '支部').click()
    await networkNeeded(page).waitFor()
    expect(new URL(page.url()).pathname).toBe('/study')

    await context.setOffline(false)
    await tab(page, '支部').click()
    await page.waitForURL(/\/branch$/)
    await networkNeeded(page).waitFor({ state: 'hidden' })
    await context.close()
  })
})
