import type { Locator, Page } from 'playwright-core'
import type { JoinResponse } from '../../../src/domain/wire'

/**
 * The app as a member sees it, found only by the accessible names COMMON.md fixes (zh-CN).
 * Nothing here reaches into the app's code: what a test can do, a person can do.
 */

const LONG = 30_000

/** The first-start question 是否开启长辈模式？ (shown once per device, on the first page it opens). */
export function elderPrompt(page: Page): Locator {
  return page.getByRole('dialog', { name: '是否开启长辈模式？' })
}

/** Waits for the first-start question and answers it: 开启 turns 长辈模式 on, 暂不 leaves it off. */
export async function answerElderPrompt(page: Page, answer: '开启' | '暂不'): Promise<void> {
  const prompt = elderPrompt(page)
  await prompt.getByRole('button', { name: answer, exact: true }).click()
  await prompt.waitFor({ state: 'hidden' })
}

/**
 * Opens `/join`, enters the invite code and name, and waits for 学习. Returns what the server answered.
 * A fresh phone first asks 是否开启长辈模式？: answered 暂不 unless `elder` says otherwise ('asked': this
 * phone answered before, nothing to wait for).
 */
export async function joinInApp(page: Page, baseUrl: string, inviteCode: string, name: string, elder: '开启' | '暂不' | 'asked' = '暂不'): Promise<JoinResponse> {
  await page.goto(`${baseUrl}/join`)
  if (elder !== 'asked')
    await answerElderPrompt(page, elder)
  await page.getByLabel('邀请码', { exact: true }).fill(inviteCode)
  await page.getByLabel('姓名', { exact: true }).fill(name)
  const joined = page.waitForResponse(r => r.url().endsWith('/api/v1/join') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '加入支部' }).click()
  const response = await joined
  if (response.status() !== 201)
    throw new Error(`join answered ${response.status()}: ${await response.text()}`)
  await page.waitForURL(/\/study(?:$|[?#])/, { timeout: LONG })
  return await response.json() as JoinResponse
}

/**
 * Waits until a service worker is active and controls this page. Should the first visit stay
 * uncontrolled (a worker without `clientsClaim`), one reload hands the page to it.
 */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  // Through evaluate, which awaits: waitForFunction would take an async predicate's promise as truthy at once.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready
    const worker = registration.active
    if (worker && worker.state !== 'activated') {
      await new Promise<void>((resolve) => {
        worker.addEventListener('statechange', () => worker.state === 'activated' && resolve())
      })
    }
  })
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null)
  if (!controlled)
    await page.reload()
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: LONG })
}

/** The sync status bar (`role="status"`) shown on every signed-in page. */
export function syncStatus(page: Page): Locator {
  return page.getByRole('status').filter({ hasText: /待同步|已同步|离线|同步/ }).first()
}

/** The check-in form (a popup or a page), once 签到 or a row opened it. */
export interface CheckinInput {
  topic: string
  minutes: number
  note?: string
}

/** Taps 签到 and waits for the form. */
export async function openNewCheckin(page: Page): Promise<void> {
  await page.getByRole('button', { name: '签到', exact: true }).click()
  await page.getByLabel('主题', { exact: true }).waitFor({ state: 'visible' })
}

/** Fills 主题 / 时长（分钟） (and 备注) in the open form and taps 保存. */
export async function fillAndSaveCheckin(page: Page, input: CheckinInput): Promise<void> {
  await page.getByLabel('主题', { exact: true }).fill(input.topic)
  await page.getByLabel('时长（分钟）', { exact: true }).fill(String(input.minutes))
  if (input.note !== undefined)
    await page.getByLabel('备注', { exact: true }).fill(input.note)
  await page.getByRole('button', { name: '保存', exact: true }).click()
  await page.getByLabel('主题', { exact: true }).waitFor({ state: 'hidden' })
}

/** Adds one check-in through the UI: 签到 → fields → 保存. */
export async function addCheckin(page: Page, input: CheckinInput): Promise<void> {
  await openNewCheckin(page)
  await fillAndSaveCheckin(page, input)
}

/** The list entry of the check-in with this topic. */
export function checkinRow(page: Page, topic: string): Locator {
  return page.getByText(topic, { exact: true }).first()
}

/** A bottom tab by its name (学习 / 我的 / 支部, or Study / Me / Branch in English). */
export function tab(page: Page, name: string): Locator {
  return page.getByRole('tab', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).first()
}

/** A promise with its resolver outside (Node 20 has no `Promise.withResolvers`). */
export function deferred<T>(): { promise: Promise<T>, resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/**
 * Picks `option` in the control labelled `label`: a native `<select>`, or a radio group by that name
 * (the contract fixes the names, not the widget).
 */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  const control = page.getByLabel(label, { exact: true }).first()
  if (await control.count() > 0 && await control.evaluate(el => el.tagName === 'SELECT')) {
    await control.selectOption({ label: option })
    return
  }
  await page.getByRole('radiogroup', { name: label }).getByRole('radio', { name: option, exact: true }).click()
}

/** A button or link by its exact name (the contract says which words, not which element). */
export function action(page: Page, name: string): Locator {
  return page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).first()
}

/** A service log as the 记录服务 form takes it. */
export interface ServiceInput {
  community?: string
  activity: string
  hours: number
  peopleServed?: number
  description?: string
  date?: string
}

/** Taps 记录服务 and waits for the form. */
export async function openNewService(page: Page): Promise<void> {
  await action(page, '记录服务').click()
  await page.getByLabel('报到社区', { exact: true }).waitFor({ state: 'visible' })
}

/** Fills the open service form and taps 保存; waits until the form has gone unless `stay`. */
export async function fillAndSaveService(page: Page, input: ServiceInput, stay = false): Promise<void> {
  if (input.date !== undefined)
    await page.getByLabel('日期', { exact: true }).fill(input.date)
  if (input.community !== undefined)
    await page.getByLabel('报到社区', { exact: true }).fill(input.community)
  await choose(page, '服务类型', input.activity)
  await page.getByLabel('时长（小时）', { exact: true }).fill(String(input.hours))
  if (input.peopleServed !== undefined)
    await page.getByLabel('服务人数', { exact: true }).fill(String(input.peopleServed))
  if (input.description !== undefined)
    await page.getByLabel('服务内容', { exact: true }).fill(input.description)
  await page.getByRole('button', { name: '保存', exact: true }).click()
  if (!stay)
    await page.getByLabel('报到社区', { exact: true }).waitFor({ state: 'hidden' })
}

/** A residents' problem as the 记录问题 form takes it. */
export interface ProblemInput {
  title: string
  detail?: string
  category: string
  community?: string
  date?: string
}

/** Fills the open problem form and taps 保存; waits until the form has gone. */
export async function fillAndSaveProblem(page: Page, input: ProblemInput): Promise<void> {
  await page.getByLabel('问题标题', { exact: true }).fill(input.title)
  if (input.detail !== undefined)
    await page.getByLabel('问题详情', { exact: true }).fill(input.detail)
  await choose(page, '问题类别', input.category)
  if (input.community !== undefined)
    await page.getByLabel('所在社区', { exact: true }).fill(input.community)
  if (input.date !== undefined)
    await page.getByLabel('日期', { exact: true }).fill(input.date)
  await page.getByRole('button', { name: '保存', exact: true }).click()
  await page.getByLabel('问题标题', { exact: true }).waitFor({ state: 'hidden' })
}

/** A reading note as the 写笔记 form takes it. */
export interface NoteInput {
  title: string
  source?: string
  excerpt?: string
  reflection: string
}

/** Taps 写笔记 and waits for the form. */
export async function openNewNote(page: Page): Promise<void> {
  await action(page, '写笔记').click()
  await page.getByLabel('书名或篇目', { exact: true }).waitFor({ state: 'visible' })
}

/** Fills the open note form (without saving). */
export async function fillNote(page: Page, input: NoteInput): Promise<void> {
  await page.getByLabel('书名或篇目', { exact: true }).fill(input.title)
  if (input.source !== undefined)
    await page.getByLabel('出处', { exact: true }).fill(input.source)
  if (input.excerpt !== undefined)
    await page.getByLabel('原文摘抄', { exact: true }).fill(input.excerpt)
  await page.getByLabel('心得体会', { exact: true }).fill(input.reflection)
}

/** Taps 保存 on the open note form and waits until it has gone. */
export async function saveNote(page: Page): Promise<void> {
  await page.getByRole('button', { name: '保存', exact: true }).click()
  await page.getByLabel('书名或篇目', { exact: true }).waitFor({ state: 'hidden' })
}

/** Waits until the sync status bar says every record reached the server. */
export async function waitForSynced(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => {
    const bars = [...document.querySelectorAll('[role="status"]')].map(el => el.textContent ?? '')
    return bars.some(text => text.includes('已同步') && !text.includes('待同步'))
  }, undefined, { timeout })
}

/** The entry under 我反映的问题 that shows this problem title (its status is in its text). */
export function problemEntry(page: Page, title: string): Locator {
  return page.locator('li, article').filter({ hasText: title }).last()
}
