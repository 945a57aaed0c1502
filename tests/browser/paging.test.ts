import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { addDays, todayIn } from '../../src/domain/week'
import { pushChanges } from './support/api'
import { action, joinInApp, tab, waitForSynced } from './support/app'
import { useBranchServer } from './support/site'

const CHECKINS = 120
const NOTES = 70

// Long lists: records written on another device arrive by sync; 学习 and 笔记 scroll virtually,
// reading a page at a time as the end nears; a search still finds every note.
describe('long lists', () => {
  const site = useBranchServer('长列表党支部')

  it('scrolls every check-in and note virtually, and search looks at every note', async () => {
    const { context, page } = await site.phone('page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '何长列表')
    const today = todayIn('Asia/Shanghai')
    const now = Date.now()
    const checkins = Array.from({ length: CHECKINS }, (_, i) => ({
      table: 'studyCheckins',
      id: randomUUID(),
      updatedAt: now + i,
      data: { date: addDays(today, -i), form: 'self_study', topic: `另一台手机上的学习 ${i + 1}`, minutes: 30 },
    }))
    const notes = Array.from({ length: NOTES }, (_, i) => ({
      table: 'readingNotes',
      id: randomUUID(),
      updatedAt: now + i,
      data: { title: `另一台手机上的笔记 ${i + 1}`, reflection: i === 0 ? '最早的一篇：初心如磐。' : `第${i + 1}篇心得。` },
    }))
    const pushed = await pushChanges(site.server.baseUrl, member.token, [...checkins, ...notes])
    expect(pushed.results.filter(r => r.status !== 'applied')).toEqual([])

    await action(page, '立即同步').click()
    await waitForSynced(page)
    // Both lists scroll virtually: the newest entry shows at once, only the rows near the screen are
    // in the page (each says where it is among all), and scrolling to the end reaches the oldest.
    // 学习 1 is today's, 学习 120 the oldest.
    await page.getByText('另一台手机上的学习 1', { exact: true }).waitFor()
    const checkinRows = page.getByRole('listitem').filter({ hasText: /另一台手机上的学习 \d+/ })
    expect(await checkinRows.count()).toBeLessThan(CHECKINS / 2)
    expect(await checkinRows.first().getAttribute('aria-setsize')).toBe(String(CHECKINS))
    await expect.poll(async () => {
      await page.mouse.wheel(0, 3000)
      return page.getByText(`另一台手机上的学习 ${CHECKINS}`, { exact: true }).count()
    }).toBe(1)
    expect(await checkinRows.count()).toBeLessThan(CHECKINS / 2)
    await page.evaluate(() => window.scrollTo(0, 0))

    await tab(page, '笔记').click()
    await page.getByText(`另一台手机上的笔记 ${NOTES}`, { exact: true }).waitFor()
    const noteRows = page.getByRole('listitem').filter({ hasText: /另一台手机上的笔记 \d+/ })
    expect(await noteRows.count()).toBeLessThan(NOTES / 2)
    expect(await noteRows.first().getAttribute('aria-setsize')).toBe(String(NOTES))
    expect(await page.getByText('另一台手机上的笔记 1', { exact: true }).count()).toBe(0)
    await expect.poll(async () => {
      await page.mouse.wheel(0, 3000)
      return page.getByText('另一台手机上的笔记 1', { exact: true }).count()
    }).toBe(1)
    expect(await noteRows.count()).toBeLessThan(NOTES / 2)
    await page.evaluate(() => window.scrollTo(0, 0))
    // The search still finds every note.
    await page.getByLabel('搜索笔记', { exact: true }).fill('初心如磐')
    await page.getByText('另一台手机上的笔记 1', { exact: true }).first().waitFor()
    await expect.poll(() => page.getByText(/^另一台手机上的笔记 \d+$/).count()).toBe(1)
    await context.close()
  })
})
