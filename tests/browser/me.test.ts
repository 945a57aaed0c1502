import { describe, expect, it } from 'vitest'
import { addCheckin, joinInApp, syncStatus, tab, waitForServiceWorkerControl } from './support/app'
import { useBranchServer } from './support/site'

// 我的: who the member is, the device's storage state, the build, the language, and a sign-out
// that warns before deleting records that exist only on this device.
describe('我的', () => {
  const site = useBranchServer('城南党支部')

  it('shows name, branch, role, storage state and build, and switches language for good', async () => {
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '钱八')
    await tab(page, '我的').click()
    await page.waitForURL(/\/me/)
    await page.getByText('钱八', { exact: true }).waitFor()
    await page.getByText('城南党支部', { exact: true }).waitFor()
    await page.getByText('党员', { exact: true }).waitFor()
    await page.getByText(/^(?:已开启持久存储|未开启持久存储)$/).waitFor()
    await page.getByText('版本 browser-a', { exact: true }).waitFor()

    await page.getByRole('button', { name: 'English', exact: true }).click()
    await tab(page, 'Study').waitFor()
    await page.reload()
    await page.getByText('Version browser-a', { exact: true }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    await page.getByRole('button', { name: '中文', exact: true }).click()
    await tab(page, '学习').waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await context.close()
  })

  it('warns before signing out while a record waits, and signs out to 加入支部', async () => {
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '孙九')
    // Offline pages load their code from the worker's precache: wait until it serves this page.
    await waitForServiceWorkerControl(page)
    await context.setOffline(true)
    await addCheckin(page, { topic: '仅在本机的学习记录', minutes: 20 })
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('待同步 1 条')

    await tab(page, '我的').click()
    await page.getByRole('button', { name: '退出登录', exact: true }).click()
    const warning = page.getByRole('dialog')
    await warning.getByText(/还有 1 条记录未同步/).waitFor()
    await warning.getByRole('button', { name: '取消', exact: true }).click()
    await warning.waitFor({ state: 'hidden' })
    expect(new URL(page.url()).pathname).toBe('/me')

    await context.setOffline(false)
    await page.getByRole('button', { name: '立即同步' }).click()
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 60_000 }).toContain('已同步')
    await page.getByRole('button', { name: '退出登录', exact: true }).click()
    await page.waitForURL(/\/join/)
    await page.getByRole('button', { name: '加入支部' }).waitFor()
    // Signed out for good: reopening the app asks to join again.
    await page.goto(`${site.server.baseUrl}/`)
    await page.waitForURL(/\/join/)
    await context.close()
  })
})
