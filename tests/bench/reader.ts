/**
 * Bench part (e) for issue #4: a 20,000-character material kept on the phone (downloaded into
 * IndexedDB by the app itself), the network off, the CPU throttled 4×: how long from a tap on the
 * material in 资料, and from a (re)load of the reader's address, until its first screen is painted.
 * Target: under 100 ms. "Painted" is the first frame after the material's first paragraph entered
 * the DOM (a requestAnimationFrame callback, then a task: the frame has been handed to the compositor).
 */
import type { Browser, Page } from 'playwright-core'
import type { RunningServer } from '../browser/support/server'
import { joinByApi } from '../browser/support/api'
import { joinInApp, syncStatus, waitForServiceWorkerControl } from '../browser/support/app'
import { newPhoneContext } from '../browser/support/browser'
import { materialEntry, openMaterialsTab, seedMaterial } from '../browser/support/materials'
import { createBranch } from '../browser/support/server'

export const READER_CHARS = 20_000
const OPENS = 10
const TARGET_MS = 100
const TITLE = '基准阅读：两万字学习资料'
/** The first paragraph starts with this; its appearance is the first screen. */
const MARKER = '基准首段'

export interface ReaderOpenSamples {
  how: string
  samplesMs: number[]
  medianMs: number
  p95Ms: number
  /** Median time until the first paragraph was in the DOM (the rest is style, layout and paint). */
  insertedMedianMs: number
  /** Whether the issue's 100 ms target is about this way of opening (a reload also starts the whole app). */
  targeted: boolean
}

export interface ReaderResult {
  chars: number
  cpuThrottle: number
  targetMs: number
  opens: ReaderOpenSamples[]
}

/** A body of exactly `chars` characters: `#` title, `##` sections, paragraphs of ~120 characters. */
export function benchMaterialBody(chars: number): string {
  const sentence = '坚持以人民为中心的发展思想，把为群众办实事作为检验学习成效的标尺，推动理论学习走深走实。'
  const lines = ['# 学习资料（基准）', `${MARKER}：${sentence.repeat(2)}`]
  for (let i = 1; lines.join('\n').length < chars; i++) {
    if (i % 12 === 0)
      lines.push(`## 第${i / 12}部分`)
    lines.push(`第${i}段：${sentence.repeat(3)}`)
  }
  return lines.join('\n').slice(0, chars)
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return round(sorted[Math.max(1, Math.ceil(p / 100 * sorted.length)) - 1]!)
}

function summarise(how: string, samplesMs: number[], insertedMs: number[], targeted: boolean): ReaderOpenSamples {
  return { how, samplesMs, medianMs: percentile(samplesMs, 50), p95Ms: percentile(samplesMs, 95), insertedMedianMs: percentile(insertedMs, 50), targeted }
}

declare global {
  interface Window {
    __benchPainted?: (since: number) => Promise<number>
    /** When the last watched paragraph entered the DOM (ms after its start): the part before layout and paint. */
    __benchInserted?: number
    __benchNavPainted?: Promise<number>
    __benchTapPainted?: Promise<number>
  }
}

/**
 * Page-side: resolves with the time (ms after `since`) of the first frame painted after an element
 * holding the marker was added. Only added subtrees are searched, so watching costs the page little.
 */
function installPaintWatch(marker: string): void {
  window.__benchPainted = since => new Promise<number>((resolve) => {
    const holds = (node: Node): boolean => (node.textContent ?? '').includes(marker)
    const painted = (): void => {
      window.__benchInserted = performance.now() - since
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - since), 0))
    }
    if (document.querySelector('main')?.textContent?.includes(marker))
      return painted()
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (holds(node)) {
            observer.disconnect()
            return painted()
          }
        }
        if (record.type === 'characterData' && holds(record.target)) {
          observer.disconnect()
          return painted()
        }
      }
    })
    observer.observe(document, { childList: true, subtree: true, characterData: true })
  })
  // A document loaded at the reader's address measures from the navigation's start (time origin).
  if (/^\/materials\/[0-9a-f-]{36}/.test(location.pathname))
    window.__benchNavPainted = window.__benchPainted(0)
}

async function throttle(page: Page, rate: number): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate })
  return async () => {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {})
    await cdp.detach().catch(() => {})
  }
}

/** Runs part (e): seeds the material as the branch's secretary, has a member's phone download it, then times the opens offline. */
export async function readerFirstScreen(browser: Browser, server: RunningServer, cpuThrottle = 4): Promise<ReaderResult> {
  const branch = await createBranch(server, '基准阅读党支部')
  const secretary = await joinByApi(server.baseUrl, branch.secretaryInviteCode, '基准书记')
  const body = benchMaterialBody(READER_CHARS)
  if (body.length !== READER_CHARS)
    throw new Error(`bench material has ${body.length} characters, expected ${READER_CHARS}`)
  await seedMaterial(server.baseUrl, secretary.token, { title: TITLE, category: 'guidance', body })

  const context = await newPhoneContext(browser)
  await context.addInitScript('globalThis.__name ??= fn => fn')
  await context.addInitScript(installPaintWatch, MARKER)
  const page = await context.newPage()
  try {
    await joinInApp(page, server.baseUrl, branch.memberInviteCode, '基准读者')
    await waitForServiceWorkerControl(page)
    await openMaterialsTab(page, TITLE)
    // Open it once online, so every lazy chunk of the reader is in the worker's cache like on a used phone.
    await materialEntry(page, TITLE).getByText(TITLE, { exact: true }).first().click()
    await page.waitForURL(/\/materials\/[0-9a-f-]{36}/)
    await page.getByText(MARKER, { exact: false }).first().waitFor()
    const readerUrl = page.url()
    await page.goBack()
    await page.getByRole('heading', { name: '学习资料', exact: true }).waitFor()
    await context.setOffline(true)
    await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.includes('离线'), undefined, { timeout: 30_000 })
      .catch(async () => {
        throw new Error(`the app never showed 离线 (status: ${await syncStatus(page).textContent()})`)
      })

    const tapSamples: number[] = []
    const loadSamples: number[] = []
    const tapInserted: number[] = []
    const loadInserted: number[] = []
    const restore = await throttle(page, cpuThrottle)
    try {
      for (let i = 0; i < OPENS; i++) {
        await page.getByRole('heading', { name: '学习资料', exact: true }).waitFor()
        const title = materialEntry(page, TITLE).getByText(TITLE, { exact: true }).first()
        await title.waitFor()
        // The clock starts in the page, at the tap's dispatch, so Playwright's own round trips stay out.
        await page.evaluate(() => {
          window.__benchTapPainted = new Promise<number>((resolve) => {
            window.addEventListener('click', () => {
              void window.__benchPainted!(performance.now()).then(resolve)
            }, { capture: true, once: true })
          })
        })
        await title.click()
        tapSamples.push(round(await page.evaluate(() => window.__benchTapPainted!)))
        tapInserted.push(round(await page.evaluate(() => window.__benchInserted!)))
        await page.goBack()
      }
      for (let i = 0; i < OPENS; i++) {
        // A fresh document at the reader's address each time (the worker serves it offline).
        await page.goto(readerUrl)
        loadSamples.push(round(await page.evaluate(() => window.__benchNavPainted!)))
        loadInserted.push(round(await page.evaluate(() => window.__benchInserted!)))
      }
    }
    finally {
      await restore()
    }
    return {
      chars: READER_CHARS,
      cpuThrottle,
      targetMs: TARGET_MS,
      opens: [
        summarise('tap in 资料 → first screen painted', tapSamples, tapInserted, true),
        summarise('reload at the reader\'s address (the app\'s own start included) → first screen painted', loadSamples, loadInserted, false),
      ],
    }
  }
  finally {
    await context.close()
  }
}

/** The README rows of part (e). */
export function readerRows(result: ReaderResult): string[] {
  return result.opens.map(o => `| reader, ${result.chars.toLocaleString('en')}-character material from IndexedDB, offline, CPU ${result.cpuThrottle}× slower: ${o.how} (${o.samplesMs.length} opens) | median ${o.medianMs} ms, p95 ${o.p95Ms} ms${o.targeted ? ` (target ${result.targetMs} ms: ${o.medianMs < result.targetMs ? 'met' : '**missed**'})` : ''}; text in the DOM after ${o.insertedMedianMs} ms |`)
}

/** One console line per way of opening. */
export function readerLog(result: ReaderResult): string[] {
  return result.opens.map(o => `  ${o.how}: median ${o.medianMs} ms, p95 ${o.p95Ms} ms, in the DOM after ${o.insertedMedianMs} ms (${o.samplesMs.join(', ')})`)
}
