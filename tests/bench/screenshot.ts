/**
 * README screenshots (`npx tsx tests/bench/screenshot.ts`): a member's 学习 page with three
 * check-ins and the secretary's 支部 page, at 390×844, against the real server.
 */
import type { Browser, Page } from 'playwright-core'
import type { StudyCheckinData } from '../../src/domain/records'
import type { RunningServer } from '../browser/support/server'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { addDays, todayIn } from '../../src/domain/week'
import { joinByApi } from '../browser/support/api'
import { addCheckin, fillAndSaveCheckin, joinInApp, syncStatus, tab } from '../browser/support/app'
import { launchChromium, newPhoneContext } from '../browser/support/browser'
import { buildApp } from '../browser/support/build'
import { REPO_ROOT } from '../browser/support/paths'
import { createBranch, startServer } from '../browser/support/server'

/** Other members of the branch, some of whom studied this week, so 支部 has something to show. */
const OTHER_MEMBERS: { name: string, checkin?: StudyCheckinData }[] = [
  { name: '李建国', checkin: { date: todayIn(), form: 'party_lecture', topic: '专题党课：发扬斗争精神', minutes: 90 } },
  { name: '王秀英', checkin: { date: todayIn(), form: 'reading_class', topic: '读书班：《习近平谈治国理政》第四卷', minutes: 60 } },
  { name: '赵志强' },
  { name: '陈丽华' },
]

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
    for (const other of OTHER_MEMBERS) {
      const joined = await joinByApi(server.baseUrl, branch.memberInviteCode, other.name)
      if (other.checkin)
        await pushCheckin(server.baseUrl, joined.token, other.checkin)
    }

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
    await context.close()

    const secretaryContext = await newPhoneContext(browser)
    const secretaryPage = await secretaryContext.newPage()
    await joinInApp(secretaryPage, server.baseUrl, branch.secretaryInviteCode, '刘书记')
    await tab(secretaryPage, '支部').click()
    await secretaryPage.getByText(/本周完成/).first().waitFor()
    await secretaryPage.getByText('张伟').first().waitFor()
    await dismissOfflineReady(secretaryPage)
    await secretaryPage.screenshot({ path: path.join(outDir, 'branch.png') })
    console.log('支部 page → public/screenshots/branch.png')
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
