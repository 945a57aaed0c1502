import type { Locator, Page } from 'playwright-core'
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { addDays, todayIn } from '../../src/domain/week'
import { joinByApi, pushChanges } from './support/api'
import { action, joinInApp, tab, waitForSynced } from './support/app'
import { openBranchSection, openBranchTab } from './support/branch'
import { useBranchServer } from './support/site'

const CHECKINS = 120
const NOTES = 70
const SERVICES = 120
const PROBLEMS = 70
const MEMBERS = 70

/**
 * A virtual list of at least `total` rows matching `pattern` (`row(1)` finds the top one): fewer than half are
 * in the page, each says its place among all, and scrolling down reaches `last`.
 */
async function scrollsVirtually(page: Page, row: (n: number) => Locator, pattern: RegExp, total: number, last: number): Promise<void> {
  // Another list may come first on the page: scroll down to this one.
  await expect.poll(async () => {
    if (await row(1).count() > 0)
      return true
    await page.mouse.wheel(0, 800)
    return false
  }).toBe(true)
  const rows = page.getByRole('listitem').filter({ hasText: pattern })
  expect(await rows.count(), `${pattern}: rows in the page`).toBeLessThan(total / 2)
  // Another test's rows may share the branch's lists: at least `total`.
  expect(Number(await rows.first().getAttribute('aria-setsize'))).toBeGreaterThanOrEqual(total)
  // The register's cards are tall: scrolling to the end takes a while on a loaded machine.
  await expect.poll(async () => {
    await page.mouse.wheel(0, 5000)
    return row(last).count()
  }, { timeout: 60_000 }).toBeGreaterThan(0)
  expect(await rows.count(), `${pattern}: rows in the page at the end`).toBeLessThan(total / 2)
  await page.evaluate(() => window.scrollTo(0, 0))
}

// Long lists: records written on another device arrive by sync; 学习 and 笔记 scroll virtually,
// reading a page at a time as the end nears; a search still finds every note. 服务 and 问题 on the
// member's phone, 成员管理 and 问题清单 on the secretary's scroll virtually too.
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
    // Service 1 is today's, 120 the oldest; problem 1 the newest.
    const services = Array.from({ length: SERVICES }, (_, i) => ({
      table: 'serviceLogs',
      id: randomUUID(),
      updatedAt: now + i,
      data: { date: addDays(today, -i), community: `第${i + 1}次服务的社区`, activity: 'volunteer', hours: 1, description: '' },
    }))
    const problems = Array.from({ length: PROBLEMS }, (_, i) => ({
      table: 'problems',
      id: randomUUID(),
      updatedAt: now + i,
      data: { date: addDays(today, -i), community: '长列表社区', category: 'environment', title: `反映的问题 ${i + 1}`, detail: '' },
    }))
    const pushed = await pushChanges(site.server.baseUrl, member.token, [...checkins, ...notes, ...services, ...problems])
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

    // 服务: my problems first (few, followed until solved), then years of service by month.
    await tab(page, '服务').click()
    await scrollsVirtually(page, n => page.getByText(`反映的问题 ${n}`, { exact: true }), /反映的问题 \d+/, PROBLEMS, PROBLEMS)
    await scrollsVirtually(page, n => page.getByText(`第${n}次服务的社区`, { exact: true }), /第\d+次服务的社区/, SERVICES, SERVICES)
    await context.close()
  })

  it('the secretary\'s 成员管理, a member\'s records and 问题清单 scroll virtually', async () => {
    const reporter = await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '成员 000')
    // Names sort by zh-CN collation: 成员 001 … 成员 069 after the secretary.
    for (let i = 1; i < MEMBERS; i++)
      await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, `成员 ${String(i).padStart(3, '0')}`)
    const today = todayIn('Asia/Shanghai')
    const problems = Array.from({ length: PROBLEMS }, (_, i) => ({
      table: 'problems',
      id: randomUUID(),
      updatedAt: Date.now() + i,
      data: { date: addDays(today, -i), community: '长列表社区', category: 'livelihood', title: `登记的问题 ${i + 1}`, detail: '' },
    }))
    const pushed = await pushChanges(site.server.baseUrl, reporter.token, problems)
    expect(pushed.results.filter(r => r.status !== 'applied')).toEqual([])
    // Two years of weekly study by one member: the secretary's 成员 page lists every one.
    const studied = await pushChanges(site.server.baseUrl, reporter.token, Array.from({ length: CHECKINS }, (_, i) => ({
      table: 'studyCheckins',
      id: randomUUID(),
      updatedAt: Date.now() + i,
      data: { date: addDays(today, -7 * i), form: 'self_study', topic: `成员的学习 ${i + 1}`, minutes: 30 },
    })))
    expect(studied.results.filter(r => r.status !== 'applied')).toEqual([])

    const { context, page } = await site.phone('secretary')
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '长书记')
    await openBranchTab(page)
    await openBranchSection(page, '成员管理')
    // The secretary first, then 成员 000 … 成员 069 (and the first test's member, whose name sorts after).
    await scrollsVirtually(page, n => page.getByText(`成员 ${String(n - 1).padStart(3, '0')}`, { exact: true }), /成员 \d{3}/, MEMBERS + 1, MEMBERS)

    // 成员 000's records, newest first.
    await page.goto(`${site.server.baseUrl}/branch/members/${reporter.member.id}`)
    await scrollsVirtually(page, n => page.getByText(`成员的学习 ${n}`, { exact: true }), /成员的学习 \d+/, CHECKINS, CHECKINS)

    await page.goto(`${site.server.baseUrl}/branch`)
    await openBranchSection(page, '问题清单')
    // The register lists the newest first; a card being edited stays drawn when scrolled far away.
    await scrollsVirtually(page, n => page.getByRole('heading', { name: new RegExp(`^登记的问题 ${n}\\D`) }), /登记的问题 \d+/, PROBLEMS, PROBLEMS)
    const first = page.getByRole('article', { name: /^登记的问题 1\D/ })
    await first.getByLabel('办理结果', { exact: true }).fill('已联系物业，下周修好')
    await expect.poll(async () => {
      await page.mouse.wheel(0, 5000)
      return page.getByRole('heading', { name: new RegExp(`^登记的问题 ${PROBLEMS}\\D`) }).count()
    }, { timeout: 60_000 }).toBeGreaterThan(0)
    expect(await first.count(), 'the card being edited stays in the page').toBe(1)
    await page.evaluate(() => window.scrollTo(0, 0))
    expect(await first.getByLabel('办理结果', { exact: true }).inputValue()).toBe('已联系物业，下周修好')
    await context.close()
  })
})
