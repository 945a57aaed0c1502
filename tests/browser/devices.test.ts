import type { Page } from 'playwright-core'
import type { BranchMembersResponse } from '../../src/domain/branch'
import { describe, expect, it } from 'vitest'
import { todayIn } from '../../src/domain/week'
import { action, answerElderPrompt, checkinRow, joinInApp, tab, waitForSynced } from './support/app'
import { a11yAudits } from './support/axe'
import { openBranchSection, openBranchTab, pushCheckin } from './support/branch'
import { useBranchServer } from './support/site'

// Members as the branch knows them (issue #12): a member signs a second phone in with 添加新设备's
// code and finds their records there; a secretary adds a member without a phone, 代录s for them,
// and that member later claims the account on a phone with a 认领码 (its QR link) and sees it.
// One member each time, never a second one.

/** The one-time code the page shows (grouped for reading; the spaces are not part of it). */
async function shownCode(page: Page): Promise<string> {
  const code = page.getByTestId('sign-in-code')
  await code.waitFor()
  return (await code.textContent())!.replace(/\s/g, '')
}

describe('devices: a second phone, and a member without a phone who gets one', () => {
  const site = useBranchServer('东风党支部')

  it('adds a second phone with 添加新设备\'s code: the same member, with all their records', async () => {
    const audits = a11yAudits()
    const { context, page, errors } = await site.phone('phone 1')
    const joined = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '张党员')
    await pushCheckin(site.server.baseUrl, joined.token, { date: todayIn('Asia/Shanghai'), form: 'self_study', topic: '第一部手机上的学习', minutes: 30 })

    await tab(page, '我的').click()
    const devices = page.getByRole('region', { name: '我的设备' })
    await expect.poll(() => devices.getByTestId('device').count()).toBe(1)
    expect(await devices.getByTestId('device').textContent()).toContain('本机')
    await action(page, '添加新设备').click()
    const code = await shownCode(page)
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{10}$/)
    await devices.getByRole('img', { name: /二维码/ }).waitFor()
    await audits.audit(page, '我的 with 我的设备 and a code')

    // The new phone types the code on the join page (用认领码登录), spaced as it was read out.
    const { context: context2, page: page2, errors: errors2 } = await site.phone('phone 2')
    await page2.goto(`${site.server.baseUrl}/join`)
    await answerElderPrompt(page2, '暂不')
    await action(page2, '用认领码登录').click()
    await page2.getByLabel('认领码或添加设备码', { exact: true }).fill(`${code.slice(0, 5)} ${code.slice(5)}`)
    await audits.audit(page2, 'join with 用认领码登录 open')
    await action(page2, '登录').click()
    await page2.waitForURL(/\/study(?:$|[?#])/)
    await waitForSynced(page2)
    await checkinRow(page2, '第一部手机上的学习').waitFor()

    // 我的设备 on the new phone: two devices, this one marked; it stops the first (say, lost).
    await tab(page2, '我的').click()
    const devices2 = page2.getByRole('region', { name: '我的设备' })
    await expect.poll(() => devices2.getByTestId('device').count()).toBe(2)
    await devices2.getByRole('button', { name: /^停用/ }).click()
    await page2.getByText(/^已停用“/).waitFor()
    await expect.poll(() => devices2.getByTestId('device').count()).toBe(1)
    const me = await fetch(`${site.server.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${joined.token}` } })
    expect(me.status).toBe(401)

    expect(audits.names()).toEqual(['我的 with 我的设备 and a code', 'join with 用认领码登录 open'])
    expect(audits.report()).toBe('')
    expect(errors).toEqual([])
    expect(errors2).toEqual([])
    await context.close()
    await context2.close()
  })

  it('a secretary adds a member without a phone, 代录s for her, and her new phone claims the account', async () => {
    const audits = a11yAudits()
    const { context, page, errors } = await site.phone('secretary')
    const secretary = await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')
    await openBranchTab(page)
    await openBranchSection(page, '成员管理')
    await action(page, '添加成员').click()
    const form = page.getByRole('form', { name: '添加成员（没有手机的党员）' })
    await form.getByLabel('姓名', { exact: true }).fill('刘奶奶')
    await form.getByRole('radio', { name: '退休' }).check()
    await form.getByLabel('入党日期（可不填）', { exact: true }).fill('1970-07-01')
    await audits.audit(page, '成员管理 with 添加成员 open')
    await form.getByRole('button', { name: '添加', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '刘奶奶' }).waitFor()
    await page.getByText('还没有设备', { exact: false }).waitFor()

    // 代录 for her at once.
    await action(page, '代录学习').click()
    const proxy = page.getByRole('form', { name: '代录学习' })
    await proxy.getByLabel('主题', { exact: true }).fill('居家学习党章（代录）')
    await proxy.getByLabel('时长（分钟）', { exact: true }).fill('40')
    await proxy.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByText('已为刘奶奶代录学习。', { exact: true }).waitFor()

    // 认领码, shown as text and as a QR code of the join page's link.
    await action(page, '生成认领码').click()
    const code = await shownCode(page)
    const qr = page.getByRole('img', { name: /二维码/ })
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    await audits.audit(page, 'member page with a 认领码')

    // Her new phone opens the QR code's link: the claim form is open with the code in it.
    const { context: phoneContext, page: phone, errors: phoneErrors } = await site.phone('刘奶奶\'s phone')
    await phone.goto(`${site.server.baseUrl}/join?claim=${code}`)
    await answerElderPrompt(phone, '开启')
    expect(await phone.getByLabel('认领码或添加设备码', { exact: true }).inputValue()).toBe(code)
    await action(phone, '登录').click()
    await phone.waitForURL(/\/study(?:$|[?#])/)
    await waitForSynced(phone)
    await checkinRow(phone, '居家学习党章（代录）').waitFor()

    // Still one 刘奶奶, now with one device.
    const listed = await fetch(`${site.server.baseUrl}/api/v1/branch/members`, { headers: { authorization: `Bearer ${secretary.token}` } })
    const members = (await listed.json() as BranchMembersResponse).members.filter(m => m.name === '刘奶奶')
    expect(members).toHaveLength(1)
    expect(members[0]).toMatchObject({ activeDevices: 1, retired: true, partyJoinDate: '1970-07-01' })

    expect(audits.names()).toEqual(['成员管理 with 添加成员 open', 'member page with a 认领码'])
    expect(audits.report()).toBe('')
    expect(errors).toEqual([])
    expect(phoneErrors).toEqual([])
    await context.close()
    await phoneContext.close()
  })
})
