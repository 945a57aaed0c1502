import { describe, expect, it } from 'vitest'
import { todayIn } from '../../src/domain/week'
import { branchCompletion, joinByApi, serverRows } from './support/api'
import { action, addCheckin, checkinRow, joinInApp, problemEntry, tab, waitForSynced } from './support/app'
import { openBranchSection, openBranchTab, pushCheckin, pushProblem } from './support/branch'
import { useBranchServer } from './support/site'

// 成员管理 and 问题清单 reach the members' phones: 停用设备 signs a phone out at its next sync, a new
// invite code retires the old one, and a problem's new status shows under the reporter's 我反映的问题.
describe('the secretary manages members and the problem register', () => {
  const site = useBranchServer('和平党支部')

  it('停用设备: the member\'s phone says its sign-in is gone; 更换党员邀请码 retires the old code; 设为退休 sticks', async () => {
    const { context: memberContext, page: memberPage } = await site.phone('member')
    await joinInApp(memberPage, site.server.baseUrl, site.branch.memberInviteCode, '赵停用')

    const { context, page, errors } = await site.phone('secretary')
    const secretary = await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')
    await openBranchTab(page)
    await openBranchSection(page, '成员管理')

    // The invite codes, and a new member code: the old one no longer lets anyone in.
    await page.getByText(site.branch.memberInviteCode, { exact: true }).waitFor()
    await action(page, '更换党员邀请码').click()
    await page.getByRole('dialog', { name: '更换党员邀请码' }).getByRole('button', { name: '确认更换' }).click()
    await page.getByText('党员邀请码已更换。', { exact: true }).waitFor()
    await page.getByText(site.branch.memberInviteCode, { exact: true }).waitFor({ state: 'detached' })
    await expect(joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '钱迟到')).rejects.toThrow(/403/)

    // The list shows role, status and joining date; tapping opens the member.
    const row = page.getByRole('link').filter({ hasText: '赵停用' })
    expect(await row.textContent()).toMatch(/党员.*在职.*未填入党日期/)
    await row.click()
    await page.getByRole('heading', { level: 1, name: '赵停用' }).waitFor()

    await action(page, '设为退休').click()
    await page.getByText('已设为退休。', { exact: true }).waitFor()
    await action(page, '设为在职').waitFor()
    await page.getByLabel('入党日期', { exact: true }).fill('1986-11-03')
    await action(page, '保存日期').click()
    await page.getByText('入党日期已保存。', { exact: true }).waitFor()

    await action(page, '停用设备').click()
    await page.getByRole('dialog', { name: '停用赵停用的设备？' }).getByRole('button', { name: '确认停用' }).click()
    await page.getByText('已停用 1 台设备。', { exact: true }).waitFor()

    // The member's next sync is refused, and the app says so.
    await action(memberPage, '立即同步').click()
    await memberPage.getByRole('alert').filter({ hasText: '登录已失效' }).waitFor()

    // The branch's only secretary cannot step down: the server's reason is shown.
    await page.getByRole('button', { name: '返回' }).click()
    await page.getByRole('link').filter({ hasText: '王书记' }).click()
    await page.getByRole('heading', { level: 1, name: '王书记' }).waitFor()
    await action(page, '取消书记').click()
    await page.getByRole('alert').filter({ hasText: '支部至少要有一名书记' }).waitFor()
    await action(page, '取消书记').waitFor()

    // What the secretary set is what the server now says (and 本月政治生日 lists November birthdays).
    const members = await fetch(`${site.server.baseUrl}/api/v1/branch/members`, { headers: { authorization: `Bearer ${secretary.token}` } }).then(r => r.json()) as { members: { name: string, retired: boolean, partyJoinDate: string | null, activeDevices: number }[] }
    expect(members.members.find(m => m.name === '赵停用')).toMatchObject({ retired: true, partyJoinDate: '1986-11-03', activeDevices: 0 })

    expect(errors).toEqual([])
    await context.close()
    await memberContext.close()
  })

  it('a problem set 推进中 with 负责人 and 办理结果 reaches the reporter\'s 我反映的问题', async () => {
    const today = todayIn('Asia/Shanghai')
    const { context: memberContext, page: memberPage, errors: memberErrors } = await site.phone('member')
    const member = await joinInApp(memberPage, site.server.baseUrl, await freshMemberCode(), '孙反映')
    // Reported from the member's other device; this phone pulls it.
    await pushProblem(site.server.baseUrl, member.token, { date: today, community: '和平社区', category: 'environment', title: '楼道灯坏了', detail: '3号楼二单元' })
    await tab(memberPage, '服务').click()
    await action(memberPage, '立即同步').click()
    await waitForSynced(memberPage)
    await expect.poll(() => problemEntry(memberPage, '楼道灯坏了').textContent()).toContain('待解决')

    const { context, page, errors } = await site.phone('secretary')
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '周书记')
    await openBranchTab(page)
    await openBranchSection(page, '问题清单')
    await page.getByText('待解决 1', { exact: true }).waitFor()

    const problem = page.getByRole('article', { name: /楼道灯坏了/ })
    expect(await problem.textContent()).toContain('反映人：孙反映')
    await problem.getByLabel('办理状态', { exact: true }).selectOption({ label: '推进中' })
    await problem.getByLabel('负责人', { exact: true }).fill('周书记')
    await problem.getByLabel('办理结果', { exact: true }).fill('已联系物业，本周内更换')
    await problem.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByText('推进中 1', { exact: true }).waitFor()
    await page.getByText('待解决 0', { exact: true }).waitFor()

    // Filtering by status shows it under 推进中 and not under 待解决.
    await page.getByLabel('状态', { exact: true }).selectOption({ label: '待解决' })
    await page.getByText('没有符合条件的问题。', { exact: true }).waitFor()
    await page.getByLabel('状态', { exact: true }).selectOption({ label: '推进中' })
    await page.getByRole('article', { name: /楼道灯坏了/ }).waitFor()

    const rows = await serverRows(site.server.baseUrl, member.token, 'problems')
    expect(rows[0]!.data).toMatchObject({ status: 'in_progress', ownerName: '周书记', resolution: '已联系物业，本周内更换' })

    await action(memberPage, '立即同步').click()
    await waitForSynced(memberPage)
    await expect.poll(() => problemEntry(memberPage, '楼道灯坏了').textContent()).toContain('推进中')
    expect(await problemEntry(memberPage, '楼道灯坏了').textContent()).toContain('办理结果：已联系物业，本周内更换')

    expect(errors).toEqual([])
    expect(memberErrors).toEqual([])
    await context.close()
    await memberContext.close()
  })

  it('合并到…: a duplicate is merged into the real member, counted once, and its phone becomes them', async () => {
    const today = todayIn('Asia/Shanghai')
    const code = await freshMemberCode()
    // The real 郑光明 logged on her old phone; her new phone joined again as 郑光明（新）.
    const real = await joinByApi(site.server.baseUrl, code, '郑光明')
    await pushCheckin(site.server.baseUrl, real.token, { date: today, form: 'self_study', topic: '旧手机上的学习', minutes: 30 })
    const { context: phoneContext, page: phone, errors: phoneErrors } = await site.phone('new phone')
    const duplicate = await joinInApp(phone, site.server.baseUrl, code, '郑光明（新）')
    await addCheckin(phone, { topic: '新手机上的学习', minutes: 20 })
    await waitForSynced(phone)

    const { context, page, errors } = await site.phone('secretary')
    const secretary = await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '冯书记')
    const before = await branchCompletion(site.server.baseUrl, secretary.token)
    expect(before.members.filter(m => m.name.startsWith('郑光明')).map(m => m.checkins).sort()).toEqual([1, 1])
    await openBranchTab(page)
    await openBranchSection(page, '成员管理')
    await page.getByRole('link').filter({ hasText: '郑光明（新）' }).click()
    await page.getByRole('heading', { level: 1, name: '郑光明（新）' }).waitFor()
    await page.getByLabel('合并到', { exact: true }).selectOption(real.member.id)
    await action(page, '合并到…').click()
    const dialog = page.getByRole('dialog', { name: '把郑光明（新）合并到郑光明？' })
    expect(await dialog.textContent()).toContain('每个月的统计按从来没有过郑光明（新）重新计算')
    await dialog.getByRole('button', { name: '确认合并' }).click()
    await page.getByRole('heading', { level: 1, name: '郑光明' }).waitFor()
    await page.getByText('已将郑光明（新）合并到郑光明', { exact: true }).waitFor()

    // Counted once: one 郑光明 with both check-ins, one member fewer this week, none in the list.
    const after = await branchCompletion(site.server.baseUrl, secretary.token)
    expect(after.total).toBe(before.total - 1)
    expect(after.members.filter(m => m.name.startsWith('郑光明'))).toEqual([expect.objectContaining({ id: real.member.id, checkins: 2, studied: true })])
    await page.getByRole('button', { name: '返回' }).click()
    await page.getByRole('link').filter({ hasText: '郑光明' }).first().waitFor()
    expect(await page.getByRole('link').filter({ hasText: '郑光明（新）' }).count()).toBe(0)

    // The new phone, at its next sync, is 郑光明 and shows her old phone's check-in beside its own.
    await action(phone, '立即同步').click()
    await checkinRow(phone, '旧手机上的学习').waitFor()
    await checkinRow(phone, '新手机上的学习').waitFor()
    await waitForSynced(phone)
    await tab(phone, '我的').click()
    await phone.getByText('郑光明', { exact: true }).first().waitFor()
    expect(duplicate.member.id).not.toBe(real.member.id)

    expect(errors).toEqual([])
    expect(phoneErrors).toEqual([])
    await context.close()
    await phoneContext.close()
  })

  /** The branch's member code now (the first test replaced the original). */
  async function freshMemberCode(): Promise<string> {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '吴助理')
    const overview = await fetch(`${site.server.baseUrl}/api/v1/branch`, { headers: { authorization: `Bearer ${secretary.token}` } }).then(r => r.json()) as { branch: { memberInviteCode: string } }
    return overview.branch.memberInviteCode
  }
})
