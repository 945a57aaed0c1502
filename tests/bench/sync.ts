import type { Browser, Page } from 'playwright-core'
import type { JoinResponse, SyncResponse } from '../../src/domain/wire'
import type { RunningServer } from '../browser/support/server'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { setTimeout as sleep } from 'node:timers/promises'
import BetterSqlite3 from 'better-sqlite3'
import { build } from 'esbuild'
import pg from 'pg'
import { todayIn, weekKey } from '../../src/domain/week'
import { openStorage } from '../../src/server/storage'
import { branchCompletion, joinByApi } from '../browser/support/api'
import { joinInApp, syncStatus, waitForServiceWorkerControl } from '../browser/support/app'
import { launchChromium, newPhoneContext } from '../browser/support/browser'
import { buildApp } from '../browser/support/build'
import { REPO_ROOT } from '../browser/support/paths'
import { createBranch, freePort, startServer } from '../browser/support/server'

/**
 * The sync bench of "Sync and first load at the speed of the hardware": each figure is measured
 * beside its peer in the same run, and the ratio is what the target is about (the machine is shared,
 * so absolute times move with its load; the ratio much less).
 * (1) browser push: 5,000 check-ins queued offline in the built app in Chromium, then online until
 *     已同步 with all 5,000 on the server; the peer is pouchdb-browser in the same Chromium
 *     replicating the same 5,000 docs to express-pouchdb on leveldb. CPU 1× and 4× slower.
 * (2) Node push: 5,000 changes in 10 requests of 500 from a plain Node client to our server, against
 *     better-sqlite3 alone doing the same upserts in 10 transactions (WAL, synchronous=FULL), and
 *     on PostgreSQL (TEST_DATABASE_URL) against pg batched upserts.
 * (3) throughput with autocannon: pulls with an up-to-date cursor vs a bare Fastify hello world;
 *     pushes of 10 new check-ins vs a Fastify POST echo, SQLite and PostgreSQL; on PostgreSQL 16
 *     writers in 16 branches vs 1 writer.
 * Every server is a process of its own on 127.0.0.1, started and stopped here; every run is bounded.
 * `npm run bench -- sync` runs all three (`sync browser`, `sync node`, `sync load` one of them) and
 * writes tests/bench/out/sync.json.
 */

const QUEUED = 5000
const BATCH = 500
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5)
const PUSH_MEMBERS = 100
const PUSH_CHANGES = 10
const BRANCH_WRITERS = 16
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx')
const pgUrl = process.env.TEST_DATABASE_URL

/** One line of the table: our figure, the peer's, and the ratio the target is written against. */
export interface SyncFigure {
  entry: string
  ours: string
  peer: string
  peerName: string
  /** As the target reads it: `ours / peer` for times, `ours ÷ peer` throughput share, etc. */
  ratio: number
  /** A share of the peer's throughput reads as a percentage, a speed-up as a factor. */
  ratioAs: 'times' | 'percent'
  ratioLabel: string
  target: string
  pass: boolean
}

export interface SyncBenchResult {
  date: string
  machine: string
  /** os.loadavg() when the bench started and ended: other work on the machine moves the times. */
  loadAverage: { start: number[], end: number[] }
  figures: SyncFigure[]
}

const round1 = (n: number): number => Math.round(n * 10) / 10
const round2 = (n: number): number => Math.round(n * 100) / 100
const round4 = (n: number): number => Math.round(n * 10_000) / 10_000
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

// ---------------------------------------------------------------------------------------------
// Processes

interface Child { url: string, stop: () => Promise<void> }

/**
 * Process groups of the servers running now (each spawned detached, so its group is its pid): a
 * bench stopped by Ctrl-C or a timeout takes them with it instead of leaving them on their ports.
 */
const running = new Set<number>()

function killRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL')
    }
    catch {}
  }
}

function onSignal(): void {
  killRunning()
  process.exit(130)
}

async function ourServer(options: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  const server = await startServer(options)
  running.add(server.pid)
  return { ...server, stop: async () => {
    await server.stop()
    running.delete(server.pid)
  } }
}

/** Starts `tsx script` with `env` plus PORT, waits for it to print `listening`, and returns its URL. */
async function startChild(script: string, env: Record<string, string>): Promise<Child> {
  const port = await freePort()
  const child = spawn(TSX, [script], { cwd: REPO_ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: string): void => {
      output += chunk
      if (output.includes('listening'))
        resolve()
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.once('exit', code => reject(new Error(`${script} exited (${code}) before listening:\n${output}`)))
  })
  const timeout = sleep(60_000).then(() => {
    throw new Error(`${script} not listening after 60 s:\n${output}`)
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null)
      return
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    if (!await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])) {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      }
      catch {}
      await exited
    }
  }
  try {
    await Promise.race([ready, timeout])
  }
  catch (error) {
    await stop()
    throw error
  }
  running.add(child.pid!)
  return { url: `http://127.0.0.1:${port}`, stop: async () => {
    await stop()
    running.delete(child.pid!)
  } }
}

/** A fresh database on the PostgreSQL server at TEST_DATABASE_URL, and a function that drops it. */
async function createPgDatabase(): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(pgUrl!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      try {
        // The server's pool may still be closing: wait for it (55006: database in use).
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`)
            return
          }
          catch (error) {
            if ((error as { code?: string }).code !== '55006' || attempt >= 50)
              throw error
            await sleep(100)
          }
        }
      }
      finally {
        await client.end()
      }
    },
  }
}

interface Backend {
  name: 'SQLite' | 'PostgreSQL'
  server: RunningServer
  /** Creates `count` branches through the storage the server uses; their member invite codes. */
  branches: (count: number) => Promise<string[]>
  stop: () => Promise<void>
}

/** An empty directory with an index.html: the server serves it and needs no app build. */
async function placeholderStatic(root: string): Promise<string> {
  const dir = path.join(root, 'static-placeholder')
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>bench</title>')
  return dir
}

/** Our server as `npm start` runs it, on SQLite (its own DATA_DIR) or on a fresh PostgreSQL database. */
async function startBackend(name: Backend['name'], staticFrom: string): Promise<Backend> {
  const database = name === 'PostgreSQL' ? await createPgDatabase() : undefined
  // Limits far above the load: the bench measures the work, not the limiter's refusals.
  const env: Record<string, string> = { LOG_LEVEL: 'warn', RATE_LIMIT_SYNC: '9999999', RATE_LIMIT_JOIN: '9999999', ...(database ? { DATABASE_URL: database.url } : {}) }
  let server: RunningServer
  try {
    server = await ourServer({ staticFrom, env })
  }
  catch (error) {
    await database?.drop()
    throw error
  }
  return {
    name,
    server,
    branches: async (count) => {
      const storage = await openStorage(database ? { databaseUrl: database.url } : { dataDir: server.dataDir })
      try {
        const codes: string[] = []
        for (let i = 0; i < count; i++)
          codes.push((await storage.createBranch(`基准同步支部${i + 1}`)).memberInviteCode)
        return codes
      }
      finally {
        await storage.close()
      }
    },
    stop: async () => {
      await server.stop()
      await database?.drop()
    },
  }
}

async function postSync(baseUrl: string, token: string, body: object): Promise<SyncResponse> {
  const response = await fetch(`${baseUrl}/api/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` }, body: JSON.stringify(body) })
  const text = await response.text()
  if (!response.ok)
    throw new Error(`POST /sync → ${response.status}: ${text.slice(0, 500)}`)
  return JSON.parse(text) as SyncResponse
}

/** A member joined through the API, with the cursor of a full pull (up to date). */
interface Member { token: string, cursor: string | null }

async function joinMembers(baseUrl: string, codes: string[], perBranch: number): Promise<Member[]> {
  const members: Member[] = []
  for (const [b, code] of codes.entries()) {
    const joined = await Promise.all(Array.from({ length: perBranch }, (_, i) => joinByApi(baseUrl, code, `基准${b + 1}-${i + 1}`)))
    for (const j of joined as JoinResponse[]) {
      let cursor: string | null = null
      for (;;) {
        const pulled = await postSync(baseUrl, j.token, { clientId: `bench-${randomUUID()}`, cursor, changes: [] })
        cursor = pulled.cursor
        if (!pulled.hasMore)
          break
      }
      members.push({ token: j.token, cursor })
    }
  }
  return members
}

function checkinChange(i: number, date = todayIn('Asia/Shanghai')): { table: 'studyCheckins', id: string, updatedAt: number, data: object } {
  return { table: 'studyCheckins', id: randomUUID(), updatedAt: Date.now() + i, data: { date, form: 'self_study', topic: `基准学习记录 ${i + 1}`, minutes: 30 } }
}

// ---------------------------------------------------------------------------------------------
// (1) Browser push

const require = createRequire(import.meta.url)

/** The pouchdb-browser bundle and the app's own db/ code (sync-seed.ts), bundled for a page. */
async function pageBundles(): Promise<{ pouchdb: string, seed: string }> {
  const pouch = await build({
    stdin: { contents: 'import PouchDB from \'pouchdb-browser\'\nwindow.PouchDB = PouchDB', resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    define: { 'global': 'globalThis', 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  })
  const seed = await build({
    entryPoints: [path.join(REPO_ROOT, 'tests/bench/sync-seed.ts')],
    tsconfig: path.join(REPO_ROOT, 'tsconfig.json'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    define: { 'process.env.NODE_ENV': '"production"', '__VUE_OPTIONS_API__': 'false', '__VUE_PROD_DEVTOOLS__': 'false', '__VUE_PROD_HYDRATION_MISMATCH_DETAILS__': 'false' },
    logLevel: 'warning',
  })
  return { pouchdb: pouch.outputFiles[0]!.text, seed: seed.outputFiles[0]!.text }
}

interface BrowserPushTimes { untilSyncedMs: number, untilServerHeldAllMs: number }

/**
 * Slows the page's CPU by `rate`. With BENCH_PROFILE=<dir> it also records a CPU profile of the page
 * until released, written as `<dir>/<name>.cpuprofile` (open it in DevTools' Performance panel).
 */
async function throttle(page: Page, rate: number, profileName?: string): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate })
  const profileDir = profileName ? process.env.BENCH_PROFILE : undefined
  if (profileDir) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cdp.send('Profiler.start')
  }
  return async () => {
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop')
      await mkdir(profileDir, { recursive: true })
      await writeFile(path.join(profileDir, `${profileName}.cpuprofile`), JSON.stringify(profile))
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {})
    await cdp.detach().catch(() => {})
  }
}

/** Ours: the app queues QUEUED check-ins offline (its own saveStudyCheckin), then goes online. */
async function oursBrowserPush(browser: Browser, server: RunningServer, seedBundle: string, cpuThrottle: number): Promise<BrowserPushTimes> {
  const branch = await createBranch(server, `基准推送党支部${cpuThrottle}`)
  const context = await newPhoneContext(browser)
  try {
    const page = await context.newPage()
    const member = await joinInApp(page, server.baseUrl, branch.memberInviteCode, `基准推送${cpuThrottle}`)
    await waitForServiceWorkerControl(page)
    await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.includes('已同步'), undefined, { timeout: 60_000 })
    await context.setOffline(true)
    // Through evaluate, which the app's CSP (script-src 'self') does not govern, as a script tag would be.
    await page.evaluate(seedBundle)
    const queued = await page.evaluate(n => window.__benchQueueCheckins!(n), QUEUED)
    if (queued !== QUEUED)
      throw new Error(`the outbox holds ${queued} entries after queueing ${QUEUED}`)
    await page.reload()
    await page.waitForFunction(n => document.querySelector('[role="status"]')?.textContent?.includes(`待同步 ${n} 条`), QUEUED, { timeout: 120_000 })

    const secretary = await joinByApi(server.baseUrl, branch.secretaryInviteCode, `基准推送书记${cpuThrottle}`)
    const release = await throttle(page, cpuThrottle, `ours-push-${cpuThrottle}x`)
    try {
      let untilServerHeldAllMs = -1
      const watch = { running: true }
      const started = performance.now()
      // The secretary's completion count shows when the server holds every row, apart from when
      // the app has settled them all.
      const serverWatch = (async () => {
        while (watch.running) {
          const completion = await branchCompletion(server.baseUrl, secretary.token)
          if (completion.members.find(m => m.id === member.member.id)?.checkins === QUEUED) {
            untilServerHeldAllMs = performance.now() - started
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
      }, undefined, { timeout: 300_000, polling: 50 })
      const untilSyncedMs = performance.now() - started
      await Promise.race([serverWatch, sleep(30_000)])
      watch.running = false
      await serverWatch
      if (untilServerHeldAllMs < 0)
        throw new Error(`the app says 已同步 but the server does not hold ${QUEUED} check-ins (status: ${await syncStatus(page).textContent()})`)
      return { untilSyncedMs, untilServerHeldAllMs }
    }
    finally {
      await release()
    }
  }
  finally {
    await context.close()
  }
}

declare global {
  interface Window {
    PouchDB?: new (name: string) => {
      bulkDocs: (docs: object[]) => Promise<unknown[]>
      replicate: { to: (url: string, options: object) => Promise<{ ok: boolean, docs_written: number }> }
    }
  }
}

/** The peer: pouchdb-browser (IndexedDB) holds the same QUEUED docs and replicates them to express-pouchdb. */
async function pouchBrowserPush(browser: Browser, pouchUrl: string, memberId: string, cpuThrottle: number): Promise<BrowserPushTimes> {
  const dbName = `bench-${cpuThrottle}x-${Date.now()}`
  const created = await fetch(`${pouchUrl}/${dbName}`, { method: 'PUT' })
  if (created.status !== 201)
    throw new Error(`PUT /${dbName} on express-pouchdb → ${created.status}: ${await created.text()}`)
  const context = await newPhoneContext(browser)
  try {
    const page = await context.newPage()
    await page.goto(`${pouchUrl}/_bench/`)
    const date = todayIn('Asia/Shanghai')
    // The same rows our app pushes: the check-in's fields plus what the server adds.
    await page.evaluate(async ({ n, date, week, memberId, dbName }) => {
      const local = new window.PouchDB!(dbName)
      const now = Date.now()
      const docs = Array.from({ length: n }, (_, i) => ({ _id: crypto.randomUUID(), table: 'studyCheckins', date, week, form: 'self_study', topic: `离线学习记录 ${i + 1}`, minutes: 30, memberId, updatedAt: now + i, deleted: false }))
      await local.bulkDocs(docs)
    }, { n: QUEUED, date, week: weekKey(date), memberId, dbName })
    const release = await throttle(page, cpuThrottle, `pouchdb-push-${cpuThrottle}x`)
    try {
      const started = performance.now()
      const replicated = await page.evaluate(({ url, dbName, batch }) => new window.PouchDB!(dbName).replicate.to(url, { batch_size: batch }), { url: `${pouchUrl}/${dbName}`, dbName, batch: BATCH })
      const untilSyncedMs = performance.now() - started
      const info = await (await fetch(`${pouchUrl}/${dbName}`)).json() as { doc_count: number }
      if (!replicated.ok || info.doc_count !== QUEUED)
        throw new Error(`PouchDB replicated ${replicated.docs_written} docs, the server holds ${info.doc_count}, expected ${QUEUED}`)
      // replicate.to resolves after the server acknowledged the last batch: it holds them all then.
      return { untilSyncedMs, untilServerHeldAllMs: untilSyncedMs }
    }
    finally {
      await release()
    }
  }
  finally {
    await context.close()
  }
}

async function browserPush(root: string, builtApp: string | undefined, log: (line: string) => void): Promise<SyncFigure[]> {
  log(`(1) browser push: ${QUEUED.toLocaleString('en')} queued check-ins, ours vs pouchdb-browser → express-pouchdb (leveldb), batches of ${BATCH}`)
  const bundles = await pageBundles()
  const bundlePath = path.join(root, 'pouchdb.js')
  await writeFile(bundlePath, bundles.pouchdb)
  // BENCH_APP_BUILD: a `vite build` output to reuse while iterating (the build takes minutes here).
  let appBuild = builtApp ?? process.env.BENCH_APP_BUILD
  if (!appBuild || !existsSync(path.join(appBuild, 'index.html'))) {
    log('  building the app…')
    appBuild = path.join(root, 'app-build')
    await buildApp(appBuild, 'bench-sync')
  }
  const dbDir = path.join(root, 'pouchdb-data')
  await mkdir(dbDir, { recursive: true })
  const server = await ourServer({ staticFrom: appBuild, env: { LOG_LEVEL: 'warn' } })
  let pouch: Child | undefined
  let browser: Browser | undefined
  const figures: SyncFigure[] = []
  try {
    pouch = await startChild('tests/bench/pouchdb-server.ts', { DB_DIR: dbDir, BUNDLE: bundlePath })
    browser = await launchChromium()
    for (const cpuThrottle of [1, 4]) {
      const ours = await oursBrowserPush(browser, server, bundles.seed, cpuThrottle)
      const peer = await pouchBrowserPush(browser, pouch.url, randomUUID(), cpuThrottle)
      const oursMs = Math.max(ours.untilSyncedMs, ours.untilServerHeldAllMs)
      const peerMs = peer.untilSyncedMs
      const ratio = round2(peerMs / oursMs)
      log(`  CPU ${cpuThrottle}×: ours ${seconds(oursMs)} (已同步 at ${seconds(ours.untilSyncedMs)}, server held all at ${seconds(ours.untilServerHeldAllMs)}); PouchDB ${seconds(peerMs)}; PouchDB/ours ${ratio}×`)
      figures.push({
        entry: `browser push, ${QUEUED.toLocaleString('en')} queued check-ins, CPU ${cpuThrottle === 1 ? 'not throttled' : `${cpuThrottle}× slower`}: online → 已同步 and all on the server`,
        ours: `${seconds(oursMs)} (已同步 ${seconds(ours.untilSyncedMs)}, server ${seconds(ours.untilServerHeldAllMs)})`,
        peer: seconds(peerMs),
        peerName: `pouchdb-browser replicate.to express-pouchdb on leveldb, batch_size ${BATCH}`,
        ratio,
        ratioAs: 'times',
        ratioLabel: 'PouchDB time ÷ ours',
        target: '≥ 5×',
        pass: ratio >= 5,
      })
    }
  }
  finally {
    await browser?.close()
    await pouch?.stop()
    await server.stop()
  }
  return figures
}

// ---------------------------------------------------------------------------------------------
// (2) Node push

/** Our server: one member pushes QUEUED changes in requests of BATCH, each with the cursor it has. */
async function oursNodePush(backend: Backend): Promise<number> {
  const [code] = await backend.branches(1)
  const [member] = await joinMembers(backend.server.baseUrl, [code!], 1)
  const changes = Array.from({ length: QUEUED }, (_, i) => checkinChange(i))
  const clientId = `bench-node-${randomUUID()}`
  let cursor = member!.cursor
  const started = performance.now()
  for (let i = 0; i < QUEUED; i += BATCH) {
    // omitApplied as the app sends it (api.md: the applied rows are not echoed back); a server
    // before it ignores the field.
    const response = await postSync(backend.server.baseUrl, member!.token, { clientId, cursor, omitApplied: true, changes: changes.slice(i, i + BATCH) })
    const applied = response.results.filter(r => r.status === 'applied').length
    if (applied !== Math.min(BATCH, QUEUED - i))
      throw new Error(`push ${i / BATCH + 1} applied ${applied} of ${BATCH}: ${JSON.stringify(response.results.find(r => r.status !== 'applied'))}`)
    cursor = response.cursor
  }
  return performance.now() - started
}

interface PeerRow { id: string, member_id: string, branch_id: string, date: string, week: string, form: string, topic: string, minutes: number, updated_at: number, rev: number }

function peerRows(): PeerRow[] {
  const date = todayIn('Asia/Shanghai')
  const memberId = randomUUID()
  const branchId = randomUUID()
  return Array.from({ length: QUEUED }, (_, i) => ({ id: randomUUID(), member_id: memberId, branch_id: branchId, date, week: weekKey(date), form: 'self_study', topic: `基准学习记录 ${i + 1}`, minutes: 30, updated_at: Date.now() + i, rev: i + 1 }))
}

const PEER_TABLE = `CREATE TABLE checkins (id TEXT PRIMARY KEY, member_id TEXT NOT NULL, branch_id TEXT NOT NULL, date TEXT NOT NULL, week TEXT NOT NULL, form TEXT NOT NULL, topic TEXT NOT NULL, minutes INTEGER NOT NULL, note TEXT, updated_at BIGINT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, rev BIGINT NOT NULL)`
const PEER_UPSERT_SET = 'member_id = excluded.member_id, branch_id = excluded.branch_id, date = excluded.date, week = excluded.week, form = excluded.form, topic = excluded.topic, minutes = excluded.minutes, updated_at = excluded.updated_at, rev = excluded.rev'
const COLUMNS = ['id', 'member_id', 'branch_id', 'date', 'week', 'form', 'topic', 'minutes', 'updated_at', 'rev'] as const

/** The SQLite peer: better-sqlite3 alone, the same upserts in QUEUED/BATCH transactions, WAL, synchronous=FULL. */
function sqlitePeerPush(root: string): number {
  const file = path.join(root, `peer-${randomUUID()}.sqlite`)
  const database = new BetterSqlite3(file)
  try {
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = FULL')
    database.exec(PEER_TABLE)
    const upsert = database.prepare(`INSERT INTO checkins (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(c => `@${c}`).join(', ')}) ON CONFLICT (id) DO UPDATE SET ${PEER_UPSERT_SET}`)
    const batch = database.transaction((rows: PeerRow[]) => {
      for (const row of rows)
        upsert.run(row)
    })
    const rows = peerRows()
    const started = performance.now()
    for (let i = 0; i < QUEUED; i += BATCH)
      batch(rows.slice(i, i + BATCH))
    const ms = performance.now() - started
    const count = (database.prepare('SELECT count(*) AS n FROM checkins').get() as { n: number }).n
    if (count !== QUEUED)
      throw new Error(`the SQLite peer holds ${count} rows`)
    return ms
  }
  finally {
    database.close()
  }
}

/**
 * For reference, not a target: better-sqlite3 alone writing the same rows into the server's own
 * study_checkins (migrated: its four indexes for the secretary's views and its foreign keys on),
 * 500-row upserts in the same 10 transactions. What the schema costs, apart from the server.
 */
async function sqliteOwnSchemaPush(root: string): Promise<number> {
  const dataDir = path.join(root, `own-schema-${randomUUID()}`)
  const storage = await openStorage({ dataDir })
  const branch = await storage.createBranch('基准参照支部')
  await storage.close()
  const database = new BetterSqlite3(path.join(dataDir, 'study-log.sqlite'))
  try {
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = FULL')
    database.pragma('foreign_keys = ON')
    const { id: branchId } = database.prepare('SELECT id FROM branches').get() as { id: string }
    const memberId = randomUUID()
    database.prepare('INSERT INTO members (id, branch_id, name, role, created_at) VALUES (?, ?, ?, \'member\', ?)').run(memberId, branchId, branch.name, Date.now())
    const columns = ['id', 'member_id', 'branch_id', 'updated_at', 'client_id', 'deleted', 'rev', 'date', 'week', 'form', 'topic', 'minutes']
    const set = columns.slice(2).map(c => `${c} = excluded.${c}`).join(', ')
    const upsert = database.prepare(`INSERT INTO study_checkins (${columns.join(', ')}) VALUES ${Array.from({ length: BATCH }, () => `(${columns.map(() => '?').join(', ')})`).join(', ')} ON CONFLICT (id) DO UPDATE SET ${set}`)
    const rows = peerRows().map(r => [r.id, memberId, branchId, r.updated_at, 'bench', 0, r.rev, r.date, r.week, r.form, r.topic, r.minutes])
    const batch = database.transaction((slice: unknown[][]) => upsert.run(slice.flat()))
    const started = performance.now()
    for (let i = 0; i < QUEUED; i += BATCH)
      batch(rows.slice(i, i + BATCH))
    return performance.now() - started
  }
  finally {
    database.close()
  }
}

/** The PostgreSQL peer: pg alone, one multi-row upsert per transaction of BATCH rows. */
async function pgPeerPush(): Promise<number> {
  const database = await createPgDatabase()
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    await client.query(PEER_TABLE)
    const rows = peerRows()
    const started = performance.now()
    for (let i = 0; i < QUEUED; i += BATCH) {
      const slice = rows.slice(i, i + BATCH)
      const values = slice.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(', ')
      await client.query('BEGIN')
      await client.query(`INSERT INTO checkins (${COLUMNS.join(', ')}) VALUES ${values} ON CONFLICT (id) DO UPDATE SET ${PEER_UPSERT_SET}`, slice.flatMap(row => COLUMNS.map(c => row[c])))
      await client.query('COMMIT')
    }
    const ms = performance.now() - started
    const count = Number((await client.query('SELECT count(*) AS n FROM checkins')).rows[0].n)
    if (count !== QUEUED)
      throw new Error(`the PostgreSQL peer holds ${count} rows`)
    return ms
  }
  finally {
    await client.end()
    await database.drop()
  }
}

function nodePushFigure(backend: Backend['name'], oursMs: number, peerMs: number, peerName: string): SyncFigure {
  const ratio = round2(oursMs / peerMs)
  return {
    entry: `Node push, ${QUEUED.toLocaleString('en')} changes in ${QUEUED / BATCH} requests of ${BATCH}, ${backend}`,
    ours: `${Math.round(oursMs)} ms`,
    peer: `${round1(peerMs)} ms`,
    peerName,
    ratio,
    ratioAs: 'times',
    ratioLabel: 'ours ÷ peer time',
    target: '≤ 4×',
    pass: ratio <= 4,
  }
}

async function nodePush(root: string, log: (line: string) => void): Promise<SyncFigure[]> {
  log(`(2) Node push: ${QUEUED.toLocaleString('en')} changes in ${QUEUED / BATCH} requests of ${BATCH}, ours vs the database alone`)
  const staticDir = await placeholderStatic(root)
  const figures: SyncFigure[] = []
  const sqlite = await startBackend('SQLite', staticDir)
  try {
    const oursMs = await oursNodePush(sqlite)
    const peerMs = sqlitePeerPush(root)
    figures.push(nodePushFigure('SQLite', oursMs, peerMs, `better-sqlite3 alone, ${QUEUED / BATCH} transactions of ${BATCH} upserts, WAL, synchronous=FULL`))
    const ownSchemaMs = await sqliteOwnSchemaPush(root)
    log(`  SQLite: ours ${Math.round(oursMs)} ms, better-sqlite3 ${round1(peerMs)} ms → ${figures.at(-1)!.ratio}×; for reference, better-sqlite3 alone on the server's own schema (indexes, foreign keys): ${round1(ownSchemaMs)} ms, ${round2(ownSchemaMs / peerMs)}× the peer`)
  }
  finally {
    await sqlite.stop()
  }
  if (!pgUrl) {
    log('  PostgreSQL: skipped (no TEST_DATABASE_URL)')
    return figures
  }
  const postgres = await startBackend('PostgreSQL', staticDir)
  try {
    const oursMs = await oursNodePush(postgres)
    const peerMs = await pgPeerPush()
    figures.push(nodePushFigure('PostgreSQL', oursMs, peerMs, `pg alone, ${QUEUED / BATCH} transactions of one ${BATCH}-row INSERT … ON CONFLICT`))
    log(`  PostgreSQL: ours ${Math.round(oursMs)} ms, pg ${round1(peerMs)} ms → ${figures.at(-1)!.ratio}×`)
  }
  finally {
    await postgres.stop()
  }
  return figures
}

// ---------------------------------------------------------------------------------------------
// (3) Throughput

interface CannonRequest {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
  setupRequest?: (request: CannonRequest, context: Record<string, unknown>) => CannonRequest
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
}
interface CannonOptions { url: string, connections: number, duration: number, requests?: CannonRequest[], method?: string, headers?: Record<string, string>, body?: string }
interface CannonResult {
  requests: { average: number, total: number }
  latency: { p50: number, p99: number, average: number }
  errors: number
  timeouts: number
  non2xx: number
}
// autocannon ships no types; this is the part of its API the bench calls.
const autocannon = require('autocannon') as (options: CannonOptions) => Promise<CannonResult>

interface Throughput {
  rps: number
  p99Ms: number
  requests: number
  /** Non-2xx answers, connection errors, timeouts and pushed changes not applied: a figure with any is not met. */
  failed: number
}

function describe(t: Throughput): string {
  return `${Math.round(t.rps)} req/s, p99 ${t.p99Ms} ms${t.failed ? `, ${t.failed} failed` : ''}`
}

async function cannon(options: CannonOptions, label: string, log: (line: string) => void): Promise<Throughput> {
  const result = await autocannon({ ...options, duration: LOAD_SECONDS })
  const bad = result.non2xx + result.errors + result.timeouts
  log(`  ${label}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (${result.requests.total} requests${bad ? `, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts` : ''})`)
  return { rps: result.requests.average, p99Ms: result.latency.p99, requests: result.requests.total, failed: bad }
}

/**
 * Rotates requests over `members`; each push carries the member's latest cursor, as a client would.
 * `notApplied` counts pushed changes the server answered other than `applied` (a 200 can still
 * reject every change, and a figure of refusals would be no figure).
 */
function syncRequests(members: Member[], changes: number): { requests: CannonRequest[], notApplied: () => number } {
  let next = 0
  let notApplied = 0
  const clientIds = members.map(() => `bench-load-${randomUUID()}`)
  const requests: CannonRequest[] = [{
    method: 'POST',
    path: '/api/v1/sync',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request, context) => {
      const i = next++ % members.length
      context.member = i
      const member = members[i]!
      return {
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${member.token}` },
        body: JSON.stringify({ clientId: clientIds[i], cursor: member.cursor, ...(changes ? { omitApplied: true } : {}), changes: Array.from({ length: changes }, (_, c) => checkinChange(c)) }),
      }
    },
    onResponse: changes === 0
      ? undefined
      : (status, body, context) => {
          if (status !== 200)
            return
          const response = JSON.parse(body) as SyncResponse
          members[context.member as number]!.cursor = response.cursor
          notApplied += response.results.filter(r => r.status !== 'applied').length
        },
  }]
  return { requests, notApplied: () => notApplied }
}

/** A push load run: autocannon, then a refusal if the server did not apply what it was sent. */
async function pushLoad(url: string, members: Member[], connections: number, label: string, log: (line: string) => void): Promise<Throughput> {
  const load = syncRequests(members, PUSH_CHANGES)
  const result = await cannon({ url, connections, duration: LOAD_SECONDS, requests: load.requests }, label, log)
  if (load.notApplied() > 0)
    log(`    ${load.notApplied()} pushed changes were not applied`)
  return { ...result, failed: result.failed + load.notApplied() }
}

const echoBody = JSON.stringify({ clientId: `bench-echo-${randomUUID()}`, cursor: '1', omitApplied: true, changes: Array.from({ length: PUSH_CHANGES }, (_, c) => checkinChange(c)) })

async function throughput(root: string, log: (line: string) => void): Promise<SyncFigure[]> {
  log(`(3) throughput with autocannon, ${LOAD_SECONDS} s a run`)
  const staticDir = await placeholderStatic(root)
  const figures: SyncFigure[] = []
  const peer = await startChild('tests/bench/fastify-peer.ts', {})
  let hello: Throughput
  let echo: Throughput
  try {
    hello = await cannon({ url: `${peer.url}/`, connections: 100, duration: LOAD_SECONDS }, 'bare Fastify GET hello world, 100 connections', log)
    echo = await cannon({ url: `${peer.url}/echo`, connections: 50, duration: LOAD_SECONDS, method: 'POST', headers: { 'content-type': 'application/json' }, body: echoBody }, `bare Fastify POST echo of a ${PUSH_CHANGES}-change body, 50 connections`, log)
  }
  finally {
    await peer.stop()
  }

  const pushFigure = (backend: Backend['name'], ours: Throughput): SyncFigure => {
    const ratio = round4(ours.rps / echo.rps)
    return {
      entry: `push ${PUSH_CHANGES} new check-ins, ${PUSH_MEMBERS} members, 50 connections, ${backend}`,
      ours: describe(ours),
      peer: `${Math.round(echo.rps)} req/s`,
      peerName: 'bare Fastify POST echo, same body',
      ratio,
      ratioAs: 'percent',
      ratioLabel: 'ours ÷ echo req/s',
      target: '≥ 10%, p99 < 250 ms',
      pass: ratio >= 0.1 && ours.p99Ms < 250 && !ours.failed,
    }
  }

  const sqlite = await startBackend('SQLite', staticDir)
  try {
    const codes = await sqlite.branches(1)
    const members = await joinMembers(sqlite.server.baseUrl, codes, PUSH_MEMBERS)
    const pulls = await cannon({ url: sqlite.server.baseUrl, connections: 100, duration: LOAD_SECONDS, requests: syncRequests(members, 0).requests }, `ours: pull with an up-to-date cursor, ${PUSH_MEMBERS} members, 100 connections, SQLite`, log)
    const ratio = round4(pulls.rps / hello.rps)
    figures.push({
      entry: `pull with an up-to-date cursor, ${PUSH_MEMBERS} members, 100 connections, SQLite`,
      ours: describe(pulls),
      peer: `${Math.round(hello.rps)} req/s`,
      peerName: 'bare Fastify GET hello world',
      ratio,
      ratioAs: 'percent',
      ratioLabel: 'ours ÷ hello world req/s',
      target: '≥ 25%',
      pass: ratio >= 0.25 && !pulls.failed,
    })
    const pushes = await pushLoad(sqlite.server.baseUrl, members, 50, `ours: push ${PUSH_CHANGES} new check-ins, ${PUSH_MEMBERS} members, 50 connections, SQLite`, log)
    figures.push(pushFigure('SQLite', pushes))
  }
  finally {
    await sqlite.stop()
  }

  if (!pgUrl) {
    log('  PostgreSQL: skipped (no TEST_DATABASE_URL)')
    return figures
  }
  const postgres = await startBackend('PostgreSQL', staticDir)
  try {
    const [code] = await postgres.branches(1)
    const members = await joinMembers(postgres.server.baseUrl, [code!], PUSH_MEMBERS)
    const pushes = await pushLoad(postgres.server.baseUrl, members, 50, `ours: push ${PUSH_CHANGES} new check-ins, ${PUSH_MEMBERS} members, 50 connections, PostgreSQL`, log)
    figures.push(pushFigure('PostgreSQL', pushes))

    const writers = await joinMembers(postgres.server.baseUrl, await postgres.branches(BRANCH_WRITERS), 1)
    const many = await pushLoad(postgres.server.baseUrl, writers, BRANCH_WRITERS, `ours: ${BRANCH_WRITERS} writers in ${BRANCH_WRITERS} branches, ${PUSH_CHANGES} check-ins a push, PostgreSQL`, log)
    const one = await pushLoad(postgres.server.baseUrl, writers.slice(0, 1), 1, `ours: 1 writer, ${PUSH_CHANGES} check-ins a push, PostgreSQL`, log)
    const ratio = round2(many.rps / one.rps)
    figures.push({
      entry: `${BRANCH_WRITERS} writers in ${BRANCH_WRITERS} branches, ${PUSH_CHANGES} check-ins a push, PostgreSQL`,
      ours: describe(many),
      peer: describe(one),
      peerName: 'ours, 1 writer',
      ratio,
      ratioAs: 'times',
      ratioLabel: `${BRANCH_WRITERS} writers ÷ 1 writer req/s`,
      target: '≥ 4×',
      pass: ratio >= 4 && !many.failed && !one.failed,
    })
  }
  finally {
    await postgres.stop()
  }
  return figures
}

// ---------------------------------------------------------------------------------------------

export type SyncPart = 'browser' | 'node' | 'load'
export const SYNC_PARTS: SyncPart[] = ['browser', 'node', 'load']

export interface SyncBenchOptions {
  /** A built app (`vite build` output) to serve in the browser part; built afresh without it. */
  appBuild?: string
  log?: (line: string) => void
}

/** Runs the chosen parts, prints as it goes, and writes tests/bench/out/sync.json. */
export async function syncBench(parts: SyncPart[] = SYNC_PARTS, options: SyncBenchOptions = {}): Promise<SyncBenchResult> {
  const log = options.log ?? console.log
  const start = loadavg().map(round2)
  log(`load average at start: ${start.join(', ')} (${cpus().length} cores, shared)`)
  const root = await mkdtemp(path.join(tmpdir(), 'study-log-sync-bench-'))
  const figures: SyncFigure[] = []
  process.once('exit', killRunning)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    if (parts.includes('browser'))
      figures.push(...await browserPush(root, options.appBuild, log))
    if (parts.includes('node'))
      figures.push(...await nodePush(root, log))
    if (parts.includes('load'))
      figures.push(...await throughput(root, log))
  }
  finally {
    killRunning()
    process.off('exit', killRunning)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await rm(root, { recursive: true, force: true })
  }
  const cpu = cpus()
  const result: SyncBenchResult = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`,
    loadAverage: { start, end: loadavg().map(round2) },
    figures,
  }
  const outDir = path.join(REPO_ROOT, 'tests/bench/out')
  await mkdir(outDir, { recursive: true })
  await writeFile(path.join(outDir, 'sync.json'), `${JSON.stringify(result, null, 2)}\n`)
  return result
}

/** The table rows (figure, peer, ratio, target), for the console and the README's bench block. */
export function syncRows(result: SyncBenchResult): string[] {
  return result.figures.map(f => `| ${f.entry} | ${f.ours} | ${f.peerName}: ${f.peer} | ${f.ratioAs === 'percent' ? `${round1(f.ratio * 100)}%` : `${f.ratio}×`} (${f.ratioLabel}) | ${f.target}: ${f.pass ? 'met' : '**not met**'} |`)
}

export function syncTable(result: SyncBenchResult): string {
  return [
    `Measured ${result.date} on ${result.machine}; load average ${result.loadAverage.start.join(', ')} at the start, ${result.loadAverage.end.join(', ')} at the end.`,
    '',
    '| figure | ours | peer (same run) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...syncRows(result),
  ].join('\n')
}

/** `npm run bench -- sync [browser|node|load …]`: the parts named after `sync`, or all of them. */
export function syncPartsFromArgv(argv: string[]): SyncPart[] | undefined {
  const at = argv.findIndex(a => a === 'sync' || a === '--sync')
  if (at < 0)
    return undefined
  const named = argv.slice(at + 1).filter((a): a is SyncPart => (SYNC_PARTS as string[]).includes(a))
  return named.length ? named : SYNC_PARTS
}
