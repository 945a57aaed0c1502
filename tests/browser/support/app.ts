import type { Locator, Page } from 'playwright-core'
import type { JoinResponse } from '../../../src/domain/wire'

/**
 * The app as a member sees it, found only by the accessible names COMMON.md fixes (zh-CN).
 * Nothing here reaches into the app's code: what a test can do, a person can do.
 */

const LONG = 30_000

/** Opens `/join`, enters the invite code and name, and waits for 学习. Returns what the server answered. */
export async function joinInApp(page: Page, baseUrl: string, inviteCode: string, name: string): Promise<JoinResponse> {
  await page.goto(`${baseUrl}/join`)
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
 * Waits until a service worker is active and controls this page. The worker is registered in
 * prompt mode (no `clientsClaim`), so the first visit is uncontrolled until one reload.
 */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready
    return registration.active?.state === 'activated'
  }, undefined, { timeout: 60_000 })
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
