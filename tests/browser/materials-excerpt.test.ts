import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi, serverRows } from './support/api'
import { joinInApp, waitForSynced } from './support/app'
import { openMaterialsTab, openReader, readerBlock, seedMaterial } from './support/materials'
import { useBranchServer } from './support/site'

const TITLE = '摘抄测试：论党的自我革命'
const PARAGRAPH = '勇于自我革命是我们党区别于其他政党的显著标志。自我革命精神是党永葆青春活力的强大支撑。'
const PASSAGE = '勇于自我革命是我们党区别于其他政党的显著标志。'
const BODY = ['# 论党的自我革命', '全面从严治党永远在路上，党的自我革命永远在路上。', PARAGRAPH, '要以彻底的自我革命精神推进党的建设新的伟大工程。'].join('\n')

/** Selects `passage` inside the reader's block that holds it, as a long press and drag would. */
async function selectPassage(page: Page, block: string, passage: string): Promise<void> {
  await readerBlock(page, block).evaluate((el, passage) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? '').indexOf(passage)
      if (at < 0)
        continue
      const range = document.createRange()
      range.setStart(node, at)
      range.setEnd(node, at + passage.length)
      const selection = getSelection()!
      selection.removeAllRanges()
      selection.addRange(range)
      return
    }
    throw new Error(`"${passage}" is not in one text node of the block`)
  }, passage)
}

// 摘抄: a passage selected in the reader starts a reading note with it as 原文摘抄, linked to the material.
describe('摘抄 (excerpt to a note)', () => {
  const site = useBranchServer('摘抄党支部')
  let materialId: string

  beforeAll(async () => {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '郑书记')
    materialId = await seedMaterial(site.server.baseUrl, secretary.token, { title: TITLE, category: 'classic', body: BODY })
  })

  it('turns a selected passage into a note prefilled with the excerpt and the material', async () => {
    const { context, page } = await site.phone('page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '吴摘抄')
    await openMaterialsTab(page, TITLE)
    await openReader(page, TITLE)
    await readerBlock(page, PARAGRAPH).waitFor()

    const excerpt = page.getByRole('button', { name: '摘抄', exact: true })
    await excerpt.waitFor()
    // Nothing selected yet: nothing to excerpt.
    expect(await excerpt.isDisabled()).toBe(true)
    await selectPassage(page, PARAGRAPH, PASSAGE)
    await expect.poll(() => excerpt.isEnabled()).toBe(true)
    await excerpt.click()

    await page.waitForURL(/\/notes\/new/)
    await page.getByLabel('原文摘抄', { exact: true }).waitFor()
    expect(await page.getByLabel('原文摘抄', { exact: true }).inputValue()).toBe(PASSAGE)
    expect(await page.getByLabel('书名或篇目', { exact: true }).inputValue()).toBe(TITLE)
    await page.getByText(`关联资料：${TITLE}`).first().waitFor()

    await page.getByLabel('心得体会', { exact: true }).fill('自我革命要从自身做起，常照镜子。')
    await page.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByLabel('书名或篇目', { exact: true }).waitFor({ state: 'hidden' })
    await waitForSynced(page)
    const notes = await serverRows(site.server.baseUrl, member.token, 'readingNotes')
    expect(notes.map(n => n.data)).toEqual([expect.objectContaining({ title: TITLE, excerpt: PASSAGE, materialId })])
    await context.close()
  })
})
