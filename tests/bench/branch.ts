import type { FastifyInstance } from 'fastify'
import type { BranchShape } from '../../src/server/demo'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { monthOf, shiftMonth } from '../../src/domain/summary'
import { currentWeek, shiftWeek, todayIn } from '../../src/domain/week'
import { buildApp } from '../../src/server/app'
import { fillBranch } from '../../src/server/demo'
import { openStorage } from '../../src/server/storage'

/**
 * The secretary's views on a big branch (issue #5): 500 members with a year of records (about
 * 26,000 check-ins and 10,000 service logs) in SQLite; the completion grid and the monthly summary
 * answered by the server (inject: routing, auth, SQL, JSON), target under 100 ms each.
 * `npm run bench -- --branch` runs only this part.
 */

export const BRANCH_TARGET_MS = 100
const SAMPLES = 30

// About 26,000 check-ins: 425 members in work (branch study 70%, other activities 15%,
// self-study 0.05 a week) and 75 retired at home 1.5 times a week; service 1.65 a member a month.
const BENCH_SHAPE: BranchShape = {
  branchName: '基准大支部',
  members: 500,
  retiredShare: 0.15,
  weeks: 52,
  attendance: 0.7,
  activityAttendance: 0.15,
  selfStudyPerWeek: 0.05,
  servicePerMonth: 1.65,
  notesPerMonth: 0.3,
  problemsPerWeek: 5,
  materials: 5,
  seed: 500,
}

export interface BranchTiming {
  request: string
  firstMs: number
  medianMs: number
  p95Ms: number
  pass: boolean
}

export interface BranchBenchResult {
  members: number
  studyCheckins: number
  serviceLogs: number
  readingNotes: number
  problems: number
  fillSeconds: number
  timings: BranchTiming[]
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10

async function time(app: FastifyInstance, token: string, url: string): Promise<BranchTiming> {
  const once = async (): Promise<number> => {
    const start = performance.now()
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    const ms = performance.now() - start
    if (res.statusCode !== 200)
      throw new Error(`${url} answered ${res.statusCode}: ${res.body}`)
    return ms
  }
  const firstMs = await once()
  const samples: number[] = []
  for (let i = 0; i < SAMPLES; i++)
    samples.push(await once())
  samples.sort((a, b) => a - b)
  const medianMs = round1(samples[Math.floor(samples.length / 2)]!)
  const p95Ms = round1(samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]!)
  return { request: url.replace('/api/v1', ''), firstMs: round1(firstMs), medianMs, p95Ms, pass: p95Ms < BRANCH_TARGET_MS }
}

/** Fills a fresh SQLite database with the big branch and times the secretary's requests. */
export async function branchBench(log: (line: string) => void = console.log): Promise<BranchBenchResult> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'study-log-branch-bench-'))
  const storage = await openStorage({ dataDir })
  try {
    log(`(f) secretary's views: filling ${BENCH_SHAPE.members} members × ${BENCH_SHAPE.weeks} weeks into SQLite…`)
    const started = performance.now()
    const filled = await fillBranch(storage, BENCH_SHAPE)
    const fillSeconds = Math.round((performance.now() - started) / 100) / 10
    log(`  ${filled.counts.studyCheckins.toLocaleString('en')} check-ins, ${filled.counts.serviceLogs.toLocaleString('en')} service logs, ${filled.counts.readingNotes.toLocaleString('en')} notes, ${filled.counts.problems} problems in ${fillSeconds} s`)
    const token = await storage.memberTokens.issue(filled.secretaryId)
    const app = await buildApp({ storage, rateLimits: { join: 10_000, sync: 100_000 } })
    await app.ready()
    try {
      const lastMonth = shiftMonth(monthOf(todayIn()), -1)
      const timings: BranchTiming[] = []
      for (const url of [
        '/api/v1/branch/grid',
        '/api/v1/branch/grid?group=retired',
        `/api/v1/branch/grid?from=${shiftWeek(currentWeek(), -51)}`,
        `/api/v1/branch/summary?month=${lastMonth}`,
        '/api/v1/branch/service-months',
        '/api/v1/branch/members',
      ]) {
        const t = await time(app, token, url)
        timings.push(t)
        log(`  GET ${t.request}: first ${t.firstMs} ms, median ${t.medianMs} ms, p95 ${t.p95Ms} ms → ${t.pass ? 'PASS' : 'FAIL'} (target ${BRANCH_TARGET_MS} ms)`)
      }
      return { members: filled.counts.members, studyCheckins: filled.counts.studyCheckins, serviceLogs: filled.counts.serviceLogs, readingNotes: filled.counts.readingNotes, problems: filled.counts.problems, fillSeconds, timings }
    }
    finally {
      await app.close()
    }
  }
  finally {
    await storage.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** The README bench block's rows for this part. */
export function branchRows(result: BranchBenchResult): string[] {
  const data = `${result.members} members, ${result.studyCheckins.toLocaleString('en')} check-ins, ${result.serviceLogs.toLocaleString('en')} service logs (SQLite, a year)`
  return result.timings.map(t => `| secretary: GET ${t.request}, ${data} | median ${t.medianMs} ms, p95 ${t.p95Ms} ms (first ${t.firstMs} ms), target ${BRANCH_TARGET_MS} ms: ${t.pass ? 'pass' : '**over target**'} |`)
}
