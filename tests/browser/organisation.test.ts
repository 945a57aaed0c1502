import type { Buffer } from 'node:buffer'
import type { Page } from 'playwright-core'
import type { RunningServer } from './support/server'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi } from './support/api'
import { action, answerElderPrompt, elderPrompt, joinInApp } from './support/app'
import { describeViolations, seriousA11yViolations } from './support/axe'
import { pushCheckin, pushProblem, unzipEntries } from './support/branch'
import { REPO_ROOT } from './support/paths'
import { createBranch } from './support/server'
import { useBranchServer } from './support/site'

/** `npm run admin -- …` against the server's data directory, as an operator runs it; its JSON line. */
function admin(server: Pick<RunningServer, 'dataDir'>, args: string[]): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: server.dataDir }
    delete env.DATABASE_URL
    const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['src/server/cli/admin.ts', ...args], { cwd: REPO_ROOT, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.once('error', reject)
    child.once('exit', code => code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').at(-1)!)) : reject(new Error(`admin ${args.join(' ')} exited ${code}: ${stderr}`)))
  })
}

/** Today in Shanghai (the branches' zone), YYYY-MM-DD. */
function shanghaiDay(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
}

/** A table cell's text, whitespace collapsed. */
async function cellText(page: Page, row: string, column: string): Promise<string> {
  const parts = await page.locator(`tr[data-branch="${row}"] td[data-week="${column}"] span`).allTextContents()
  return parts.map(p => p.trim()).join(' ')
}

/*
 * The fixture (all this week, this month):
 *   组织 东湖街道党工委 (党委) = 一支部 + 二支部; 三支部 is of no organisation.
 *   一支部: 书记一 (secretary), 甲一, 甲二. 甲一 and 甲二 check in 个人自学 today; 书记一 does not.
 *   二支部: 书记二 (secretary), 乙一. 乙一 checks in today; 书记二 does not.
 *   三支部: 丙一 checks in today (shown nowhere).
 *   Problems: 甲一 reports 楼道灯坏了 (西城社区); 乙一 reports 停车难 (东城社区); 丙一 reports 三支部的问题.
 * Hand count:
 *   this week: 一支部 2/3, missing 书记一; 二支部 1/2, missing 书记二.
 *   grid this week: 一支部 66.7% 2/3; 二支部 50% 1/2; 合计 60% 3/5 (not the average 58.3%).
 *   problems: 待解决 2, 推进中 0, 已解决 0; 二支部 alone: 停车难.
 *   summary this month, 学习签到 (study.checkins): 全组织 3, 一支部 2, 二支部 1; behind 一支部's 2: 甲一, 甲二.
 */
describe('组织 pages for an organisation secretary', () => {
  const site = useBranchServer('一支部')
  let inviteCode = ''

  beforeAll(async () => {
    const { server, branch: b1 } = site
    const b2 = await createBranch(server, '二支部')
    const b3 = await createBranch(server, '三支部')
    const organisation = await admin(server, ['create-organisation', '东湖街道党工委', '党委'])
    inviteCode = organisation.inviteCode
    await admin(server, ['attach-branch', organisation.organisationId, b1.branchId])
    await admin(server, ['attach-branch', organisation.organisationId, b2.branchId])
    const base = server.baseUrl
    await joinByApi(base, b1.secretaryInviteCode, '书记一')
    const a1 = await joinByApi(base, b1.memberInviteCode, '甲一')
    const a2 = await joinByApi(base, b1.memberInviteCode, '甲二')
    await joinByApi(base, b2.secretaryInviteCode, '书记二')
    const y1 = await joinByApi(base, b2.memberInviteCode, '乙一')
    const c1 = await joinByApi(base, b3.memberInviteCode, '丙一')
    for (const member of [a1, a2, y1, c1])
      await pushCheckin(base, member.token, { date: shanghaiDay(), form: 'self_study', topic: '学习党章', minutes: 30 })
    await pushProblem(base, a1.token, { date: shanghaiDay(), community: '西城社区', category: 'livelihood', title: '楼道灯坏了', detail: '' })
    await pushProblem(base, y1.token, { date: shanghaiDay(), community: '东城社区', category: 'other', title: '停车难', detail: '' })
    await pushProblem(base, c1.token, { date: shanghaiDay(), community: '南城社区', category: 'other', title: '三支部的问题', detail: '' })
  })

  it('claims the organisation invite and opens every 组织 page, the figures as counted by hand', async () => {
    const { context, page, errors } = await site.phone('organisation secretary')
    await page.goto(`${site.server.baseUrl}/join`)
    await elderPrompt(page).waitFor()
    await answerElderPrompt(page, '暂不')
    await page.getByRole('link', { name: '组织管理员加入' }).click()
    await page.getByLabel('组织邀请码', { exact: true }).fill(inviteCode.toLowerCase())
    await page.getByLabel('您的姓名', { exact: true }).fill('周委员')
    await page.getByRole('button', { name: '加入组织' }).click()
    await page.waitForURL(/\/organisation$/)
    await page.getByRole('heading', { name: '东湖街道党工委', level: 1 }).waitFor()

    // This week per branch: N/M and who is missing.
    const branch = (name: string) => page.locator('li.organisation-branch').filter({ has: page.getByRole('heading', { name: new RegExp(`^${name}`) }) })
    await branch('一支部').waitFor()
    expect((await branch('一支部').textContent() ?? '').replace(/\s+/g, ' ')).toContain('2/3')
    expect(await branch('一支部').textContent() ?? '').toContain('未学习：书记一')
    expect((await branch('二支部').textContent() ?? '').replace(/\s+/g, ' ')).toContain('1/2')
    expect(await branch('二支部').textContent() ?? '').toContain('未学习：书记二')
    expect(await page.getByText('三支部').count()).toBe(0)
    expect((await page.getByTestId('organisation-invite-code').textContent() ?? '').trim()).toBe(inviteCode)

    // A reload keeps the sign-in: the phone opens on 组织 again, with no member session.
    await page.goto(`${site.server.baseUrl}/`)
    await page.waitForURL(/\/organisation$/)

    // The grid, one row per branch and the organisation's.
    await page.getByRole('link', { name: '完成情况' }).click()
    await page.getByRole('region', { name: '各支部每周参学情况表，可左右滑动' }).waitFor()
    const week = await page.locator('tr[data-branch="organisation"] td').nth(-2).getAttribute('data-week')
    expect(await cellText(page, '一支部', week!)).toBe('66.7% 2/3')
    expect(await cellText(page, '二支部', week!)).toBe('50% 1/2')
    expect(await cellText(page, 'organisation', week!)).toBe('60% 3/5')
    expect(await page.locator('tr[data-branch="三支部"]').count()).toBe(0)
    await page.getByRole('button', { name: '返回' }).click()
    await page.waitForURL(/\/organisation$/)

    // The problem register across branches, read only, filtered by branch.
    await page.getByRole('link', { name: '问题清单' }).click()
    await page.getByText('待解决 2', { exact: true }).waitFor()
    expect(await page.getByText('已解决 0', { exact: true }).count()).toBe(1)
    const cards = page.locator('article.organisation-problem')
    await expect.poll(() => cards.count()).toBe(2)
    expect((await cards.filter({ hasText: '楼道灯坏了' }).textContent() ?? '')).toContain('一支部')
    expect((await cards.filter({ hasText: '停车难' }).textContent() ?? '')).toContain('二支部')
    expect(await page.getByRole('button', { name: '保存' }).count()).toBe(0)
    await page.getByLabel('支部', { exact: true }).selectOption({ label: '二支部' })
    await expect.poll(() => cards.count()).toBe(1)
    expect(await cards.first().textContent() ?? '').toContain('停车难')
    await page.getByRole('button', { name: '返回' }).click()
    await page.waitForURL(/\/organisation$/)

    // The month for the organisation and each branch side by side; a branch's figure opens its records.
    await page.getByRole('link', { name: '阶段性总结' }).click()
    await page.getByRole('heading', { name: '阶段性总结（全组织）', level: 1 }).waitFor()
    await page.getByLabel('月份', { exact: true }).fill(shanghaiDay().slice(0, 7))
    await page.getByLabel('月份', { exact: true }).dispatchEvent('change')
    const [year, month] = shanghaiDay().slice(0, 7).split('-').map(Number)
    await page.getByRole('heading', { name: `${year}年${month}月` }).waitFor()
    const row = page.locator('tr[data-figure="study.checkins"]')
    await expect.poll(async () => (await row.locator('td[data-column="organisation"]').textContent() ?? '').trim()).toMatch(/^3\b/)
    expect((await row.locator('td[data-column="一支部"]').textContent() ?? '').trim()).toMatch(/^2\b/)
    expect((await row.locator('td[data-column="二支部"]').textContent() ?? '').trim()).toMatch(/^1\b/)
    await row.locator('td[data-column="一支部"] a').click()
    await page.waitForURL(/\/organisation\/records/)
    await page.getByText('共 2 条记录').waitFor()
    expect(await page.getByText('甲一').count()).toBeGreaterThan(0)
    expect(await page.getByText('甲二').count()).toBeGreaterThan(0)
    expect(await page.getByText('乙一').count()).toBe(0)

    // Offline the server's views say 需要联网, and load once back online.
    await page.goto(`${site.server.baseUrl}/organisation/grid`)
    await page.getByRole('region', { name: '各支部每周参学情况表，可左右滑动' }).waitFor()
    await context.setOffline(true)
    await page.getByRole('button', { name: '返回' }).click()
    await page.waitForURL(/\/organisation$/)
    await page.getByRole('alert').filter({ hasText: '需要联网' }).waitFor()
    await context.setOffline(false)
    await page.locator('li.organisation-branch').first().waitFor()
    expect(await page.getByRole('alert').filter({ hasText: '需要联网' }).count()).toBe(0)

    expect(errors).toEqual([])
    await context.close()
  })

  it('drafts the organisation\'s report from its month: figures rolled up and traced to every branch\'s rows, an edit kept offline, 定稿, Word', async () => {
    const { context, page, errors } = await site.phone('organisation report')
    await page.goto(`${site.server.baseUrl}/organisation/join`)
    await page.getByLabel('组织邀请码', { exact: true }).fill(inviteCode)
    await page.getByLabel('您的姓名', { exact: true }).fill('吴委员')
    await page.getByRole('button', { name: '加入组织' }).click()
    await page.waitForURL(/\/organisation$/)
    const thisMonth = shanghaiDay().slice(0, 7)
    await page.goto(`${site.server.baseUrl}/organisation/summary`)
    await page.getByLabel('月份', { exact: true }).fill(thisMonth)
    await page.getByLabel('月份', { exact: true }).dispatchEvent('change')
    const [year, month] = thisMonth.split('-').map(Number)
    await page.getByRole('heading', { name: `${year}年${month}月` }).waitFor()
    // The whole organisation's figure opens the rows behind it in every branch.
    await page.locator('tr[data-figure="study.checkins"] td[data-column="organisation"] a').click()
    await page.waitForURL(/\/organisation\/records\?/)
    await page.getByText('共 3 条记录', { exact: true }).waitFor()
    expect(await page.getByText('一支部 · 甲一').count()).toBeGreaterThan(0)
    expect(await page.getByText('二支部 · 乙一').count()).toBeGreaterThan(0)
    await page.getByRole('button', { name: '返回' }).click()

    await page.goto(`${site.server.baseUrl}/organisation/summary`)
    await page.getByLabel('月份', { exact: true }).fill(thisMonth)
    await page.getByLabel('月份', { exact: true }).dispatchEvent('change')
    await page.getByRole('heading', { name: `${year}年${month}月` }).waitFor()
    await action(page, '生成总结').click()
    await page.waitForURL(new RegExp(`/organisation/report\\?month=${thisMonth}`))
    await page.getByRole('heading', { level: 2, name: `东湖街道党工委主题教育${year}年${month}月阶段性总结` }).waitFor()
    await page.getByRole('heading', { name: '一、主题教育开展情况' }).waitFor()
    // Counted by hand: 甲一, 甲二 and 乙一 checked in once each; 丙一 is of no organisation.
    await page.getByText('本月全系统3名党员参加学习，学习打卡3次', { exact: false }).waitFor()
    expect(await page.getByText(/全系统现有党支部2个、党员5名/).count()).toBe(1)
    const violations = await seriousA11yViolations(page)
    expect(violations, describeViolations(violations)).toEqual([])

    // A figure of the report opens its rows per branch: 一支部 2, 二支部 1.
    await page.locator('.report-document__figure[title="学习打卡"]').first().click()
    await page.waitForURL(/\/organisation\/records\?/)
    const byBranch = page.getByRole('region', { name: '各支部' })
    await byBranch.getByRole('link', { name: '一支部' }).waitFor()
    expect(await byBranch.locator('li', { hasText: '一支部' }).textContent()).toMatch(/^\s*一支部\s*2\s*共 2 条记录\s*$/)
    expect(await byBranch.locator('li', { hasText: '二支部' }).textContent()).toMatch(/^\s*二支部\s*1\s*共 1 条记录\s*$/)
    const recordViolations = await seriousA11yViolations(page)
    expect(recordViolations, describeViolations(recordViolations)).toEqual([])
    await page.getByRole('button', { name: '返回' }).click()
    await page.waitForURL(/\/organisation\/report\?/)

    // Offline: the edit stays on the phone and goes up once back online.
    await page.getByRole('heading', { name: '一、主题教育开展情况' }).waitFor()
    await context.setOffline(true)
    await page.getByRole('button', { name: /^修改“（请填写本月推动发展/ }).click()
    await page.getByRole('textbox', { name: /^修改“（请填写本月推动发展/ }).fill('党组成员带头调研社区养老，学习打卡〔学习打卡〕次。')
    await action(page, '完成').click()
    await page.getByText('已保存在本机，联网后自动上传', { exact: true }).waitFor()
    await context.setOffline(false)
    await page.getByText('已保存', { exact: true }).waitFor()
    await page.getByText('党组成员带头调研社区养老，学习打卡3次。').waitFor()

    await action(page, '定稿').click()
    await page.getByRole('dialog').getByRole('button', { name: '确认定稿' }).click()
    await page.getByText(/^\s*已于\d{4}-\d{2}-\d{2}定稿/).waitFor()
    expect(await page.getByRole('button', { name: /^修改“/ }).count()).toBe(0)
    const [word] = await Promise.all([page.waitForEvent('download'), action(page, '导出Word').click()])
    expect(word.suggestedFilename()).toMatch(/东湖街道党工委.*阶段性总结\.docx$/)
    const document = unzipEntries(await readFile((await word.path())!)).get('word/document.xml')!.toString('utf8')
    expect(document).toContain('党组成员带头调研社区养老，学习打卡3次。')
    expect(errors).toEqual([])
    await context.close()
  })

  it('shows 组织 on 我的 and 支部 only to a phone holding the role', async () => {
    const { context, page } = await site.phone('branch secretary')
    // Joined in the app as the branch secretary: no 组织 entry.
    const secretary = await joinInApp(page, site.server.baseUrl, site.branch.secretaryInviteCode, '书记四')
    expect(secretary.member.role).toBe('secretary')
    await page.goto(`${site.server.baseUrl}/me`)
    await page.getByRole('button', { name: '退出登录' }).waitFor()
    expect(await page.getByRole('link', { name: '组织', exact: true }).count()).toBe(0)
    await page.goto(`${site.server.baseUrl}/branch`)
    await page.getByRole('heading', { name: '支部', level: 1 }).waitFor()
    expect(await page.getByRole('link', { name: '组织', exact: true }).count()).toBe(0)
    // 组织 itself sends the phone to sign in as 组织管理员.
    await page.goto(`${site.server.baseUrl}/organisation/grid`)
    await page.waitForURL(/\/organisation\/join$/)

    // With the organisation's invite code the same phone holds both roles: 组织 shows on 我的 and 支部.
    await page.getByLabel('组织邀请码', { exact: true }).fill(inviteCode)
    await page.getByRole('button', { name: '加入组织' }).click()
    await page.waitForURL(/\/organisation$/)
    await page.goto(`${site.server.baseUrl}/me`)
    await page.getByRole('link', { name: '组织', exact: true }).click()
    await page.waitForURL(/\/organisation$/)
    await page.goto(`${site.server.baseUrl}/branch`)
    await page.getByRole('link', { name: '组织', exact: true }).waitFor()
    await context.close()
  })
})
