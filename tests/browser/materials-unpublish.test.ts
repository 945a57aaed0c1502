import { describe, expect, it } from 'vitest'
import { pullAll } from './support/api'
import { action, joinInApp, waitForSynced } from './support/app'
import { a11yAudits } from './support/axe'
import { materialEntry, openMaterialsTab, openReader, publishInApp, readerBlock } from './support/materials'
import { useBranchServer } from './support/site'

const TITLE = '支部通知：本周五集中学习'
const EDITED_TITLE = '支部通知：集中学习改到周六'
const BODY = ['# 集中学习安排', '本周五下午三点在社区党群服务中心集中学习。', '请各位党员带好学习笔记本。'].join('\n')
const ADDED = '如有特殊情况请提前向书记请假。'

/** Characters the 正文 counter counts: everything but whitespace. */
function counted(text: string): number {
  return [...text].filter(ch => !/\s/.test(ch)).length
}

// The secretary's side of 资料: 已发布资料 and the 发布资料 form (live 字数), 编辑 from the reader, an edit
// that reaches members' phones (a new text is downloaded again), and 撤回 behind 确认撤回, after which
// the material leaves every phone and the server answers 404 for its text.
describe('editing and withdrawing a material', () => {
  const site = useBranchServer('撤回党支部')
  const { audit, names: auditedPages, report: a11yReport } = a11yAudits()

  it('publishes, edits (the member gets the new text), and withdraws (gone from the member\'s phone)', async () => {
    const { context: secretaryContext, page: secretary } = await site.phone('secretary')
    await joinInApp(secretary, site.server.baseUrl, site.branch.secretaryInviteCode, '何书记')
    await secretary.goto(`${site.server.baseUrl}/branch/materials`)
    await secretary.getByText('已发布资料').first().waitFor()
    await audit(secretary, '已发布资料 (empty)')
    await action(secretary, '发布资料').click()
    await secretary.getByLabel('正文', { exact: true }).fill(BODY)
    await secretary.getByText(`${counted(BODY)} 字`, { exact: true }).first().waitFor()
    await audit(secretary, '发布资料 form')
    await publishInApp(secretary, site.server.baseUrl, { title: TITLE, category: 'notice', body: BODY })
    await secretary.getByText(TITLE, { exact: true }).first().waitFor()
    await audit(secretary, '已发布资料 (one)')
    await waitForSynced(secretary)

    const { context: memberContext, page: member } = await site.phone('member')
    const joined = await joinInApp(member, site.server.baseUrl, site.branch.memberInviteCode, '罗党员')
    await openMaterialsTab(member, TITLE)
    await materialEntry(member, TITLE).getByText('支部通知').first().waitFor()
    // A member's reader has no 编辑.
    await openReader(member, TITLE)
    expect(await action(member, '编辑').count()).toBe(0)

    // 编辑 from the secretary's reader: a new title and one more paragraph.
    await openMaterialsTab(secretary, TITLE)
    await openReader(secretary, TITLE)
    await action(secretary, '编辑').click()
    await secretary.getByLabel('标题', { exact: true }).waitFor()
    await audit(secretary, '编辑资料 form')
    await secretary.getByLabel('标题', { exact: true }).fill(EDITED_TITLE)
    await secretary.getByLabel('正文', { exact: true }).fill(`${BODY}\n${ADDED}`)
    await secretary.getByRole('button', { name: '保存', exact: true }).click()
    await secretary.getByLabel('标题', { exact: true }).waitFor({ state: 'hidden' })
    await waitForSynced(secretary)

    await action(member, '立即同步').click()
    await openMaterialsTab(member)
    await materialEntry(member, EDITED_TITLE).filter({ hasText: '已下载' }).waitFor({ timeout: 60_000 })
    expect(await member.getByText(TITLE, { exact: true }).count()).toBe(0)
    await openReader(member, EDITED_TITLE)
    await readerBlock(member, ADDED).waitFor()

    // 撤回 asks first; 取消 keeps it, 确认撤回 withdraws it.
    await secretary.goto(`${site.server.baseUrl}/branch/materials`)
    await secretary.getByText(EDITED_TITLE, { exact: true }).first().click()
    await action(secretary, '撤回').click()
    const confirm = secretary.getByRole('dialog').filter({ hasText: '确认撤回' })
    await confirm.getByRole('button', { name: '确认撤回', exact: true }).waitFor()
    await audit(secretary, '撤回 confirmation')
    await confirm.getByRole('button', { name: '确认撤回', exact: true }).click()
    await secretary.waitForURL(/\/branch\/materials$/)
    await expect.poll(() => secretary.getByText(EDITED_TITLE, { exact: true }).count()).toBe(0)
    await waitForSynced(secretary)

    await openMaterialsTab(member)
    await action(member, '立即同步').click()
    await expect.poll(() => member.getByText(EDITED_TITLE, { exact: true }).count(), { timeout: 30_000 }).toBe(0)
    await member.getByText(/手机已存 0 篇/).first().waitFor()
    const [withdrawn] = (await pullAll(site.server.baseUrl, joined.token)).filter(r => r.table === 'materials')
    expect(withdrawn).toMatchObject({ deleted: true })
    const text = await fetch(`${site.server.baseUrl}/api/v1/materials/${withdrawn!.id}`, { headers: { authorization: `Bearer ${joined.token}` } })
    expect(text.status).toBe(404)

    expect(a11yReport()).toBe('')
    expect(auditedPages().length).toBe(5)
    await memberContext.close()
    await secretaryContext.close()
  })
})
