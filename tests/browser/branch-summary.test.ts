import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { todayIn } from '../../src/domain/week'
import { joinByApi, pushChanges } from './support/api'
import { action, joinInApp } from './support/app'
import { describeViolations, seriousA11yViolations } from './support/axe'
import { openBranchSection, openBranchTab, pushCheckin, recordId, unzipEntries } from './support/branch'
import { useBranchServer } from './support/site'

/** The month before the one `today` falls in, as `YYYY-MM`. */
function previousMonth(today: string): string {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7))
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
}

// 阶段性总结: last month's figures from the records, each traceable to its rows, the sentences in the
// report's words, and the Word and Excel files carrying the same text.
describe('the monthly summary', () => {
  const site = useBranchServer('和平党支部')

  it('shows last month\'s figures and sentences, traces a figure to its rows, exports Word and CSV, prints without the app\'s chrome', async () => {
    const month = previousMonth(todayIn('Asia/Shanghai'))
    const [year, monthNumber] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))]
    // Two weeks of 支部集中学习 (the 5th and the 12th are always in different ISO weeks): 张三 both, 李四 the first.
    // Since issue #13 a session is held when the branch holds it: 组织委员 (a secretary's phone) enters the
    // meetings, the check-ins sign in to them, and all three were members since the month's first day.
    const base = site.server.baseUrl
    const office = await joinByApi(base, site.branch.secretaryInviteCode, '组织委员')
    const zhang = await joinByApi(base, site.branch.memberInviteCode, '张三')
    const li = await joinByApi(base, site.branch.memberInviteCode, '李四')
    for (const m of [office, zhang, li]) {
      const res = await fetch(`${base}/api/v1/branch/members/${m.member.id}/membership`, { method: 'PATCH', headers: { 'authorization': `Bearer ${office.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ joinedOn: `${month}-01` }) })
      expect(res.status).toBe(200)
    }
    const at = { first: recordId(), second: recordId(), exchange: recordId() }
    await pushChanges(base, office.token, [
      { table: 'sessions', id: at.first, updatedAt: Date.now(), data: { form: 'branch_study', topic: '集中学习一', date: `${month}-05`, code: '305171' } },
      { table: 'sessions', id: at.second, updatedAt: Date.now(), data: { form: 'branch_study', topic: '集中学习二', date: `${month}-12`, code: '305172' } },
      { table: 'sessions', id: at.exchange, updatedAt: Date.now(), data: { form: 'exchange', topic: '读书成果交流会', date: `${month}-15`, code: '305173' } },
    ])
    await pushCheckin(base, zhang.token, { date: `${month}-05`, form: 'branch_study', topic: '集中学习一', minutes: 90, sessionId: at.first })
    await pushCheckin(base, zhang.token, { date: `${month}-12`, form: 'branch_study', topic: '集中学习二', minutes: 90, sessionId: at.second })
    await pushCheckin(base, li.token, { date: `${month}-05`, form: 'branch_study', topic: '集中学习一', minutes: 90, sessionId: at.first })
    await pushCheckin(base, zhang.token, { date: `${month}-15`, form: 'exchange', topic: '读书成果交流会', minutes: 60, sessionId: at.exchange })
    await pushChanges(site.server.baseUrl, li.token, [{ table: 'serviceLogs', id: recordId(), updatedAt: Date.now(), data: { date: `${month}-20`, community: '和平社区', activity: 'visit', hours: 2, description: '走访独居老人' } }])

    const { context, page, errors } = await site.phone('secretary')
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.server.baseUrl })
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '王书记')
    await openBranchTab(page)
    await openBranchSection(page, '阶段性总结')

    // Last month by default; 2 sessions, 3 人次 of 3 members × 2 sessions = 50%.
    expect(await page.getByLabel('月份', { exact: true }).inputValue()).toBe(month)
    await page.getByRole('heading', { name: `${year}年${monthNumber}月`, exact: true }).waitFor()
    const first = page.getByText(/^本月共开展支部集中学习/)
    await first.waitFor()
    expect(await first.textContent()).toMatch(/^\s*本月共开展支部集中学习2次，参学党员3人次，参学率50(?:\.0)?%。\s*$/)
    await page.getByText('组织学习交流活动1次（计划每月2次），开展专题研讨0次（计划每月1次）。', { exact: true }).waitFor()
    await page.getByText(/1名党员深入社区开展走访慰问等社区活动1人次，服务时长2小时/).waitFor()

    await action(page, '复制文字').click()
    await page.getByText('已复制', { exact: true }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('本月共开展支部集中学习2次，参学党员3人次')

    // A figure is a link to the rows it counts.
    const held = page.getByRole('link', { name: /^支部集中学习\s*2 次$/ })
    await held.click()
    await page.getByRole('heading', { level: 1, name: '支部集中学习' }).waitFor()
    const rows = page.getByRole('main').getByRole('listitem')
    await expect.poll(() => rows.count()).toBe(3)
    const texts = await rows.allTextContents()
    expect(texts.filter(text => text.includes('张三'))).toHaveLength(2)
    expect(texts.filter(text => text.includes('李四'))).toHaveLength(1)
    await page.getByRole('button', { name: '返回' }).click()
    await page.getByRole('heading', { level: 1, name: '阶段性总结' }).waitFor()
    await first.waitFor()

    // 导出Word: a real .docx whose document carries the sentences.
    const [word] = await Promise.all([page.waitForEvent('download'), action(page, '导出Word').click()])
    expect(word.suggestedFilename()).toBe(`和平党支部${year}年${monthNumber}月阶段性总结.docx`)
    const docx = unzipEntries(await readFile((await word.path())!))
    expect([...docx.keys()]).toContain('[Content_Types].xml')
    expect(docx.get('word/document.xml')!.toString('utf8')).toContain('本月共开展支部集中学习2次，参学党员3人次')

    // 导出Excel: CSV with a BOM, so Excel reads the Chinese.
    const [excel] = await Promise.all([page.waitForEvent('download'), action(page, '导出Excel').click()])
    expect(excel.suggestedFilename()).toBe(`和平党支部${year}年${monthNumber}月阶段性总结.csv`)
    const csv = await readFile((await excel.path())!, 'utf8')
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv).toContain('本月共开展支部集中学习2次，参学党员3人次')

    // The print view is the summary alone.
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByRole('navigation', { name: '主导航' }).isVisible()).toBe(false)
    expect(await action(page, '导出Word').isVisible()).toBe(false)
    expect(await first.isVisible()).toBe(true)
    await page.emulateMedia({ media: 'screen' })
    expect(await action(page, '打印').isVisible()).toBe(true)

    // Another month: its own figures.
    await page.getByLabel('月份', { exact: true }).fill(previousMonth(`${month}-01`))
    await page.getByText(/^本月共开展支部集中学习0次/).waitFor()

    expect(errors).toEqual([])
    await context.close()
  })

  it('drafts the month\'s report from the summary: paragraphs edited (one offline, uploaded once online), 定稿, then Word and Excel', async () => {
    const { context, page, errors } = await site.phone('secretary-report')
    await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '赵书记')
    await openBranchTab(page)
    await openBranchSection(page, '阶段性总结')
    await action(page, '生成总结').click()
    await page.getByRole('heading', { level: 1, name: '阶段性总结' }).waitFor()
    await page.getByRole('heading', { name: '一、主题教育开展情况' }).waitFor()
    // Figures are links to their rows.
    await page.getByText(/本月共开展支部集中学习\d+次，参学党员\d+人次/).waitFor()
    expect(await page.getByRole('link', { name: '0', exact: true }).count()).toBeGreaterThan(0)
    const violations = await seriousA11yViolations(page)
    expect(violations, describeViolations(violations)).toEqual([])
    await page.getByRole('heading', { name: '三、存在问题' }).waitFor()

    await page.getByRole('button', { name: /^修改“（请填写本月推动发展/ }).click()
    const editor = page.getByRole('textbox', { name: /^修改“（请填写本月推动发展/ })
    await editor.fill('围绕社区养老开展调研，结合〔累计收集问题〕个群众问题形成调研报告。')
    await action(page, '完成').click()
    await page.getByText('已保存', { exact: true }).waitFor()
    await page.getByText('围绕社区养老开展调研，结合0个群众问题形成调研报告。').waitFor()

    // Offline: the edit is kept on the phone, and goes up once the phone is back online.
    await context.setOffline(true)
    await page.getByRole('button', { name: /^修改“一是聚焦“主题主线”/ }).click()
    await page.getByRole('textbox', { name: /^修改“一是聚焦/ }).fill('一是聚焦主题主线，每周组织一次集中学习。')
    await action(page, '完成').click()
    await page.getByText('已保存在本机，联网后自动上传', { exact: true }).waitFor()
    await context.setOffline(false)
    await page.getByText('已保存', { exact: true }).waitFor()

    await action(page, '定稿').click()
    await page.getByRole('dialog').getByRole('button', { name: '确认定稿' }).click()
    await page.getByText(/^\s*已于\d{4}-\d{2}-\d{2}定稿/).waitFor()
    expect(await page.getByRole('button', { name: /^修改“/ }).count()).toBe(0)

    const [word] = await Promise.all([page.waitForEvent('download'), action(page, '导出Word').click()])
    expect(word.suggestedFilename()).toMatch(/阶段性总结\.docx$/)
    const document = unzipEntries(await readFile((await word.path())!)).get('word/document.xml')!.toString('utf8')
    expect(document).toContain('围绕社区养老开展调研，结合0个群众问题形成调研报告。')
    expect(document).toContain('一是聚焦主题主线，每周组织一次集中学习。')
    const [excel] = await Promise.all([page.waitForEvent('download'), action(page, '导出Excel').click()])
    expect(excel.suggestedFilename()).toMatch(/阶段性总结\.xlsx$/)
    expect([...unzipEntries(await readFile((await excel.path())!)).keys()]).toContain('xl/workbook.xml')
    expect(errors).toEqual([])
    await context.close()
  })
})
