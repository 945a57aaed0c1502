import { describe, expect, it } from 'vitest'
import { todayIn } from '../../src/domain/week'
import { joinByApi, serverStudyCheckins } from './support/api'
import { action, checkinRow, joinInApp, tab, waitForSynced } from './support/app'
import { branchListNames, completionHeading, openBranchTab, pushCheckin } from './support/branch'
import { useBranchServer } from './support/site'

// 本周未学习 → 复制提醒 → 代录: the secretary sees who has not studied, copies the reminder, enters a
// check-in for the member without a phone, and the member is counted; the member's phone pulls the
// record, marked as entered by the secretary.
describe('the secretary\'s 支部: who has not studied, 复制提醒 and 代录', () => {
  const site = useBranchServer('和平党支部')

  it('lists 李未学 under 本周未学习, copies the reminder, 代录 counts him, and his phone shows it as 代录', async () => {
    const today = todayIn('Asia/Shanghai')
    const studied = await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '张已学')
    await pushCheckin(site.server.baseUrl, studied.token, { date: today, form: 'branch_study', topic: '学习党章', minutes: 60 })

    // The member without a phone of his own still has the app on a shared one (to see the record later).
    const { context: memberContext, page: memberPage, errors: memberErrors } = await site.phone('member')
    const member = await joinInApp(memberPage, site.server.baseUrl, site.branch.memberInviteCode, '李未学')

    const { context, page, errors } = await site.phone('secretary')
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.server.baseUrl })
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')

    await openBranchTab(page)
    expect(await completionHeading(page)).toBe('本周完成 1/3')
    expect(await branchListNames(page, '本周未学习')).toEqual(['李未学', '王书记'])
    expect(await branchListNames(page, '本周已学习')).toEqual(['张已学'])

    // 复制提醒 puts the ready message, names included, on the clipboard.
    await action(page, '复制提醒').click()
    await page.getByText('已复制', { exact: true }).waitFor()
    const reminder = await page.evaluate(() => navigator.clipboard.readText())
    expect(reminder).toMatch(/^【学习提醒】本周（\d+月\d+日—\d+月\d+日）还有以下同志未完成学习打卡：李未学、王书记。请抽空完成学习并在学习打卡中签到。$/)

    // Tapping the name opens his page; 代录学习 enters a check-in that is his.
    await page.getByRole('region', { name: '本周未学习', exact: true }).getByRole('link', { name: '李未学' }).click()
    await page.getByRole('heading', { level: 1, name: '李未学' }).waitFor()
    await action(page, '代录学习').click()
    const form = page.getByRole('form', { name: '代录学习' })
    expect(await form.getByLabel('学习形式', { exact: true }).inputValue()).toBe('self_study')
    expect(await form.getByLabel('日期', { exact: true }).inputValue()).toBe(today)
    await form.getByLabel('主题', { exact: true }).fill('支部集中学习（代录）')
    await form.getByLabel('时长（分钟）', { exact: true }).fill('45')
    await form.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByText('已为李未学代录学习。', { exact: true }).waitFor()
    const entry = page.locator('li').filter({ hasText: '支部集中学习（代录）' })
    await expect.poll(() => entry.textContent()).toContain('王书记代录')

    const stored = await serverStudyCheckins(site.server.baseUrl, member.token)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.data).toMatchObject({ topic: '支部集中学习（代录）', minutes: 45, date: today, memberId: member.member.id, enteredByName: '王书记' })

    // Back on 支部 he is counted.
    await openBranchTab(page)
    await expect.poll(() => completionHeading(page)).toBe('本周完成 2/3')
    expect(await branchListNames(page, '本周未学习')).toEqual(['王书记'])
    expect((await branchListNames(page, '本周已学习')).sort()).toEqual(['张已学', '李未学'].sort())

    // His phone pulls it: 本周已学习, and the entry says who entered it.
    await tab(memberPage, '学习').click()
    await action(memberPage, '立即同步').click()
    await waitForSynced(memberPage)
    await checkinRow(memberPage, '支部集中学习（代录）').waitFor()
    await memberPage.getByRole('heading', { name: '本周已学习' }).waitFor()
    expect(await memberPage.locator('li').filter({ hasText: '支部集中学习（代录）' }).textContent()).toContain('王书记代录')

    expect(errors).toEqual([])
    expect(memberErrors).toEqual([])
    await context.close()
    await memberContext.close()
  })
})
