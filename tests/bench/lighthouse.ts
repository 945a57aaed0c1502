/**
 * `npm run bench -- --lighthouse`: Lighthouse's mobile performance score (simulated slow 4G and a
 * 4× slower CPU, its defaults) for the first visit to /join and for 学习 reopened with a session,
 * against the real server with a fresh build, in Debian's Chromium; target 0.95. Offline: nothing
 * leaves this machine (the server is on 127.0.0.1).
 */
import type { Flags, RunnerResult } from 'lighthouse'
import type { RunningServer } from '../browser/support/server'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { CHROMIUM_PATH } from '../browser/support/browser'

export const LIGHTHOUSE_TARGET = 0.95

export interface LighthouseResult {
  page: string
  score: number
  target: number
  pass: boolean
  /** The metrics behind the score, in ms (CLS unitless). */
  metrics: Record<string, number>
}

const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'] as const

async function audit(port: number, url: string, page: string, keepStorage: boolean): Promise<LighthouseResult> {
  // Mobile, simulated throttling (Lighthouse's defaults); a reopen keeps the session it joined with.
  const flags: Flags = { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'], formFactor: 'mobile', disableStorageReset: keepStorage }
  const result = await lighthouse(url, flags) as RunnerResult | undefined
  if (!result)
    throw new Error(`lighthouse gave no result for ${url}`)
  const score = result.lhr.categories.performance?.score ?? 0
  const metrics = Object.fromEntries(METRICS.map(id => [id, Math.round((result.lhr.audits[id]?.numericValue ?? -1) * 1000) / 1000]))
  return { page, score, target: LIGHTHOUSE_TARGET, pass: score >= LIGHTHOUSE_TARGET, metrics }
}

/**
 * Runs Lighthouse on /join (a first visit: a new profile) and on /study after joining in the same
 * profile, so the second run is a member reopening the app with a session and a service worker.
 */
export async function lighthouseBench(server: RunningServer, join: (port: number) => Promise<void>): Promise<LighthouseResult[]> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  try {
    const results = [await audit(chrome.port, `${server.baseUrl}/join`, 'first visit, /join', false)]
    await join(chrome.port)
    results.push(await audit(chrome.port, `${server.baseUrl}/study`, 'reopened with a session, 学习', true))
    return results
  }
  finally {
    chrome.kill()
  }
}

export function lighthouseRows(results: readonly LighthouseResult[]): string[] {
  return results.map(r => `| Lighthouse mobile performance: ${r.page} | ${r.score.toFixed(2)}, target ${r.target}: ${r.pass ? 'pass' : '**under target**'} (FCP ${Math.round(r.metrics['first-contentful-paint']!)} ms, LCP ${Math.round(r.metrics['largest-contentful-paint']!)} ms, TBT ${Math.round(r.metrics['total-blocking-time']!)} ms) |`)
}
