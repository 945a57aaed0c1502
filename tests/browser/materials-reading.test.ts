import type { Page } from 'playwright-core'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { addDays, todayIn } from '../../src/domain/week'
import { joinByApi, pullAll, pushChanges, serverRows } from './support/api'
import { action, joinInApp, syncStatus, tab, waitForServiceWorkerControl, waitForSynced } from './support/app'
import { fontSizeOf, longMaterialBody, materialEntry, openMaterialsTab, openReader, publishInApp, readerBlock, seedMaterial } from './support/materials'
import { useBranchServer } from './support/site'
import { storedRows } from './support/storage'

/** Taps 导出我的记录 (if it opens the choices) and 下载 JSON 备份; returns the file's path. */
async function downloadBackup(page: Page): Promise<string> {
  const exportButton = page.getByRole('button', { name: '导出我的记录', exact: true })
  if (await action(page, '下载 JSON 备份').isHidden() && await exportButton.count() > 0)
    await exportButton.click()
  const started = page.waitForEvent('download')
  await action(page, '下载 JSON 备份').click()
  return await (await started).path()
}

/** A reading position the reader keeps on the phone. */
interface StoredProgress { materialId: string, position: number, percent: number }

/** Whether the element's box is inside the viewport (at least partly). */
function onScreen(page: Page, text: string): Promise<boolean> {
  return readerBlock(page, text).evaluate((el) => {
    const box = el.getBoundingClientRect()
    return box.bottom > 0 && box.top < window.innerHeight
  })
}

/** Scrolls the reader so the block with this text is at the top of the screen, as a thumb would. */
async function scrollToBlock(page: Page, text: string): Promise<void> {
  await readerBlock(page, text).evaluate(el => el.scrollIntoView({ block: 'start' }))
  await page.mouse.wheel(0, 1)
}

const MATERIAL = longMaterialBody(40)
const TITLE = '深入学习贯彻党的创新理论'

// 资料: the secretary publishes a long material on the phone; a member's phone pulls it (no body in the
// pull, downloaded apart), reads it with the network off, enlarges the text, and finds its place again
// after a reload and on another device of the same member.
describe('study materials: publish, pull, read offline', () => {
  const site = useBranchServer('学习资料党支部')

  it('publishes on the phone, pulls to a member, reads offline with A+, restores the position after a reload and on another device', async () => {
    const studyBy = addDays(todayIn('Asia/Shanghai'), 10)
    const { context: secretaryContext, page: secretaryPage } = await site.phone('secretary')
    await joinInApp(secretaryPage, site.server.baseUrl, site.branch.secretaryInviteCode, '周书记')
    await publishInApp(secretaryPage, site.server.baseUrl, { title: TITLE, category: 'guidance', body: MATERIAL.body, studyBy })
    await secretaryPage.getByText('已发布资料').first().waitFor()
    await secretaryPage.getByText(TITLE, { exact: true }).first().waitFor()
    await waitForSynced(secretaryPage)

    // The member's first phone; its login is saved to a backup at once, for the second phone later.
    const { context, page } = await site.phone('phone')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '王读书')
    await tab(page, '我的').click()
    const backupPath = await downloadBackup(page)

    // The pull carries the material without its text; the text comes from GET /materials/:id.
    const pulled = (await pullAll(site.server.baseUrl, member.token)).filter(r => r.table === 'materials')
    expect(pulled).toHaveLength(1)
    expect(pulled[0]!.data).toMatchObject({ title: TITLE, category: 'guidance', studyBy, authorName: '周书记', bodyChars: expect.any(Number), bodyBytes: expect.any(Number) })
    expect(pulled[0]!.data).not.toHaveProperty('body')

    await waitForServiceWorkerControl(page)
    await openMaterialsTab(page, TITLE)
    const entry = materialEntry(page, TITLE)
    await entry.getByText('未读', { exact: true }).waitFor()
    await entry.getByText('学习辅导').first().waitFor()
    const [, month, day] = studyBy.split('-').map(Number)
    await entry.getByText(`学习截止 ${month}月${day}日`).first().waitFor()
    await page.getByText(/手机已存 1 篇 · [\d.]+ (?:KB|MB)/).first().waitFor()

    await context.setOffline(true)
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('离线')
    await openReader(page, TITLE)
    await readerBlock(page, MATERIAL.headings[0]!).waitFor()
    await readerBlock(page, MATERIAL.paragraphs[0]!).waitFor()
    expect(await page.getByRole('heading', { name: MATERIAL.headings[1]! }).count()).toBe(1)

    const before = await fontSizeOf(readerBlock(page, MATERIAL.paragraphs[0]!))
    await action(page, 'A+').click()
    await expect.poll(() => fontSizeOf(readerBlock(page, MATERIAL.paragraphs[0]!))).toBeGreaterThan(before)
    const enlarged = await fontSizeOf(readerBlock(page, MATERIAL.paragraphs[0]!))

    // Read on to paragraph 25, then wait until the reader has written where the member is.
    const target = MATERIAL.paragraphs[24]!
    await scrollToBlock(page, target)
    await expect.poll(async () => (await storedRows<StoredProgress>(page, 'readingProgress'))[0]?.position ?? 0, { timeout: 30_000, interval: 250 }).toBeGreaterThan(20)
    const saved = (await storedRows<StoredProgress>(page, 'readingProgress'))[0]!

    await page.reload()
    await readerBlock(page, target).waitFor()
    await expect.poll(() => onScreen(page, target), { timeout: 20_000 }).toBe(true)
    expect(await onScreen(page, MATERIAL.paragraphs[0]!)).toBe(false)
    await expect.poll(() => fontSizeOf(readerBlock(page, target))).toBe(enlarged)

    // Back online, the progress reaches the server, and from there the member's other phone.
    await context.setOffline(false)
    await action(page, '立即同步').click()
    await waitForSynced(page)
    await expect.poll(async () => ((await serverRows(site.server.baseUrl, member.token, 'readingProgress'))[0]?.data as { position?: number } | undefined)?.position ?? 0, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(saved.position)

    const { context: otherContext, page: other } = await site.phone('second phone')
    await other.goto(`${site.server.baseUrl}/join`)
    if (await other.getByLabel('选择备份文件', { exact: true }).count() === 0)
      await other.getByRole('button', { name: '从备份恢复', exact: true }).click()
    await other.getByLabel('选择备份文件', { exact: true }).setInputFiles(backupPath)
    await other.waitForURL(/\/study/, { timeout: 30_000 })
    expect(JSON.parse(await readFile(backupPath, 'utf8'))).not.toHaveProperty('records.readingProgress.0')
    await openMaterialsTab(other, TITLE)
    await openReader(other, TITLE)
    await readerBlock(other, target).waitFor()
    await expect.poll(() => onScreen(other, target), { timeout: 20_000 }).toBe(true)
    expect(await onScreen(other, MATERIAL.paragraphs[0]!)).toBe(false)

    await otherContext.close()
    await context.close()
    await secretaryContext.close()
  })

  it('refuses a member\'s push of a material, with a message that only the secretary publishes', async () => {
    const member = await joinByApi(site.server.baseUrl, site.branch.memberInviteCode, '李越权')
    const id = crypto.randomUUID()
    const response = await pushChanges(site.server.baseUrl, member.token, [{
      table: 'materials',
      id,
      updatedAt: Date.now(),
      data: { title: '党员自己发的资料', category: 'notice', body: '不应出现在支部里。', publishedAt: Date.now() },
    }])
    expect(response.results).toEqual([expect.objectContaining({ table: 'materials', id, status: 'rejected', error: expect.objectContaining({ code: 'forbidden', message: expect.stringMatching(/书记/) }) })])
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '赵书记')
    expect((await serverRows(site.server.baseUrl, secretary.token, 'materials')).map(r => r.id)).not.toContain(id)
    // A material the secretary pushes through the same API is applied.
    await seedMaterial(site.server.baseUrl, secretary.token, { title: '书记发布的通知', category: 'notice', body: '周五下午集中学习。' })
  })
})
