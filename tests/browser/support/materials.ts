import type { Locator, Page } from 'playwright-core'
import type { MaterialCategory } from '../../../src/domain/records'
import { randomUUID } from 'node:crypto'
import { pushChanges } from './api'
import { action, choose, tab } from './app'

/**
 * Study materials as the contract of issue #4 names them (zh-CN): the secretary's 发布资料 form, the
 * 资料 list, the reader. Publishing goes through the form; `seedMaterial` pushes one through the sync
 * API as the secretary's other client would, for tests about reading rather than publishing.
 */

const LONG = 30_000

/** The category names the 类别 control offers. */
export const CATEGORY_NAMES: Record<MaterialCategory, string> = {
  classic: '原著原文',
  speech: '重要讲话',
  guidance: '学习辅导',
  notice: '支部通知',
}

export interface MaterialInput {
  title: string
  category: MaterialCategory
  body: string
  studyBy?: string
}

/** Opens `/branch/materials/new`, fills 标题 / 类别 / 正文 (/ 学习截止日期) and taps 发布; waits for the list. */
export async function publishInApp(page: Page, baseUrl: string, input: MaterialInput): Promise<void> {
  await page.goto(`${baseUrl}/branch/materials/new`)
  await page.getByLabel('标题', { exact: true }).fill(input.title)
  await choose(page, '类别', CATEGORY_NAMES[input.category])
  await page.getByLabel('正文', { exact: true }).fill(input.body)
  if (input.studyBy !== undefined)
    await page.getByLabel('学习截止日期', { exact: true }).fill(input.studyBy)
  await page.getByRole('button', { name: '发布', exact: true }).click()
  await page.getByLabel('正文', { exact: true }).waitFor({ state: 'hidden', timeout: LONG })
}

/** Pushes a material as the secretary (token) through the sync API; returns its id. Throws unless applied. */
export async function seedMaterial(baseUrl: string, secretaryToken: string, input: MaterialInput, publishedAt = Date.now()): Promise<string> {
  const id = randomUUID()
  const response = await pushChanges(baseUrl, secretaryToken, [{
    table: 'materials',
    id,
    updatedAt: publishedAt,
    data: { title: input.title, category: input.category, body: input.body, publishedAt, ...(input.studyBy ? { studyBy: input.studyBy } : {}) },
  }])
  const result = response.results[0]
  if (result?.status !== 'applied')
    throw new Error(`seeding material "${input.title}" was not applied: ${JSON.stringify(result)}`)
  return id
}

/** The entry of a material in the 资料 list (its text carries category, 未读, download state…). */
export function materialEntry(page: Page, title: string): Locator {
  return page.locator('li, article, [role="listitem"]').filter({ hasText: title }).last()
}

/** Taps 资料 and waits until the material's entry says 已下载: its body is on the phone. */
export async function openMaterialsTab(page: Page, title?: string): Promise<void> {
  await tab(page, '资料').click()
  await page.getByRole('heading', { name: '学习资料' }).waitFor()
  if (title !== undefined)
    await materialEntry(page, title).filter({ hasText: '已下载' }).waitFor({ timeout: 60_000 })
}

/** Opens the reader from the 资料 list by tapping the material's title; waits for the reader's controls. */
export async function openReader(page: Page, title: string): Promise<void> {
  await materialEntry(page, title).getByText(title, { exact: true }).first().click()
  await page.waitForURL(/\/materials\/[0-9a-f-]{36}/)
  await action(page, 'A+').waitFor()
}

/**
 * A long material: chapters with `##` headings and `count` numbered paragraphs,
 * each paragraph's text unique (`第N段`) so a test can find, scroll to and compare it.
 */
export function longMaterialBody(count: number, chapterEvery = 10): { body: string, paragraphs: string[], headings: string[] } {
  const lines: string[] = []
  const paragraphs: string[] = []
  const headings: string[] = []
  for (let i = 1; i <= count; i++) {
    if ((i - 1) % chapterEvery === 0) {
      const heading = `第${(i - 1) / chapterEvery + 1}部分 学习要点`
      headings.push(heading)
      lines.push(`## ${heading}`, '')
    }
    const paragraph = `第${i}段：坚持以人民为中心的发展思想，把为群众办实事作为检验学习成效的标尺，学思用贯通、知信行统一。`
    paragraphs.push(paragraph)
    lines.push(paragraph, '')
  }
  return { body: lines.join('\n'), paragraphs, headings }
}

/** The reader's block (heading or paragraph) that shows exactly this text. */
export function readerBlock(page: Page, text: string): Locator {
  return page.locator('main').getByText(text, { exact: true }).first()
}

/** The computed font-size of an element, in CSS px. */
export function fontSizeOf(locator: Locator): Promise<number> {
  return locator.evaluate(el => Number.parseFloat(getComputedStyle(el).fontSize))
}
