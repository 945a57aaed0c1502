/**
 * README screenshots (`npx tsx tests/bench/screenshot.ts`): a member's 学习 page with three
 * check-ins, the reader of a material, the secretary's 支部 page and last month's 阶段性总结,
 * at 390×844, against the real server.
 */
import type { Browser, Page } from 'playwright-core'
import type { StudyCheckinData } from '../../src/domain/records'
import type { RunningServer } from '../browser/support/server'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { addDays, todayIn } from '../../src/domain/week'
import { joinByApi, pushChanges } from '../browser/support/api'
import { addCheckin, fillAndSaveCheckin, joinInApp, syncStatus, tab, waitForSynced } from '../browser/support/app'
import { openBranchSection, pushProblem, recordId } from '../browser/support/branch'
import { launchChromium, newPhoneContext } from '../browser/support/browser'
import { buildApp } from '../browser/support/build'
import { openMaterialsTab, openReader, publishInApp } from '../browser/support/materials'
import { REPO_ROOT } from '../browser/support/paths'
import { createBranch, startServer } from '../browser/support/server'

/** Other members of the branch, some of whom studied this week, so 支部 has something to show. */
const OTHER_MEMBERS: { name: string, checkin?: StudyCheckinData }[] = [
  { name: '李建国', checkin: { date: todayIn(), form: 'party_lecture', topic: '专题党课：发扬斗争精神', minutes: 90 } },
  { name: '王秀英', checkin: { date: todayIn(), form: 'reading_class', topic: '读书班：《习近平谈治国理政》第四卷', minutes: 60 } },
  { name: '赵志强' },
  { name: '陈丽华' },
]

/** A guidance material with chapters, so the reader shows headings and paragraphs. */
const MATERIAL = {
  title: '学习辅导：推动基层党组织全面进步全面过硬',
  category: 'guidance' as const,
  body: [
    '## 一、把政治建设摆在首位',
    '',
    '基层党组织是党在社会基层组织中的战斗堡垒，是党的全部工作和战斗力的基础。支部要坚持“三会一课”制度，把学习贯穿于组织生活的全过程。',
    '',
    '党员要带头学原著、读原文、悟原理，做到学思用贯通、知信行统一，在学懂弄通做实上下功夫。',
    '',
    '## 二、在为民服务中践行初心',
    '',
    '社区党员要主动亮身份、践承诺，深入走访群众，收集群众急难愁盼问题，建立问题清单，逐项推动解决。',
    '',
    '支部每月对照问题清单研究推进情况，把群众满意作为检验学习成效的标尺。',
  ].join('\n'),
}

/** The month before the one `today` falls in, as `YYYY-MM`: the 阶段性总结 shows it first. */
function previousMonth(today: string): string {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7))
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
}

/** Last month's study sessions, service and problems of the other members, so 阶段性总结 has figures. */
async function seedLastMonth(baseUrl: string, tokens: Map<string, string>): Promise<void> {
  const month = previousMonth(todayIn())
  const token = (name: string): string => tokens.get(name)!
  // The 5th and the 12th always fall in different ISO weeks: two 支部集中学习 sessions.
  for (const name of ['李建国', '王秀英', '赵志强'])
    await pushCheckin(baseUrl, token(name), { date: `${month}-05`, form: 'branch_study', topic: '集中学习党章', minutes: 90 })
  for (const name of ['李建国', '陈丽华'])
    await pushCheckin(baseUrl, token(name), { date: `${month}-12`, form: 'branch_study', topic: '集中学习《条例》', minutes: 90 })
  await pushCheckin(baseUrl, token('王秀英'), { date: `${month}-18`, form: 'exchange', topic: '读书成果交流会', minutes: 60 })
  await pushChanges(baseUrl, token('赵志强'), [
    { table: 'serviceLogs', id: recordId(), updatedAt: Date.now(), data: { date: `${month}-20`, community: '城东社区', activity: 'visit', hours: 2, description: '走访独居老人' } },
    { table: 'serviceLogs', id: recordId(), updatedAt: Date.now(), data: { date: `${month}-22`, community: '城东社区', activity: 'volunteer', hours: 3, description: '清理楼道杂物' } },
  ])
  await pushProblem(baseUrl, token('陈丽华'), { date: `${month}-08`, community: '城东社区', category: 'livelihood', title: '小区缺少电动车充电桩', detail: '' })
  await pushProblem(baseUrl, token('赵志强'), { date: `${month}-21`, community: '城东社区', category: 'environment', title: '3号楼楼道灯损坏', detail: '二单元' })
}

async function pushCheckin(baseUrl: string, token: string, data: StudyCheckinData): Promise<void> {
  const response = await fetch(`${baseUrl}/api/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` },
    body: JSON.stringify({ clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id: crypto.randomUUID(), updatedAt: Date.now(), data }] }),
  })
  if (!response.ok)
    throw new Error(`sync answered ${response.status}: ${await response.text()}`)
}

/** The one-off 可离线使用 notice would cover the list; a member would close it too. */
async function dismissOfflineReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  const close = page.getByRole('button', { name: '关闭', exact: true })
  // It shows once the worker has precached the shell; give it a moment, it may be gone already.
  if (await close.waitFor({ timeout: 5_000 }).then(() => true, () => false))
    await close.click()
  await close.waitFor({ state: 'hidden' })
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'study-log-screenshots-'))
  const outDir = path.join(REPO_ROOT, 'public/screenshots')
  let server: RunningServer | undefined
  let browser: Browser | undefined
  try {
    const build = path.join(root, 'build')
    await buildApp(build, 'screenshot')
    server = await startServer({ staticFrom: build, env: { LOG_LEVEL: 'warn' } })
    browser = await launchChromium()
    const branch = await createBranch(server, '城东社区第一党支部')
    const tokens = new Map<string, string>()
    for (const other of OTHER_MEMBERS) {
      const joined = await joinByApi(server.baseUrl, branch.memberInviteCode, other.name)
      tokens.set(other.name, joined.token)
      if (other.checkin)
        await pushCheckin(server.baseUrl, joined.token, other.checkin)
    }
    await seedLastMonth(server.baseUrl, tokens)

    const context = await newPhoneContext(browser)
    const page = await context.newPage()
    await joinInApp(page, server.baseUrl, branch.memberInviteCode, '张伟')
    await addCheckin(page, { topic: '学习新修订的《中国共产党章程》', minutes: 45 })
    // Not every check-in is from today: move one back a week so the list shows earlier study too.
    await page.getByRole('button', { name: '签到', exact: true }).click()
    await page.getByLabel('学习形式', { exact: true }).selectOption('party_day')
    await page.getByLabel('日期', { exact: true }).fill(addDays(todayIn(), -7))
    await page.getByLabel('主题', { exact: true }).fill('主题党日：参观革命历史纪念馆')
    await page.getByLabel('时长（分钟）', { exact: true }).fill('120')
    await page.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByLabel('主题', { exact: true }).waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: '签到', exact: true }).click()
    await page.getByLabel('学习形式', { exact: true }).selectOption('self_study')
    await fillAndSaveCheckin(page, { topic: '观看《榜样》专题节目', minutes: 60, note: '记下三点体会' })
    await page.waitForFunction(() => {
      const text = document.querySelector('[role="status"]')?.textContent ?? ''
      return text.includes('已同步') && !text.includes('待同步')
    }, undefined, { timeout: 60_000 })
    await mkdir(outDir, { recursive: true })
    await dismissOfflineReady(page)
    await page.screenshot({ path: path.join(outDir, 'study.png') })
    console.log(`学习 page (${await syncStatus(page).textContent()}) → public/screenshots/study.png`)

    const secretaryContext = await newPhoneContext(browser)
    const secretaryPage = await secretaryContext.newPage()
    await joinInApp(secretaryPage, server.baseUrl, branch.secretaryInviteCode, '刘书记')
    await tab(secretaryPage, '支部').click()
    await secretaryPage.getByText(/本周完成/).first().waitFor()
    await secretaryPage.getByText('张伟').first().waitFor()
    await dismissOfflineReady(secretaryPage)
    await secretaryPage.screenshot({ path: path.join(outDir, 'branch.png') })
    console.log('支部 page → public/screenshots/branch.png')

    // After 支部's picture, so the material is not yet on it: the secretary publishes, the member reads.
    await publishInApp(secretaryPage, server.baseUrl, MATERIAL)
    await waitForSynced(secretaryPage)
    await page.getByRole('button', { name: '立即同步', exact: true }).click()
    await waitForSynced(page)
    await openMaterialsTab(page, MATERIAL.title)
    await openReader(page, MATERIAL.title)
    await page.getByText('一、把政治建设摆在首位', { exact: true }).first().waitFor()
    await page.screenshot({ path: path.join(outDir, 'reader.png') })
    console.log('资料 reader → public/screenshots/reader.png')
    await context.close()

    await tab(secretaryPage, '支部').click()
    await openBranchSection(secretaryPage, '阶段性总结')
    await secretaryPage.getByText(/^本月共开展支部集中学习/).waitFor()
    await secretaryPage.screenshot({ path: path.join(outDir, 'summary.png') })
    console.log('阶段性总结 → public/screenshots/summary.png')
    await secretaryContext.close()
  }
  finally {
    await browser?.close()
    await server?.stop()
    await rm(root, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
