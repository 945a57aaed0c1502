import { describe, expect, it } from 'vitest'
import { currentWeek, shiftWeek, todayIn, weekLabel } from '../../src/domain/week'
import { joinByApi } from './support/api'
import { joinInApp } from './support/app'
import { openBranchSection, openBranchTab, pushCheckin } from './support/branch'
import { useBranchServer } from './support/site'

// 完成情况: weeks × members, filtered to 在职 or 退休, with each week's 参学率 and each member's
// total; a range of the secretary's choosing; a name opens that member's page.
describe('the completion grid', () => {
  const site = useBranchServer('和平党支部')

  it('filters 在职 / 退休, totals each week and member, takes a range, and opens a member', async () => {
    const today = todayIn('Asia/Shanghai')
    const retired = await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '钱退休')
    await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '孙在职')
    await pushCheckin(site.server.baseUrl, retired.token, { date: today, form: 'home_study', topic: '居家学习', minutes: 40 })

    const { context, page, errors } = await site.phone('secretary')
    const secretary = await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')
    const marked = await fetch(`${site.server.baseUrl}/api/v1/branch/members/${retired.member.id}`, {
      method: 'PATCH',
      headers: { 'authorization': `Bearer ${secretary.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ retired: true }),
    })
    expect(marked.status).toBe(200)
    await openBranchTab(page)
    await openBranchSection(page, '完成情况')

    const table = page.getByRole('table')
    const memberRows = table.locator('tbody tr')
    const rowNames = async () => (await memberRows.getByRole('rowheader').allTextContents()).map(text => text.replace('退休', '').trim()).sort()
    await expect.poll(rowNames).toEqual(['孙在职', '王书记', '钱退休'].sort())
    // 12 weeks by default, the current one last; this week 1 of 3 studied.
    const weekHeaders = table.locator('thead th')
    expect(await weekHeaders.count()).toBe(12 + 2)
    expect(await weekHeaders.nth(12).textContent()).toContain(weekLabel(currentWeek(), 'zh-CN'))
    const rates = table.locator('tfoot td')
    expect(await rates.nth(11).textContent()).toContain('33.3%')
    expect(await table.getByRole('row').filter({ hasText: '钱退休' }).textContent()).toContain('1 周 · 40 分钟')
    expect(await table.getByRole('row').filter({ hasText: '钱退休' }).locator('td').nth(11).textContent()).toContain('已学')
    expect(await table.getByRole('row').filter({ hasText: '孙在职' }).locator('td').nth(11).textContent()).toContain('未学')

    await page.getByRole('radio', { name: '退休', exact: true }).check()
    await expect.poll(rowNames).toEqual(['钱退休'])
    await expect.poll(() => rates.nth(11).textContent()).toContain('100%')
    await page.getByRole('radio', { name: '在职', exact: true }).check()
    await expect.poll(rowNames).toEqual(['孙在职', '王书记'].sort())
    await expect.poll(() => rates.nth(11).textContent()).toContain('0%')
    await page.getByRole('radio', { name: '全部', exact: true }).check()

    // Four weeks up to this one.
    await page.getByLabel('起始周', { exact: true }).fill(shiftWeek(currentWeek(), -3))
    await expect.poll(() => weekHeaders.count()).toBe(4 + 2)
    // A range that ends before it starts is refused with a reason, and the grid stays.
    await page.getByLabel('结束周', { exact: true }).fill(shiftWeek(currentWeek(), -5))
    await page.getByText('结束周不能早于起始周。', { exact: true }).waitFor()
    expect(await weekHeaders.count()).toBe(4 + 2)

    await table.getByRole('link', { name: '钱退休' }).click()
    await page.getByRole('heading', { level: 1, name: '钱退休' }).waitFor()
    await page.getByText('居家学习', { exact: true }).first().waitFor()

    expect(errors).toEqual([])
    await context.close()
  })
})
