import { describe, expect, it } from 'vitest'
import { action, addCheckin, fillAndSaveProblem, fillAndSaveService, fillNote, joinInApp, openNewNote, openNewService, saveNote, tab } from './support/app'
import { a11yAudits } from './support/axe'
import { useBranchServer } from './support/site'

// axe-core on the pages and states issue #3 adds: 服务 and its two forms, 笔记 with its form and
// search, 我的 with progress and backup, the join page's 从备份恢复. No serious or critical violation.
describe('accessibility of service, notes and progress', () => {
  const site = useBranchServer('无障碍二支部')
  const { audit, names: auditedPages, report: a11yReport } = a11yAudits()

  it('finds nothing serious on 服务, 笔记, 我的进度 and their forms', async () => {
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '林无障碍')

    await tab(page, '服务').click()
    await action(page, '记录服务').waitFor()
    await audit(page, '服务 (empty)')
    await openNewService(page)
    await audit(page, '记录服务 form')
    // An empty save shows the field messages: they must be tied to their fields and readable.
    await page.getByLabel('报到社区', { exact: true }).fill('')
    await page.getByRole('button', { name: '保存', exact: true }).click()
    await page.locator('[aria-invalid="true"]').first().waitFor()
    await audit(page, '记录服务 form with errors')
    await fillAndSaveService(page, { community: '无障碍社区', activity: '其他', hours: 1 })
    await action(page, '记录问题').click()
    await page.getByLabel('问题标题', { exact: true }).waitFor()
    await audit(page, '记录问题 form')
    await fillAndSaveProblem(page, { title: '无障碍坡道被占用', category: '民生', community: '无障碍社区' })
    await page.getByText('无障碍坡道被占用').first().waitFor()
    await audit(page, '服务 (a log, a problem)')

    await tab(page, '笔记').click()
    await action(page, '写笔记').waitFor()
    await audit(page, '笔记 (empty)')
    await openNewNote(page)
    await fillNote(page, { title: '《为人民服务》', reflection: '全心全意为人民服务。' })
    await audit(page, '写笔记 form')
    await saveNote(page)
    await page.getByLabel('搜索笔记', { exact: true }).fill('人民')
    await page.getByText('《为人民服务》', { exact: true }).first().waitFor()
    await audit(page, '笔记 (searched)')

    await tab(page, '学习').click()
    await addCheckin(page, { topic: '无障碍学习', minutes: 30 })
    await tab(page, '我的').click()
    await page.getByText(/连续学习/).first().waitFor()
    await audit(page, '我的 (progress, backup)')

    // A new phone on the join page, with 从备份恢复 opened.
    const { context: newPhone, page: joinPage } = await site.phone('joinPage')
    await joinPage.goto(`${site.server.baseUrl}/join`)
    await joinPage.getByRole('button', { name: '加入支部' }).waitFor()
    if (await joinPage.getByLabel('选择备份文件', { exact: true }).count() === 0)
      await joinPage.getByRole('button', { name: '从备份恢复', exact: true }).click()
    await joinPage.getByLabel('选择备份文件', { exact: true }).waitFor({ state: 'attached' })
    await audit(joinPage, '加入支部 with 从备份恢复 open')
    await newPhone.close()

    expect(a11yReport()).toBe('')
    expect(auditedPages()).toHaveLength(10)
    await context.close()
  })
})
