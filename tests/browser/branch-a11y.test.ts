import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { todayIn } from '../../src/domain/week'
import { joinByApi, pushChanges } from './support/api'
import { joinInApp, tab } from './support/app'
import { describeViolations, seriousA11yViolations } from './support/axe'
import { openBranchTab, pushCheckin, pushProblem, recordId } from './support/branch'
import { useBranchServer } from './support/site'

/** Scripts the page itself loaded (entry, imports, preloads), as URLs. */
function loadedScripts(page: Page): Promise<string[]> {
  return page.evaluate(() => performance.getEntriesByType('resource').map(entry => entry.name).filter(name => new URL(name).pathname.endsWith('.js')))
}

/**
 * Whether any of these scripts is or carries ECharts: its chunk by name, or its code (its `__ec_`
 * instance keys are in every build of it). The word "echarts" alone proves nothing: the entry's
 * preload map names the chunk's file for the completion page, which a member never opens.
 */
async function anyHasECharts(urls: string[]): Promise<boolean> {
  for (const url of urls) {
    if (/\/echarts-[\w-]+\.js$/.test(new URL(url).pathname))
      return true
    const code = await fetch(url).then(r => r.text())
    if (code.includes('__ec_'))
      return true
  }
  return false
}

// Every secretary page passes axe at 390×844 without widening the page, and ECharts stays in the
// completion page's chunk: a member's pages never load it.
describe('the secretary\'s pages: accessible, phone-sized, and ECharts only where it draws', () => {
  const site = useBranchServer('和平党支部')

  it('has no serious axe finding on any secretary page, each fits 390 px', async () => {
    const today = todayIn('Asia/Shanghai')
    const member = await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '张三')
    await pushCheckin(site.server.baseUrl, member.token, { date: today, form: 'branch_study', topic: '学习党章', minutes: 60 })
    await pushProblem(site.server.baseUrl, member.token, { date: today, community: '和平社区', category: 'livelihood', title: '小区缺少充电桩', detail: '' })
    await pushChanges(site.server.baseUrl, member.token, [{ table: 'serviceLogs', id: recordId(), updatedAt: Date.now(), data: { date: today, community: '和平社区', activity: 'volunteer', hours: 1.5, description: '' } }])

    const { context, page, errors } = await site.phone('secretary')
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')
    await openBranchTab(page)

    const month = today.slice(0, 7)
    const pages: { path: string, ready: (page: Page) => Promise<unknown> }[] = [
      { path: '/branch', ready: p => p.getByRole('heading', { name: '本周完成 1/2' }).waitFor() },
      { path: '/branch/completion', ready: p => p.getByRole('img', { name: /每周参学率折线图/ }).waitFor() },
      { path: '/branch/members', ready: p => p.getByRole('link').filter({ hasText: '张三' }).waitFor() },
      { path: `/branch/members/${member.member.id}`, ready: p => p.getByText('学习党章').waitFor() },
      { path: '/branch/problems', ready: p => p.getByRole('article', { name: /小区缺少充电桩/ }).waitFor() },
      { path: `/branch/summary`, ready: p => p.getByText(/^本月共开展支部集中学习/).waitFor() },
      { path: `/branch/summary/records?month=${month}&figure=service.count`, ready: p => p.getByText('和平社区', { exact: false }).first().waitFor() },
    ]
    for (const { path, ready } of pages) {
      await page.goto(`${site.server.baseUrl}${path}`)
      await ready(page)
      const violations = await seriousA11yViolations(page)
      expect(violations, `${path}\n${describeViolations(violations)}`).toEqual([])
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390)
    }

    // The completion page's chunk is the one that brings ECharts.
    await page.goto(`${site.server.baseUrl}/branch/completion`)
    await page.getByRole('img', { name: /每周参学率折线图/ }).locator('canvas').first().waitFor()
    expect(await anyHasECharts(await loadedScripts(page))).toBe(true)

    expect(errors).toEqual([])
    await context.close()
  })

  it('a member\'s pages load no ECharts', async () => {
    const { context, page } = await site.phone('member')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '李四')
    for (const name of ['服务', '笔记', '我的', '学习'])
      await tab(page, name).click()
    const scripts = await loadedScripts(page)
    expect(scripts.length).toBeGreaterThan(3)
    expect(await anyHasECharts(scripts)).toBe(false)
    // And none of the secretary pages' chunks either.
    expect(scripts.filter(url => /\/Branch[A-Z]\w*Page-/.test(url))).toEqual([])
    await context.close()
  })
})
