import type { Buffer } from 'node:buffer'
/**
 * `npm run bench`: the issue's three figures, measured against the real server in Chromium.
 * (a) first-page JavaScript, gzip level 9, budget 100 KiB (`-- --first-page`: only this, printed); (b) tap on 保存 → row shown, median and
 * p95 of 20 saves, plain and with the CPU throttled 4×; (c) pushing 5,000 queued check-ins; (d) lists of
 * 2,000 check-ins and notes opened and scrolled with the CPU throttled 4× (first render, frame times, long tasks).
 * (e) a 20,000-character material opened offline from IndexedDB, CPU 4× (tests/bench/reader.ts).
 * (g) 学习 and 笔记 holding 2,000 entries opened with the CPU 4× slower: time to the first entry, the
 * median of FIRST_ENTRY_RUNS loads, against the 300 ms target.
 * Writes tests/bench/out/results.json and the table between the bench markers in README.md.
 */
import type { Browser, Page } from 'playwright-core'
import type { RunningServer } from '../browser/support/server'
import type { BranchBenchResult } from './branch'
import type { ReaderResult } from './reader'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { STUDY_FORMS } from '../../src/domain/records'
import { addDays, todayIn, weekKey } from '../../src/domain/week'
import { branchCompletion, joinByApi, serverStudyCheckins } from '../browser/support/api'
import { joinInApp, openNewCheckin, syncStatus, waitForServiceWorkerControl } from '../browser/support/app'
import { launchChromium, newPhoneContext } from '../browser/support/browser'
import { buildApp } from '../browser/support/build'
import { REPO_ROOT } from '../browser/support/paths'
import { createBranch, startServer } from '../browser/support/server'
import { branchBench, branchRows } from './branch'
import { lighthouseBench, lighthouseRows } from './lighthouse'
import { readerFirstScreen, readerLog, readerRows } from './reader'
import { SYNC_PARTS, syncBench, syncPartsFromArgv, syncTable } from './sync'

const JS_BUDGET_KIB = 100
const SAVES = 20
const QUEUED = 5000
const LIST_ENTRIES = 2000
const SCROLL_FRAMES = 600
const SCROLL_STEP_PX = 40
/** `npm run bench -- --lists`: only (d), printed, nothing written (for working on the lists). */
const LISTS_ONLY = process.argv.includes('--lists')
/** `npm run bench -- --reader`: only (e), the reader's first screen, printed. */
const READER_ONLY = process.argv.includes('--reader')
/** `npm run bench -- --branch`: only (f), the secretary's grid and summary on a 500-member year, printed. */
const BRANCH_ONLY = process.argv.includes('--branch')
/** `npm run bench -- sync [browser|node|load]`: only the sync figures beside their peers (tests/bench/sync.ts), printed and written to out/sync.json. */
const SYNC_ONLY = syncPartsFromArgv(process.argv)
/** `npm run bench -- --first-entry`: only (g), time to the first entry of 学习 and 笔记, printed. */
const FIRST_ENTRY_ONLY = process.argv.includes('--first-entry')
/** `npm run bench -- --first-page`: only (a), the first page's JavaScript, printed. */
const FIRST_PAGE_ONLY = process.argv.includes('--first-page')
/** `npm run bench -- --lighthouse`: only Lighthouse's mobile performance score of /join and 学习, printed. */
const LIGHTHOUSE_ONLY = process.argv.includes('--lighthouse')
const FIRST_ENTRY_RUNS = 5
const FIRST_ENTRY_TARGET_MS = 300

interface ScriptSize { url: string, bytes: number, gzipBytes: number }
interface FirstPageResult { page: string, files: ScriptSize[], totalGzipKiB: number, budgetKiB: number, pass: boolean }
interface SaveLatency { cpuThrottle: number, samplesMs: number[], medianMs: number, p95Ms: number }
interface PushResult { checkins: number, untilServerHeldAllMs: number, untilSyncedMs: number, serverRows: number }
interface ScrollResult {
  list: string
  entries: number
  cpuThrottle: number
  /** Navigation start → the newest entry in the DOM, on a reload with the list in IndexedDB. */
  firstRenderMs: number
  frames: number
  medianFrameMs: number
  p95FrameMs: number
  maxFrameMs: number
  /** Frames that took longer than two vsyncs (33 ms): what the eye sees as a stutter. */
  slowFrames: number
  longTasks: number
  longTaskMs: number
  /** Rows in the DOM when the scroll ended: the virtual list keeps only those near the screen. */
  rowsRendered: number
}
interface FirstEntryResult {
  list: string
  entries: number
  cpuThrottle: number
  /** Navigation start → the newest entry in the DOM, for each load of the list page. */
  runsMs: number[]
  medianMs: number
  targetMs: number
  pass: boolean
}

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
      tx.objectStore('studyCheckins').put({ date, form: 'self_study', topic: `离线学习记录 ${i + 1}`, minutes: 30, id, memberId: session.member.id, owner: session.member.id, week, updatedAt: now + i, deleted: false, sync: 'pending' })
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

type ListKind = 'studyCheckins' | 'readingNotes'

/** The marker text of the i-th entry: the list is newest first, so entry LIST_ENTRIES is on top. */
function entryTitle(kind: ListKind, i: number): string {
  return kind === 'studyCheckins' ? `列表学习记录 ${i}` : `列表读书笔记 ${i}`
}

/**
 * Writes `count` synced rows of `kind` straight into the app's IndexedDB, in the row shape of
 * `src/app/db/database.ts` (data fields flat plus id, memberId, updatedAt, deleted, sync; dated
 * tables also `week`; the stored `owner` that the list indexes read), as if pulled from the server.
 * Five check-ins a day going back in time.
 */
async function seedList(page: Page, kind: ListKind, count: number): Promise<void> {
  const today = todayIn('Asia/Shanghai')
  const rows: Record<string, unknown>[] = []
  const now = Date.now()
  for (let i = 1; i <= count; i++) {
    const age = count - i
    const base = { id: '', updatedAt: now - age * 1000, deleted: false, sync: 'synced' }
    if (kind === 'studyCheckins') {
      const date = addDays(today, -Math.floor(age / 5))
      rows.push({ ...base, date, week: weekKey(date), form: STUDY_FORMS[i % STUDY_FORMS.length], topic: entryTitle(kind, i), minutes: 30 + (i % 60), note: i % 3 === 0 ? '结合工作实际谈体会。' : undefined })
    }
    else {
      rows.push({ ...base, title: entryTitle(kind, i), source: `第${(i % 20) + 1}章`, excerpt: '江山就是人民，人民就是江山。'.repeat(2), reflection: `第${i}篇心得：${'全心全意为人民服务，把学习成果转化为做好本职工作的实际行动。'.repeat(3)}` })
    }
  }
  await page.evaluate(async ({ kind, rows }) => {
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
    if (!database.objectStoreNames.contains(kind))
      throw new Error(`the app's database has no ${kind} table yet`)
    const tx = database.transaction(kind, 'readwrite')
    for (const row of rows) {
      for (const key of Object.keys(row)) {
        if (row[key] === undefined)
          delete row[key]
      }
      tx.objectStore(kind).put({ ...row, id: crypto.randomUUID(), memberId: session.member.id, owner: session.member.id })
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    database.close()
  }, { kind, rows })
}

declare global {
  interface Window { __benchFirstRender?: number }
}

/** Records in `window.__benchFirstRender` when `marker` first appears in the document, from its start. */
async function watchFirstRender(page: Page, marker: string): Promise<void> {
  await page.addInitScript((marker) => {
    const observer = new MutationObserver(() => {
      if (document.body?.textContent?.includes(marker)) {
        window.__benchFirstRender = performance.now()
        observer.disconnect()
      }
    })
    observer.observe(document, { childList: true, subtree: true, characterData: true })
  }, marker)
}

/**
 * Opens the list of `LIST_ENTRIES` entries FIRST_ENTRY_RUNS times with the CPU throttled (the app
 * controlled by its service worker, the entries in IndexedDB, as a member reopening it): the median
 * time from navigation start to the newest entry in the DOM.
 */
async function firstEntry(browser: Browser, server: RunningServer, inviteCode: string, kind: ListKind, cpuThrottle: number): Promise<FirstEntryResult> {
  const context = await newPhoneContext(browser)
  const page = await context.newPage()
  const listUrl = `${server.baseUrl}/${kind === 'studyCheckins' ? 'study' : 'notes'}`
  await joinInApp(page, server.baseUrl, inviteCode, kind === 'studyCheckins' ? '基准首条学习' : '基准首条笔记')
  await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.includes('已同步'), undefined, { timeout: 60_000 })
  await seedList(page, kind, LIST_ENTRIES)
  await watchFirstRender(page, entryTitle(kind, LIST_ENTRIES))
  const cdp = await context.newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle })
  const runsMs: number[] = []
  // BENCH_PROFILE=<dir>: the page's CPU profile over the runs, as <dir>/first-entry-<list>-<n>x.cpuprofile.
  const profileDir = process.env.BENCH_PROFILE
  if (profileDir) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cdp.send('Profiler.start')
  }
  try {
    for (let i = 0; i < FIRST_ENTRY_RUNS; i++) {
      await page.goto(listUrl)
      await page.waitForFunction(() => window.__benchFirstRender !== undefined, undefined, { timeout: 120_000 })
      runsMs.push(round(await page.evaluate(() => window.__benchFirstRender!)))
    }
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop')
      await mkdir(profileDir, { recursive: true })
      await writeFile(path.join(profileDir, `first-entry-${kind}-${cpuThrottle}x.cpuprofile`), JSON.stringify(profile))
    }
  }
  finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {})
    await context.close()
  }
  const medianMs = round(percentile([...runsMs].sort((a, b) => a - b), 50))
  return {
    list: kind === 'studyCheckins' ? '学习 (study check-ins)' : '笔记 (reading notes)',
    entries: LIST_ENTRIES,
    cpuThrottle,
    runsMs,
    medianMs,
    targetMs: FIRST_ENTRY_TARGET_MS,
    pass: medianMs <= FIRST_ENTRY_TARGET_MS,
  }
}

async function firstEntries(browser: Browser, server: RunningServer): Promise<FirstEntryResult[]> {
  console.log(`(g) 学习 and 笔记 with ${LIST_ENTRIES} entries, CPU 4× slower: open → first entry, median of ${FIRST_ENTRY_RUNS}`)
  const branch = await createBranch(server, '基准首条党支部')
  const results: FirstEntryResult[] = []
  for (const kind of ['studyCheckins', 'readingNotes'] as const) {
    const r = await firstEntry(browser, server, branch.memberInviteCode, kind, 4)
    results.push(r)
    console.log(`  ${r.list}: median ${r.medianMs} ms (${r.runsMs.join(', ')}), target ${r.targetMs} ms → ${r.pass ? 'PASS' : 'FAIL'}`)
  }
  return results
}

/**
 * Opens the list of `LIST_ENTRIES` entries with the CPU throttled and scrolls it frame by frame like a
 * thumb would (SCROLL_STEP_PX a frame) through the virtual list. Measures time to the first entry on screen, rAF intervals while scrolling, and long tasks.
 */
async function scrollList(browser: Browser, server: RunningServer, inviteCode: string, kind: ListKind, cpuThrottle: number): Promise<ScrollResult> {
  const context = await newPhoneContext(browser)
  const page = await context.newPage()
  const listUrl = `${server.baseUrl}/${kind === 'studyCheckins' ? 'study' : 'notes'}`
  await joinInApp(page, server.baseUrl, inviteCode, kind === 'studyCheckins' ? '基准列表学习' : '基准列表笔记')
  await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.includes('已同步'), undefined, { timeout: 60_000 })
  await seedList(page, kind, LIST_ENTRIES)
  // The newest entry's text appearing is the list's first render; watched from the document's start.
  await watchFirstRender(page, entryTitle(kind, LIST_ENTRIES))
  const cdp = await context.newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle })
  try {
    await page.goto(listUrl)
    await page.waitForFunction(() => window.__benchFirstRender !== undefined, undefined, { timeout: 120_000 })
    const firstRenderMs = round(await page.evaluate(() => window.__benchFirstRender!))
    await page.evaluate('globalThis.__name ??= fn => fn')
    const measured = await page.evaluate(async ({ frames, step }) => {
      const longTasks: number[] = []
      const observer = new PerformanceObserver(list => longTasks.push(...list.getEntries().map(e => e.duration)))
      observer.observe({ type: 'longtask', buffered: false })
      // The element that scrolls: the page itself, or the app's own scrolling container.
      const scrollables = [document.scrollingElement!, ...document.querySelectorAll('*')].filter((el) => {
        const overflow = getComputedStyle(el).overflowY
        return el.scrollHeight > el.clientHeight + 50 && (el === document.scrollingElement || overflow === 'auto' || overflow === 'scroll')
      })
      const scroller = scrollables.sort((a, b) => b.scrollHeight - a.scrollHeight)[0] ?? document.scrollingElement!
      const intervals: number[] = []
      let last = await new Promise<number>(resolve => requestAnimationFrame(resolve))
      for (let i = 0; i < frames; i++) {
        scroller.scrollTop += step
        const now = await new Promise<number>(resolve => requestAnimationFrame(resolve))
        intervals.push(now - last)
        last = now
      }
      await new Promise(resolve => setTimeout(resolve, 100))
      observer.disconnect()
      return { intervals, longTasks, rows: document.querySelectorAll('li, [role="listitem"]').length }
    }, { frames: SCROLL_FRAMES, step: SCROLL_STEP_PX })
    const sorted = [...measured.intervals].sort((a, b) => a - b)
    return {
      list: kind === 'studyCheckins' ? '学习 (study check-ins)' : '笔记 (reading notes)',
      entries: LIST_ENTRIES,
      cpuThrottle,
      firstRenderMs,
      frames: sorted.length,
      medianFrameMs: round(percentile(sorted, 50)),
      p95FrameMs: round(percentile(sorted, 95)),
      maxFrameMs: round(sorted.at(-1) ?? 0),
      slowFrames: sorted.filter(ms => ms > 33.4).length,
      longTasks: measured.longTasks.length,
      longTaskMs: Math.round(measured.longTasks.reduce((sum, ms) => sum + ms, 0)),
      rowsRendered: measured.rows,
    }
  }
  finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {})
    await context.close()
  }
}

function readmeTable(results: { date: string, machine: string, firstPage: FirstPageResult[], saves: SaveLatency[], push: PushResult | null, scrolls: ScrollResult[], firstEntries?: FirstEntryResult[], reader?: ReaderResult, branch?: BranchBenchResult }): string {
  const lines = [
    `Measured ${results.date} on ${results.machine}, Chromium headless at 390×844.`,
    '',
    '| figure | result |',
    '| --- | --- |',
    ...results.firstPage.map(f => `| first-page JavaScript (gzip -9): ${f.page} | ${f.totalGzipKiB} KiB, budget ${f.budgetKiB} KiB: ${f.pass ? 'pass' : '**over budget**'} |`),
    ...results.saves.map(s => `| tap 保存 → row shown${s.cpuThrottle > 1 ? `, CPU ${s.cpuThrottle}× slower` : ''} (${s.samplesMs.length} saves) | median ${s.medianMs} ms, p95 ${s.p95Ms} ms |`),
    ...(results.push ? [`| push ${results.push.checkins.toLocaleString('en')} queued check-ins to a local server | ${seconds(results.push.untilSyncedMs)} until the app shows 已同步; the server held all ${results.push.serverRows.toLocaleString('en')} after ${seconds(results.push.untilServerHeldAllMs)} |`] : []),
    ...results.scrolls.flatMap(r => [
      `| ${r.list}: ${r.entries.toLocaleString('en')} entries, CPU ${r.cpuThrottle}× slower: open → first entry shown | ${round(r.firstRenderMs)} ms |`,
      `| ${r.list}: scroll ${r.frames} frames × ${SCROLL_STEP_PX} px, CPU ${r.cpuThrottle}× slower | frame median ${r.medianFrameMs} ms, p95 ${r.p95FrameMs} ms, max ${r.maxFrameMs} ms; ${r.slowFrames} frames over 33 ms; ${r.longTasks} long tasks (${r.longTaskMs} ms); ${r.rowsRendered} rows in the DOM at the end |`,
    ]),
    ...(results.firstEntries ?? []).map(r => `| ${r.list}: ${r.entries.toLocaleString('en')} entries, CPU ${r.cpuThrottle}× slower: open → first entry, median of ${r.runsMs.length} | ${r.medianMs} ms, target ${r.targetMs} ms: ${r.pass ? 'pass' : '**over target**'} |`),
    ...(results.reader ? readerRows(results.reader) : []),
    ...(results.branch ? branchRows(results.branch) : []),
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

async function listScrolls(browser: Browser, server: RunningServer): Promise<ScrollResult[]> {
  console.log(`(d) lists of ${LIST_ENTRIES} entries, scrolled with the CPU 4× slower`)
  const branch = await createBranch(server, '基准列表党支部')
  const scrolls: ScrollResult[] = []
  for (const kind of ['studyCheckins', 'readingNotes'] as const) {
    const r = await scrollList(browser, server, branch.memberInviteCode, kind, 4)
    scrolls.push(r)
    console.log(`  ${r.list}: first entry after ${r.firstRenderMs} ms; frames median ${r.medianFrameMs} ms, p95 ${r.p95FrameMs} ms, max ${r.maxFrameMs} ms, ${r.slowFrames} over 33 ms; ${r.longTasks} long tasks (${r.longTaskMs} ms); ${r.rowsRendered} rows in the DOM`)
  }
  return scrolls
}

async function listsOnly(browser: Browser, server: RunningServer): Promise<void> {
  const scrolls = await listScrolls(browser, server)
  console.log(readmeTable({ date: new Date().toISOString().slice(0, 10), machine: 'this machine', firstPage: [], saves: [], push: null, scrolls }))
}

async function readerPart(browser: Browser, server: RunningServer): Promise<ReaderResult> {
  console.log('(e) reader: a 20,000-character material from IndexedDB, offline, CPU 4× slower')
  const reader = await readerFirstScreen(browser, server)
  for (const line of readerLog(reader))
    console.log(line)
  return reader
}

async function readerOnly(browser: Browser, server: RunningServer): Promise<void> {
  const reader = await readerPart(browser, server)
  console.log(readmeTable({ date: new Date().toISOString().slice(0, 10), machine: 'this machine', firstPage: [], saves: [], push: null, scrolls: [], reader }))
}

/** Lighthouse on /join, then on 学习 after joining in the same Chromium (connected over CDP). */
async function lighthouseScores(server: RunningServer, inviteCode: string) {
  console.log('(h) Lighthouse mobile performance, /join and 学习')
  const scores = await lighthouseBench(server, async (port) => {
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`)
    const page = await browser.contexts()[0]!.newPage()
    await joinInApp(page, server.baseUrl, inviteCode, '基准灯塔')
    await waitForServiceWorkerControl(page)
    await page.close()
    await browser.close()
  })
  for (const r of scores)
    console.log(`  ${r.page}: ${r.score.toFixed(2)} (target ${r.target}) ${JSON.stringify(r.metrics)}`)
  return scores
}

async function firstPages(browser: Browser, server: RunningServer, inviteCode: string): Promise<FirstPageResult[]> {
  console.log('(a) first-page JavaScript')
  const firstPage = [
    await firstPageJavaScript(browser, `${server.baseUrl}/`, 'first visit, 加入支部'),
    await firstPageJavaScript(browser, `${server.baseUrl}/`, 'reopened with a session, 学习', async (page) => {
      await joinInApp(page, server.baseUrl, inviteCode, '基准首页')
    }),
  ]
  for (const f of firstPage) {
    for (const file of f.files)
      console.log(`  ${(file.gzipBytes / 1024).toFixed(1).padStart(7)} KiB gz  ${(file.bytes / 1024).toFixed(1).padStart(7)} KiB raw  ${file.url}`)
    console.log(`  ${f.page}: ${f.totalGzipKiB} KiB gzip, budget ${f.budgetKiB} KiB → ${f.pass ? 'PASS' : 'FAIL'}`)
  }
  return firstPage
}

async function main(): Promise<void> {
  if (SYNC_ONLY) {
    console.log(syncTable(await syncBench(SYNC_ONLY)))
    return
  }
  if (BRANCH_ONLY) {
    const branch = await branchBench()
    console.log(readmeTable({ date: new Date().toISOString().slice(0, 10), machine: 'this machine', firstPage: [], saves: [], push: null, scrolls: [], branch }))
    return
  }
  const root = await mkdtemp(path.join(tmpdir(), 'study-log-bench-'))
  let server: RunningServer | undefined
  let browser: Browser | undefined
  try {
    console.log('building the app…')
    const build = path.join(root, 'build')
    await buildApp(build, 'bench')
    server = await startServer({ staticFrom: build, env: { LOG_LEVEL: 'warn' } })
    browser = await launchChromium()

    if (LISTS_ONLY)
      return await listsOnly(browser, server)
    if (READER_ONLY)
      return await readerOnly(browser, server)
    if (FIRST_ENTRY_ONLY) {
      const firstEntryResults = await firstEntries(browser, server)
      console.log(readmeTable({ date: new Date().toISOString().slice(0, 10), machine: 'this machine', firstPage: [], saves: [], push: null, scrolls: [], firstEntries: firstEntryResults }))
      return
    }

    const branch = await createBranch(server, '基准党支部')
    if (LIGHTHOUSE_ONLY) {
      const scores = await lighthouseScores(server, branch.memberInviteCode)
      console.log(lighthouseRows(scores).join('\n'))
      return
    }
    const firstPage = await firstPages(browser, server, branch.memberInviteCode)
    if (FIRST_PAGE_ONLY) {
      console.log(readmeTable({ date: new Date().toISOString().slice(0, 10), machine: 'this machine', firstPage, saves: [], push: null, scrolls: [] }))
      return
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

    const scrolls = await listScrolls(browser, server)

    const firstEntryResults = await firstEntries(browser, server)

    const reader = await readerPart(browser, server)

    const secretaryViews = await branchBench()

    const sync = await syncBench(SYNC_PARTS, { appBuild: build })

    const cpu = cpus()
    const results = {
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
      firstPage,
      saves,
      push,
      scrolls,
      firstEntries: firstEntryResults,
      reader,
      branch: secretaryViews,
      sync,
    }
    const outDir = path.join(REPO_ROOT, 'tests/bench/out')
    await mkdir(outDir, { recursive: true })
    await writeFile(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
    if (!await writeReadme(`${readmeTable(results)}\n\n${syncTable(sync)}`))
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
