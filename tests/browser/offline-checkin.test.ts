import { describe, expect, it } from 'vitest'
import { branchCompletion, serverStudyCheckins } from './support/api'
import { addCheckin, checkinRow, joinInApp, syncStatus, tab, waitForServiceWorkerControl } from './support/app'
import { useBranchServer } from './support/site'

// The main path: a member checks in with no network, reloads offline, comes back online,
// and the secretary sees the study counted — exactly once.
describe('offline check-in', () => {
  const site = useBranchServer('第一党支部')

  it('is saved offline, survives an offline reload, syncs once and counts for the secretary', async () => {
    const { context, page, errors } = await site.phone('page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '张三')
    await waitForServiceWorkerControl(page)
    await page.getByText('本周未学习').first().waitFor()

    await context.setOffline(true)
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('离线')

    await addCheckin(page, { topic: '学习新修订的党章', minutes: 45 })
    await checkinRow(page, '学习新修订的党章').waitFor()
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('待同步 1 条')
    expect(await syncStatus(page).textContent()).toContain('离线')
    await page.getByText('本周已学习').first().waitFor()

    // The shell comes from the service worker's precache, the row from IndexedDB.
    await page.reload()
    await checkinRow(page, '学习新修订的党章').waitFor()
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('待同步 1 条')

    await context.setOffline(false)
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 60_000 }).toContain('已同步')
    expect(await syncStatus(page).textContent()).not.toContain('待同步')

    const stored = await serverStudyCheckins(site.server.baseUrl, member.token)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.data).toMatchObject({ topic: '学习新修订的党章', minutes: 45, form: 'self_study', memberId: member.member.id })
    expect(errors).toEqual([])

    // The secretary, on another phone, sees the member among those who studied this week.
    const { context: secretaryContext, page: secretaryPage } = await site.phone('secretaryPage')
    const secretary = await joinInApp(secretaryPage, site.server.baseUrl, site.branch.secretaryInviteCode, '李书记')
    const completion = await branchCompletion(site.server.baseUrl, secretary.token)
    expect(completion.members.find(m => m.id === member.member.id)).toMatchObject({ studied: true, checkins: 1, minutes: 45 })

    await tab(secretaryPage, '支部').click()
    await secretaryPage.waitForURL(/\/branch/)
    const summary = secretaryPage.getByText(new RegExp(`本周完成\\s*${completion.completed}\\s*/\\s*${completion.total}`))
    await summary.first().waitFor()
    expect(completion.completed).toBe(1)
    // Not-studied names come first (李书记 has no check-in), then those who studied.
    const text = (await secretaryPage.locator('body').textContent()) ?? ''
    const notStudied = text.indexOf('本周未学习')
    expect(notStudied).toBeGreaterThanOrEqual(0)
    expect(text.indexOf('李书记', notStudied)).toBeGreaterThan(notStudied)
    expect(text.indexOf('张三', notStudied)).toBeGreaterThan(text.indexOf('李书记', notStudied))

    await secretaryContext.close()
    await context.close()
  })
})
