import { describe, expect, it } from 'vitest'
import { todayIn } from '../../src/domain/week'
import { pullAll, serverRows } from './support/api'
import { action, fillAndSaveService, joinInApp, openNewService, syncStatus, tab, waitForServiceWorkerControl, waitForSynced } from './support/app'
import { useBranchServer } from './support/site'

/** `本月服务 N 小时 · N 次`, spaces as the page lays them out. */
function monthTotal(hours: number, count: number): RegExp {
  return new RegExp(`本月服务\\s*${String(hours).replace('.', '\\.')}\\s*小时\\s*·\\s*${count}\\s*次`)
}

function yearTotal(hours: number, count: number): RegExp {
  return new RegExp(`本年\\s*${String(hours).replace('.', '\\.')}\\s*小时\\s*·\\s*${count}\\s*次`)
}

// 双报到双服务 with no network: each log moves the month's and the year's totals at once, the
// community is remembered, and once online the server holds each log once; edits and deletes follow.
describe('service logs', () => {
  const site = useBranchServer('幸福里党支部')

  it('logs services offline, the month and year totals follow, and they sync once', async () => {
    const { context, page, errors } = await site.phone('page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '赵服务')
    await waitForServiceWorkerControl(page)
    await tab(page, '服务').click()
    await action(page, '记录服务').waitFor()

    await context.setOffline(true)
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('离线')

    await openNewService(page)
    expect(await page.getByLabel('日期', { exact: true }).inputValue()).toBe(todayIn('Asia/Shanghai'))
    await fillAndSaveService(page, { community: '幸福里社区', activity: '志愿服务', hours: 2, peopleServed: 15, description: '清理楼道小广告' })
    await page.getByText(monthTotal(2, 1)).first().waitFor()
    await page.getByText(yearTotal(2, 1)).first().waitFor()

    // The community last used is the next form's default.
    await openNewService(page)
    expect(await page.getByLabel('报到社区', { exact: true }).inputValue()).toBe('幸福里社区')
    await fillAndSaveService(page, { activity: '宣讲', hours: 1.5, description: '宣讲二十届四中全会精神' })
    await page.getByText(monthTotal(3.5, 2)).first().waitFor()
    await page.getByText(yearTotal(3.5, 2)).first().waitFor()
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('待同步 2 条')

    // Offline reload: the shell from the precache, the logs and totals from IndexedDB.
    await page.reload()
    await page.getByText(monthTotal(3.5, 2)).first().waitFor()

    await context.setOffline(false)
    await waitForSynced(page)
    const stored = await serverRows(site.server.baseUrl, member.token, 'serviceLogs')
    expect(stored.map(r => r.data).sort((a, b) => ('hours' in a && 'hours' in b ? a.hours - b.hours : 0))).toEqual([
      expect.objectContaining({ community: '幸福里社区', activity: 'publicity', hours: 1.5, description: '宣讲二十届四中全会精神', memberId: member.member.id }),
      expect.objectContaining({ community: '幸福里社区', activity: 'volunteer', hours: 2, peopleServed: 15, description: '清理楼道小广告' }),
    ])

    // An edit moves the totals; a delete removes the log and reaches the server as a tombstone.
    await page.getByRole('link').filter({ hasText: '清理楼道小广告' }).click()
    expect(await page.getByLabel('报到社区', { exact: true }).inputValue()).toBe('幸福里社区')
    await page.getByLabel('时长（小时）', { exact: true }).fill('3')
    await page.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByText(monthTotal(4.5, 2)).first().waitFor()
    await page.getByRole('link').filter({ hasText: '宣讲二十届四中全会精神' }).click()
    await page.getByRole('button', { name: '删除', exact: true }).click()
    await page.getByRole('dialog').getByRole('button', { name: '确认删除', exact: true }).click()
    await page.getByText(monthTotal(3, 1)).first().waitFor()
    await page.getByText(yearTotal(3, 1)).first().waitFor()
    expect(await page.getByText('宣讲二十届四中全会精神').count()).toBe(0)
    await action(page, '立即同步').click()
    await waitForSynced(page)
    await expect.poll(async () => (await serverRows(site.server.baseUrl, member.token, 'serviceLogs')).map(r => r.data), { timeout: 30_000 })
      .toEqual([expect.objectContaining({ description: '清理楼道小广告', hours: 3 })])
    const all = (await pullAll(site.server.baseUrl, member.token)).filter(r => r.table === 'serviceLogs')
    expect(all.filter(r => r.deleted)).toHaveLength(1)

    expect(errors).toEqual([])
    await context.close()
  })
})
