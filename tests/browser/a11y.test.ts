import { describe, expect, it } from 'vitest'
import { checkinRow, fillAndSaveCheckin, joinInApp, openNewCheckin, tab } from './support/app'
import { a11yAudits, seriousA11yViolations } from './support/axe'
import { useServer } from './support/site'

// axe-core on every page a member or secretary reaches: no serious or critical violation.
describe('accessibility', () => {
  const site = useServer()
  const { audit, names: auditedPages, report: a11yReport } = a11yAudits()

  // Guards the audit above against passing vacuously (axe not loaded, wrong impact filter).
  it('catches a nameless button and an image without alt text', async () => {
    const { context, page } = await site.phone('page')
    await page.setContent('<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body><main><button></button><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
    const ids = (await seriousA11yViolations(page)).map(v => v.id).sort()
    expect(ids).toEqual(['button-name', 'image-alt'])
    await context.close()
  })

  it('finds nothing serious on join, setup, 学习, the form, 我的 and 支部', async () => {
    const [, printedLink] = await site.server.waitForOutput(/setup: (http:\/\/\S+\/setup\?code=\S+)/)
    const code = new URL(printedLink!).searchParams.get('code')!

    const { context: secretaryContext, page: secretaryPage } = await site.phone('secretaryPage')
    await secretaryPage.goto(`${site.server.baseUrl}/setup?code=${encodeURIComponent(code)}`)
    await secretaryPage.getByLabel('支部名称', { exact: true }).waitFor()
    await audit(secretaryPage, 'setup')
    await secretaryPage.getByLabel('支部名称', { exact: true }).fill('无障碍党支部')
    await secretaryPage.getByLabel('您的姓名', { exact: true }).fill('吴书记')
    const created = secretaryPage.waitForResponse(r => r.url().endsWith('/api/v1/setup'))
    await secretaryPage.getByRole('button', { name: '创建支部' }).click()
    const { memberInviteCode } = await (await created).json() as { memberInviteCode: string }
    await secretaryPage.getByLabel('党员邀请码', { exact: true }).waitFor()
    await audit(secretaryPage, 'setup done (invite codes)')

    const { context, page } = await site.phone('page')
    await page.goto(`${site.server.baseUrl}/join`)
    await page.getByLabel('邀请码', { exact: true }).waitFor()
    await audit(page, 'join')
    await joinInApp(page, site.server.baseUrl, memberInviteCode, '郑党员')
    await page.getByRole('button', { name: '签到', exact: true }).waitFor()
    await audit(page, '学习 (empty)')
    await openNewCheckin(page)
    await audit(page, '签到 form')
    await fillAndSaveCheckin(page, { topic: '学习习近平新时代中国特色社会主义思想', minutes: 30, note: '读原著第一章' })
    await checkinRow(page, '学习习近平新时代中国特色社会主义思想').waitFor()
    await audit(page, '学习 (with a check-in)')
    await checkinRow(page, '学习习近平新时代中国特色社会主义思想').click()
    await page.getByRole('button', { name: '删除', exact: true }).waitFor()
    await audit(page, 'edit form')
    await page.getByRole('button', { name: '删除', exact: true }).click()
    await page.getByRole('dialog').getByRole('button', { name: '确认删除', exact: true }).waitFor()
    await audit(page, 'delete confirmation')
    await page.getByRole('dialog').getByRole('button', { name: '取消', exact: true }).click()
    await page.getByRole('dialog').waitFor({ state: 'hidden' })
    await page.goBack()
    await tab(page, '我的').click()
    await page.getByRole('button', { name: '退出登录' }).waitFor()
    await audit(page, '我的')

    await secretaryPage.getByRole('button', { name: '进入应用' }).click()
    await secretaryPage.waitForURL(/\/study/)
    await tab(secretaryPage, '支部').click()
    await secretaryPage.getByText(/本周完成/).first().waitFor()
    await secretaryPage.getByText('郑党员').first().waitFor()
    await audit(secretaryPage, '支部')

    expect(a11yReport()).toBe('')
    expect(auditedPages()).toHaveLength(10)

    await context.close()
    await secretaryContext.close()
  })
})
