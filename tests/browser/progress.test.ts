import { describe, expect, it } from 'vitest'
import { addDays, currentWeek, todayIn, weekKey, weeksInYear } from '../../src/domain/week'
import { fillAndSaveCheckin, fillAndSaveService, joinInApp, openNewCheckin, openNewService, tab } from './support/app'
import { useBranchServer } from './support/site'

// 我的进度: check-ins in this week and the one before make a two-week streak, and the year strip
// names how many weeks of the year have study in them; the figures table counts each period.
describe('my progress', () => {
  const site = useBranchServer('进度党支部')

  it('counts this week, a streak across weeks, and the weeks studied on the year strip', async () => {
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '陈进度')
    const today = todayIn('Asia/Shanghai')
    const lastWeek = addDays(today, -7)
    const dates = [today, today, lastWeek]
    const minutes = [30, 20, 45]
    for (const [i, date] of dates.entries()) {
      await openNewCheckin(page)
      await page.getByLabel('日期', { exact: true }).fill(date)
      await fillAndSaveCheckin(page, { topic: `进度学习 ${i + 1}`, minutes: minutes[i]! })
    }

    await tab(page, '服务').click()
    await openNewService(page)
    await fillAndSaveService(page, { community: '进度社区', activity: '志愿服务', hours: 1.5, peopleServed: 8 })

    await tab(page, '我的').click()
    const progress = page.getByRole('region', { name: '我的进度' }).or(page.locator('section').filter({ has: page.getByRole('heading', { name: '我的进度' }) })).first()
    await progress.waitFor()
    await progress.getByText(/连续学习\s*2\s*周/).first().waitFor()

    // 本周 / 本月 / 本年, by the calendar for months and years (last week may be in another month).
    const inPeriod = [
      (date: string) => weekKey(date) === currentWeek(),
      (date: string) => date.slice(0, 7) === today.slice(0, 7),
      (date: string) => date.slice(0, 4) === today.slice(0, 4),
    ]
    const figures = async (figure: string) => progress.getByRole('row').filter({ hasText: figure }).getByRole('cell').allTextContents()
    expect(await figures('学习（次）')).toEqual(inPeriod.map(within => String(dates.filter(within).length)))
    expect(await figures('学习（分钟）')).toEqual(inPeriod.map(within => String(dates.reduce((sum, date, i) => sum + (within(date) ? minutes[i]! : 0), 0))))
    expect(await figures('服务（小时）')).toEqual(['1.5', '1.5', '1.5'])
    expect(await figures('服务（人次）')).toEqual(['1', '1', '1'])

    // The strip is an image with a name that says what it shows, for readers who cannot see it.
    const strip = progress.getByRole('img', { name: /\d{4}年已学习\s*\d+\s*周/ })
    const label = await strip.getAttribute('aria-label') ?? await strip.textContent() ?? ''
    const [, year, weeks] = label.match(/(\d{4})年已学习\s*(\d+)\s*周/)!
    expect(year).toBe(currentWeek().slice(0, 4))
    const studiedThisYear = new Set(dates.map(weekKey).filter(week => week.startsWith(`${year}-W`)))
    expect(Number(weeks)).toBe(studiedThisYear.size)
    // One cell a week; a studied week carries a mark (a drawn tick or a character), not only a colour.
    const cells = await strip.evaluate(grid => [...grid.children].map(cell => cell.querySelector('svg, img') !== null || (cell.textContent ?? '').trim() !== ''))
    expect(cells).toHaveLength(weeksInYear(Number(year)))
    expect(cells.filter(Boolean)).toHaveLength(studiedThisYear.size)
    await context.close()
  })
})
