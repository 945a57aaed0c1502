import type { Page } from 'playwright-core'
import type { ProblemData, StudyCheckinData } from '../../../src/domain/records'
import { Buffer } from 'node:buffer'
import { inflateRawSync } from 'node:zlib'
import { pushChanges } from './api'
import { action, tab } from './app'

/**
 * Helpers for the secretary's pages (issue #5): the 支部 tab and its sub-pages, found by the names
 * the issue fixes, plus seeding members' records over the protocol and reading exported files.
 */

/** A lower-case v4 UUID for a record a test pushes. */
export function recordId(): string {
  return crypto.randomUUID()
}

/** Pushes one study check-in as the member's own device would. */
export async function pushCheckin(baseUrl: string, token: string, data: StudyCheckinData): Promise<string> {
  const id = recordId()
  const response = await pushChanges(baseUrl, token, [{ table: 'studyCheckins', id, updatedAt: Date.now(), data }])
  if (response.results[0]?.status !== 'applied')
    throw new Error(`check-in not applied: ${JSON.stringify(response.results)}`)
  return id
}

/** Pushes one residents' problem as the reporting member's device would. */
export async function pushProblem(baseUrl: string, token: string, data: Omit<ProblemData, 'status'> & Partial<ProblemData>): Promise<string> {
  const id = recordId()
  const response = await pushChanges(baseUrl, token, [{ table: 'problems', id, updatedAt: Date.now(), data }])
  if (response.results[0]?.status !== 'applied')
    throw new Error(`problem not applied: ${JSON.stringify(response.results)}`)
  return id
}

/** Opens the 支部 tab and waits for this week's completion (本周完成 N/M). */
export async function openBranchTab(page: Page): Promise<void> {
  await tab(page, '支部').click()
  await page.getByRole('heading', { name: /^本周完成 \d+\/\d+$/ }).waitFor()
}

/** The 本周完成 N/M heading's text. */
export function completionHeading(page: Page): Promise<string> {
  return page.getByRole('heading', { name: /^本周完成 \d+\/\d+$/ }).textContent().then(text => (text ?? '').trim())
}

/** The names listed under a 支部 list (本周未学习 / 本周已学习), in order. */
export async function branchListNames(page: Page, title: '本周未学习' | '本周已学习'): Promise<string[]> {
  const links = page.getByRole('region', { name: title, exact: true }).getByRole('link')
  return (await links.allTextContents()).map(text => text.replace(/\s*书记$/, '').trim())
}

/** Follows one of the 支部 page's links (完成情况, 成员管理, 问题清单, 阶段性总结) and waits for its title. */
export async function openBranchSection(page: Page, name: '完成情况' | '成员管理' | '问题清单' | '阶段性总结'): Promise<void> {
  await action(page, name).click()
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor()
}

/** The entries of a zip archive (a .docx), stored or deflated, by name. */
export function unzipEntries(zip: Buffer): Map<string, Buffer> {
  // The end-of-central-directory record: the last 22+ bytes, signature 0x06054b50.
  let end = zip.length - 22
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054B50)
    end--
  if (end < 0)
    throw new Error('not a zip archive: no end of central directory')
  const count = zip.readUInt16LE(end + 10)
  let offset = zip.readUInt32LE(end + 16)
  const entries = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014B50)
      throw new Error(`bad central directory entry at ${offset}`)
    const method = zip.readUInt16LE(offset + 10)
    const compressedSize = zip.readUInt32LE(offset + 20)
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    const local = zip.readUInt32LE(offset + 42)
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8')
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    entries.set(name, method === 0 ? Buffer.from(raw) : inflateRawSync(raw))
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}
