import type { SyncResponse, SyncResult } from '../../src/domain/wire'
import { describe, expect, it } from 'vitest'
import { addDays, todayIn } from '../../src/domain/week'
import { serverStudyCheckins } from './support/api'
import { addCheckin, checkinRow, joinInApp, syncStatus } from './support/app'
import { newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { useBranchServer } from './support/site'

const DAY_MS = 24 * 60 * 60 * 1000

// A phone whose clock runs three days ahead dates a check-in "today", which the server judges to
// be in the future: the record must show 未通过 with the server's message, and be fixable.
describe('a check-in the server refuses', () => {
  const site = useBranchServer('城郊党支部')

  it('shows 未通过 with the server\'s message, and syncs once corrected', async () => {
    const context = await newPhoneContext(site.browser, { serviceWorkers: 'block' })
    await context.clock.install({ time: Date.now() + 3 * DAY_MS })
    const page = await context.newPage()
    reportPageOnFailure(page, 'page')
    const rejections: SyncResult[] = []
    page.on('response', async (response) => {
      if (response.url().endsWith('/api/v1/sync') && response.ok()) {
        const body = await response.json() as SyncResponse
        rejections.push(...body.results.filter(r => r.status === 'rejected'))
      }
    })
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '吴十一')
    const phoneToday = await page.evaluate(() => new Date().toISOString().slice(0, 10))
    expect(phoneToday > addDays(todayIn(), 1)).toBe(true)

    await addCheckin(page, { topic: '时钟超前的签到', minutes: 30 })
    await page.getByRole('button', { name: '立即同步' }).click()
    await expect.poll(() => rejections.length, { timeout: 60_000 }).toBeGreaterThan(0)
    const verdict = rejections[0]!.error!
    expect(verdict.code).toBe('validation_failed')
    // On the row itself: the badge and the server's sentence.
    const row = page.getByRole('link').filter({ hasText: '时钟超前的签到' })
    await row.getByText('未通过', { exact: true }).waitFor()
    await row.getByText(verdict.message).waitFor()
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('1 条未通过')
    expect(await serverStudyCheckins(site.server.baseUrl, member.token)).toEqual([])

    // The member opens it, reads why, and dates it on the real day.
    await checkinRow(page, '时钟超前的签到').click()
    await page.getByRole('alert').filter({ hasText: verdict.message }).first().waitFor()
    await page.getByLabel('日期', { exact: true }).fill(todayIn())
    await page.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByLabel('主题', { exact: true }).waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: '立即同步' }).click()
    await expect.poll(async () => (await serverStudyCheckins(site.server.baseUrl, member.token)).map(r => (r.data as { date?: string }).date), { timeout: 60_000 }).toEqual([todayIn()])
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 60_000 }).toContain('已同步')
    expect(await syncStatus(page).textContent()).not.toContain('未通过')
    await context.close()
  })
})
