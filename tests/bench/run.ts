import type { Buffer } from 'node:buffer'
/**
 * `npm run bench`: the issue's three figures, measured against the real server in Chromium.
 * (a) first-page JavaScript, gzip level 9, budget 150 KiB; (b) tap on 保存 → row shown, median and
 * p95 of 20 saves, plain and with the CPU throttled 4×; (c) pushing 5,000 queued check-ins.
 * Writes tests/bench/out/results.json and the table between the bench markers in README.md.
 */
import type { Browser, Page } from 'playwright-core'
import type { RunningServer } from '../browser/support/server'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { todayIn, weekKey } from '../../src/domain/week'
import { branchCompletion, joinByApi, serverStudyCheckins } from '../browser/support/api'
import { joinInApp, openNewCheckin, syncStatus, waitForServiceWorkerControl } from '../browser/support/app'
import { launchChromium, newPhoneContext } from '../browser/support/browser'
import { buildApp } from '../browser/support/build'
import { REPO_ROOT } from '../browser/support/paths'
import { createBranch, startServer } from '../browser/support/server'

const JS_BUDGET_KIB = 150
const SAVES = 20
const QUEUED = 5000

interface ScriptSize { url: string, bytes: number, gzipBytes: number }
interface FirstPageResult { page: string, files: ScriptSize[], totalGzipKiB: number, budgetKiB: number, pass: boolean }
interface SaveLatency { cpuThrottle: number, samplesMs: number[], medianMs: number, p95Ms: number }
interface PushResult { checkins: number, untilServerHeldAllMs: number, untilSyncedMs: number, serverRows: number }

function kib(bytes: number): number {
  return Math.round(bytes / 1024 * 10) / 10
}

function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p / 100 * sorted.length))
  return sorted[rank - 1]!
}

function seconds(ms: number): string {
  return ms < 0 ? 'n/a' : `${(ms / 1000).toFixed(1)} s`
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}

/** Every JS file the page requested until the network went idle, with its gzip -9 size. */
async function firstPageJavaScript(browser: Browser, url: string, label: string, prepare?: (page: Page) => Promise<void>): Promise<FirstPageResult> {
  const context = await newPhoneContext(browser, { serviceWorkers: 'block' })
  if (prepare) {
    const first = await context.newPage()
    await prepare(first)
    await first.close()
  }
  const page = await context.newPage()
  const scripts = new Map<string, Promise<Buffer>>()
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script' || /\.m?js(?:$|\?)/.test(new URL(response.url()).pathname))
      scripts.set(response.url(), response.body())
  })
  await page.goto(url, { waitUntil: 'networkidle' })
  const files: ScriptSize[] = []
  for (const [scriptUrl, body] of scripts) {
    const bytes = await body
    files.push({ url: new URL(scriptUrl).pathname, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length })
  }
  await context.close()
  files.sort((a, b) => b.gzipBytes - a.gzipBytes)
  const totalGzipKiB = kib(files.reduce((sum, f) => sum + f.gzipBytes, 0))
  return { page: label, files, totalGzipKiB, budgetKiB: JS_BUDGET_KIB, pass: totalGzipKiB <= JS_BUDGET_KIB }
}

declare global {
  interface Window { __benchSaveShown?: Promise<number> }
}

/** One save measured inside the page: the 保存 click's dispatch to the DOM holding the new row's topic. */
async function timeOneSave(page: Page, topic: string): Promise<number> {
  await openNewCheckin(page)
  await page.getByLabel('主题', { exact: true }).fill(topic)
  await page.getByLabel('时长（分钟）', { exact: true }).fill('30')
  // tsx compiles with keepNames: functions declared inside page.evaluate call its `__name` helper.
  await page.evaluate('globalThis.__name ??= fn => fn')
  await page.evaluate((topic) => {
    window.__benchSaveShown = new Promise<number>((resolve) => {
      let tappedAt = -1
      const onTap = (event: Event): void => {
        const button = (event.target as Element | null)?.closest('button')
        if (button?.textContent?.includes('保存')) {
          tappedAt = performance.now()
          window.removeEventListener('click', onTap, true)
        }
      }
      window.addEventListener('click', onTap, true)
      const observer = new MutationObserver(() => {
        if (tappedAt >= 0 && document.body.textContent?.includes(topic)) {
          observer.disconnect()
          resolve(performance.now() - tappedAt)
        }
      })
      observer.observe(document.body, { childList: true, subtree: true, characterData: true })
    })
  }, topic)
  await page.getByRole('button', { name: '保存', exact: true }).click()
  const ms = await page.evaluate(() => window.__benchSaveShown!)
  await page.getByLabel('主题', { exact: true }).waitFor({ state: 'hidden' })
  return ms
}

async function saveLatency(page: Page, cpuThrottle: number, label: string): Promise<SaveLatency> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle })
  const samplesMs: number[] = []
  try {
    for (let i = 0; i < SAVES; i++)
      samplesMs.push(round(await timeOneSave(page, `${label} 第${i + 1}次学习`)))
  }
  finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
    await cdp.detach()
  }
  const sorted = [...samplesMs].sort((a, b) => a - b)
  return { cpuThrottle, samplesMs, medianMs: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)) }
}

/**
 * Queues `count` check-ins in the app's own IndexedDB while offline, in exactly the shape
 * `src/app/db/studyCheckins.ts` `saveStudyCheckin` writes (row + outbox entry), then reloads so the
 * app reads them. Writing 5,000 through the form would take minutes and measure the form instead.
 */
async function queueCheckinsOffline(page: Page, count: number): Promise<void> {
  const date = todayIn('Asia/Shanghai')
  await page.evaluate(async ({ count, date, week }) => {
    const request = indexedDB.open('study-log')
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const read = database.transaction('session').objectStore('session').get('current')
    const session = await new Promise<{ member: { id: string } }>((resolve, reject) => {
      read.onsuccess = () => resolve(read.result)
      read.onerror = () => reject(read.error)
    })
    const tx = database.transaction(['studyCheckins', 'outbox'], 'readwrite')
    const now = Date.now()
    for (let i = 0; i < count; i++) {
      const id = crypto.randomUUID()
      tx.objectStore('studyCheckins').put({ date, form: 'self_study', topic: `离线学习记录 ${i + 1}`, minutes: 30, id, memberId: session.member.id, week, updatedAt: now + i, deleted: false, sync: 'pending' })
      tx.objectStore('outbox').put({ key: `studyCheckins:${id}`, table: 'studyCheckins', id, version: 1, queuedAt: now + i })
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    database.close()
  }, { count, date, week: weekKey(date) })
}

async function pushQueued(browser: Browser, server: RunningServer): Promise<PushResult> {
  const branch = await createBranch(server, '基准测试党支部')
  const context = await newPhoneContext(browser)
  const page = await context.newPage()
  const member = await joinInApp(page, server.baseUrl, branch.memberInviteCode, '基准队列')
  await waitForServiceWorkerControl(page)
  await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.includes('已同步'), undefined, { timeout: 60_000 })

  await context.setOffline(true)
  await queueCheckinsOffline(page, QUEUED)
  await page.reload()
  await page.waitForFunction(n => document.querySelector('[role="status"]')?.textContent?.includes(`待同步 ${n} 条`), QUEUED, { timeout: 120_000 })

  // The secretary's completion count is a cheap way to see when the server holds every row,
  // apart from when the app has settled them all and says 已同步.
  const secretary = await joinByApi(server.baseUrl, branch.secretaryInviteCode, '基准书记')
  let untilServerHeldAllMs = -1
  const watch = { running: true }
  const started = performance.now()
  const serverWatch = (async () => {
    while (watch.running) {
      const completion = await branchCompletion(server.baseUrl, secretary.token)
      if (completion.members.find(m => m.id === member.member.id)?.checkins === QUEUED) {
        untilServerHeldAllMs = Math.round(performance.now() - started)
        return
      }
      await sleep(100)
    }
  })()
  await context.setOffline(false)
  await page.getByRole('button', { name: '立即同步' }).click()
  await page.waitForFunction(() => {
    const text = document.querySelector('[role="status"]')?.textContent ?? ''
    return text.includes('已同步') && !text.includes('待同步')
  }, undefined, { timeout: 600_000, polling: 50 })
  const untilSyncedMs = Math.round(performance.now() - started)
  watch.running = false
  await serverWatch
  const serverRows = (await serverStudyCheckins(server.baseUrl, member.token)).length
  if (serverRows !== QUEUED)
    throw new Error(`server holds ${serverRows} check-ins after the push, expected ${QUEUED} (status: ${await syncStatus(page).textContent()})`)
  await context.close()
  return { checkins: QUEUED, untilServerHeldAllMs, untilSyncedMs, serverRows }
}

function readmeTable(results: { date: string, machine: string, firstPage: FirstPageResult[], saves: SaveLatency[], push: PushResult }): string {
  const lines = [
    `Measured ${results.date} on ${results.machine}, Chromium headless at 390×844.`,
    '',
    '| figure | result |',
    '| --- | --- |',
    ...results.firstPage.map(f => `| first-page JavaScript (gzip -9): ${f.page} | ${f.totalGzipKiB} KiB, budget ${f.budgetKiB} KiB: ${f.pass ? 'pass' : '**over budget**'} |`),
    ...results.saves.map(s => `| tap 保存 → row shown${s.cpuThrottle > 1 ? `, CPU ${s.cpuThrottle}× slower` : ''} (${s.samplesMs.length} saves) | median ${s.medianMs} ms, p95 ${s.p95Ms} ms |`),
    `| push ${results.push.checkins.toLocaleString('en')} queued check-ins to a local server | ${seconds(results.push.untilSyncedMs)} until the app shows 已同步; the server held all ${results.push.serverRows.toLocaleString('en')} after ${seconds(results.push.untilServerHeldAllMs)} |`,
  ]
  return lines.join('\n')
}

async function writeReadme(table: string): Promise<boolean> {
  const readmePath = path.join(REPO_ROOT, 'README.md')
  const readme = await readFile(readmePath, 'utf8')
  const pattern = /<!-- bench:start -->[\s\S]*?<!-- bench:end -->/
  if (!pattern.test(readme))
    return false
  await writeFile(readmePath, readme.replace(pattern, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`))
  return true
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'study-log-bench-'))
  let server: RunningServer | undefined
  let browser: Browser | undefined
  try {
    console.log('building the app…')
    const build = path.join(root, 'build')
    await buildApp(build, 'bench')
    server = await startServer({ staticFrom: build, env: { LOG_LEVEL: 'warn' } })
    browser = await launchChromium()

    console.log('(a) first-page JavaScript')
    const branch = await createBranch(server, '基准党支部')
    const firstPage = [
      await firstPageJavaScript(browser, `${server.baseUrl}/`, 'first visit, 加入支部'),
      await firstPageJavaScript(browser, `${server.baseUrl}/`, 'reopened with a session, 学习', async (page) => {
        await joinInApp(page, server!.baseUrl, branch.memberInviteCode, '基准首页')
      }),
    ]
    for (const f of firstPage) {
      for (const file of f.files)
        console.log(`  ${(file.gzipBytes / 1024).toFixed(1).padStart(7)} KiB gz  ${(file.bytes / 1024).toFixed(1).padStart(7)} KiB raw  ${file.url}`)
      console.log(`  ${f.page}: ${f.totalGzipKiB} KiB gzip, budget ${f.budgetKiB} KiB → ${f.pass ? 'PASS' : 'FAIL'}`)
    }

    console.log('(b) tap on 保存 → row shown')
    const context = await newPhoneContext(browser)
    const page = await context.newPage()
    await joinInApp(page, server.baseUrl, branch.memberInviteCode, '基准党员')
    const saves = [await saveLatency(page, 1, '常速'), await saveLatency(page, 4, '降速')]
    for (const s of saves)
      console.log(`  CPU ×${s.cpuThrottle}: median ${s.medianMs} ms, p95 ${s.p95Ms} ms (${s.samplesMs.join(', ')})`)
    await context.close()

    console.log(`(c) push ${QUEUED} queued check-ins`)
    const push = await pushQueued(browser, server)
    console.log(`  server held all ${push.serverRows} after ${push.untilServerHeldAllMs} ms; app showed 已同步 after ${push.untilSyncedMs} ms`)

    const cpu = cpus()
    const results = {
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
      firstPage,
      saves,
      push,
    }
    const outDir = path.join(REPO_ROOT, 'tests/bench/out')
    await mkdir(outDir, { recursive: true })
    await writeFile(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
    if (!await writeReadme(readmeTable(results)))
      console.warn('README.md has no <!-- bench:start --> … <!-- bench:end --> block: table not written')
    console.log('results written to tests/bench/out/results.json and README.md')
    if (firstPage.some(f => !f.pass))
      process.exitCode = 1
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
