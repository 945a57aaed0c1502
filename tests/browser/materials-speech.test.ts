import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi } from './support/api'
import { action, joinInApp } from './support/app'
import { newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { openMaterialsTab, openReader, seedMaterial } from './support/materials'
import { useBranchServer } from './support/site'
import { finishSpeaking, hasChineseVoice, installSpeechStandIn, speakingNow, spokenUtterances } from './support/speech'

const TITLE = '朗读测试：为人民服务'
const BLOCKS = [
  '一、全心全意为人民服务',
  '我们的共产党和共产党所领导的八路军、新四军，是革命的队伍。',
  '我们这个队伍完全是为着解放人民的，是彻底地为人民的利益工作的。',
  '因为我们是为人民服务的，所以，我们如果有缺点，就不怕别人批评指出。',
  '人固有一死，或重于泰山，或轻于鸿毛。',
  '二、向张思德同志学习',
  '今后我们的队伍里，不管死了谁，不管是炊事员，是战士，只要他是做过一些有益的工作的，我们都要给他送葬，开追悼会。',
]
// `一、…` short lines are outline headings; `> ` a quote: the reader shows and reads all of them in order.
const BODY = [BLOCKS[0], BLOCKS[1], '', BLOCKS[2], BLOCKS[3], `> ${BLOCKS[4]}`, '', BLOCKS[5], BLOCKS[6]].join('\n')

/** The text of the reader's block marked `aria-current="true"` (the one being read), or null. */
function currentBlock(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const marked = [...document.querySelectorAll('main [aria-current="true"]')]
    return marked.length === 1 ? (marked[0]!.textContent ?? '').trim() : marked.length === 0 ? null : `${marked.length} blocks marked`
  })
}

// 朗读: paragraph by paragraph in Chinese, the paragraph being read marked and highlighted, with
// 暂停 / 继续 / 下一段 / 停止; a phone with no Chinese voice is told so. Headless Chromium has no voice
// here, so a stand-in speechSynthesis speaks (see support/speech.ts); where Chromium has a Chinese
// voice of its own the stand-in is still used for the stepping, and the test says so.
describe('朗读 (read aloud)', () => {
  const site = useBranchServer('朗读党支部')
  let chromiumHasChinese = false

  beforeAll(async () => {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '钱书记')
    await seedMaterial(site.server.baseUrl, secretary.token, { title: TITLE, category: 'classic', body: BODY })
    const probe = await newPhoneContext(site.browser)
    chromiumHasChinese = await hasChineseVoice(await probe.newPage())
    await probe.close()
  })

  async function memberReading(context: BrowserContext, name: string): Promise<Page> {
    const page = await context.newPage()
    reportPageOnFailure(page, name)
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, name)
    await openMaterialsTab(page, TITLE)
    await openReader(page, TITLE)
    await page.locator('main').getByText(BLOCKS[1]!, { exact: true }).waitFor()
    return page
  }

  it('reads block after block in zh-CN, marks the one being read, and pauses, resumes, skips and stops', async () => {
    if (chromiumHasChinese)
      console.warn('this Chromium has a Chinese voice; the stand-in still drives the steps so they are deterministic')
    const context = await newPhoneContext(site.browser)
    await installSpeechStandIn(context, 'zh')
    const page = await memberReading(context, '孙朗读')
    expect(await currentBlock(page)).toBeNull()

    await action(page, '朗读').click()
    await expect.poll(() => speakingNow(page)).toBe(BLOCKS[0])
    await expect.poll(() => currentBlock(page)).toBe(BLOCKS[0])
    // The highlight is visible, not only an attribute: the marked block is drawn differently.
    const look = (text: string) => page.locator('main').getByText(text, { exact: true }).first().evaluate((el) => {
      const marked = el.closest('[aria-current="true"]') ?? el
      const style = getComputedStyle(marked)
      return `${style.backgroundColor}|${style.outlineStyle}|${style.borderLeftColor}|${style.borderLeftWidth}|${style.textDecorationLine}|${style.fontWeight}`
    })

    await finishSpeaking(page)
    await expect.poll(() => speakingNow(page)).toBe(BLOCKS[1])
    await expect.poll(() => currentBlock(page)).toBe(BLOCKS[1])
    await page.waitForFunction(() => document.getAnimations().every(a => a.playState !== 'running'))
    expect(await look(BLOCKS[1]!)).not.toBe(await look(BLOCKS[2]!))

    await action(page, '暂停').click()
    await expect.poll(() => page.evaluate(() => speechSynthesis.paused)).toBe(true)
    await action(page, '继续').waitFor()
    await action(page, '继续').click()
    await expect.poll(() => page.evaluate(() => speechSynthesis.paused)).toBe(false)
    expect(await currentBlock(page)).toBe(BLOCKS[1])

    // 下一段 cuts the paragraph short and reads the next one.
    await action(page, '下一段').click()
    await expect.poll(() => speakingNow(page)).toBe(BLOCKS[2])
    await expect.poll(() => currentBlock(page)).toBe(BLOCKS[2])

    await finishSpeaking(page)
    await expect.poll(() => speakingNow(page)).toBe(BLOCKS[3])
    await expect.poll(() => currentBlock(page)).toBe(BLOCKS[3])

    await action(page, '停止').click()
    await expect.poll(() => speakingNow(page)).toBeNull()
    await expect.poll(() => currentBlock(page)).toBeNull()
    await action(page, '朗读').waitFor()

    const spoken = await spokenUtterances(page)
    expect(spoken.map(u => u.text)).toEqual(BLOCKS.slice(0, 4))
    expect(spoken.map(u => u.outcome)).toEqual(['end', 'interrupted', 'end', 'interrupted'])
    expect(new Set(spoken.map(u => u.lang))).toEqual(new Set(['zh-CN']))
    expect(spoken.every(u => u.voice === null || u.voice === '普通话（测试）')).toBe(true)

    // Started again, it reads on to the end by itself and then lets go of the highlight.
    await action(page, '朗读').click()
    await expect.poll(() => currentBlock(page)).not.toBeNull()
    const from = BLOCKS.indexOf((await speakingNow(page))!)
    expect(from).toBeGreaterThanOrEqual(0)
    for (let i = from; i < BLOCKS.length; i++) {
      await expect.poll(() => speakingNow(page)).toBe(BLOCKS[i])
      await expect.poll(() => currentBlock(page)).toBe(BLOCKS[i])
      await finishSpeaking(page)
    }
    await expect.poll(() => currentBlock(page)).toBeNull()
    expect((await spokenUtterances(page)).slice(4).map(u => u.text)).toEqual(BLOCKS.slice(from))
    await context.close()
  })

  it('says the phone has no Chinese voice when it has none, and speaks nothing', async () => {
    const context = await newPhoneContext(site.browser)
    await installSpeechStandIn(context, 'none')
    const page = await memberReading(context, '周无声')
    await action(page, '朗读').click()
    await page.getByRole('alert').filter({ hasText: '这台手机没有中文语音，无法朗读' }).first().waitFor()
    expect(await spokenUtterances(page)).toEqual([])
    expect(await currentBlock(page)).toBeNull()
    await context.close()
  })
})
