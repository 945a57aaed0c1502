import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { readingChars, requiredReadingSeconds } from '../../src/domain/homeStudy'
import { joinByApi, serverStudyCheckins } from './support/api'
import { action, checkinRow, joinInApp, tab, waitForSynced } from './support/app'
import { newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { longMaterialBody, materialEntry, openMaterialsTab, openReader, readerBlock, seedMaterial } from './support/materials'
import { useBranchServer } from './support/site'
import { finishSpeaking, installSpeechStandIn, speakingNow } from './support/speech'

// A 44-character notice: on screen whole at once, so only the time is missing.
const SHORT = { title: '居家学习：支部通知', body: '请各位党员本周内读完《为人民服务》，有困难的同志可以请家属代为朗读，读后在群里交流体会。' }
const LONG_TEXT = longMaterialBody(60)
const LONG = { title: '居家学习：长篇辅导材料', body: LONG_TEXT.body }
const HEARD_TEXT = longMaterialBody(12, 6)
const HEARD = { title: '居家学习：听完的资料', body: HEARD_TEXT.body }

/** The 本周已学 badge on the reader (the record's view of the week). */
const badge = (page: Page) => page.locator('main').getByText('本周已学', { exact: true })

/** The reader's status line ("本周已阅读 …"), which the rule keeps in step with the badge. */
const clockLine = (page: Page) => page.locator('main').getByText(/本周已阅读/).first()

/** The member's live home-study check-ins on the server, by topic. */
async function serverHomeStudy(page: Page, baseUrl: string, token: string): Promise<string[]> {
  await waitForSynced(page)
  const rows = await serverStudyCheckins(baseUrl, token)
  return rows.filter(r => !r.deleted && (r.data as { form: string }).form === 'home_study').map(r => (r.data as { topic: string }).topic).sort()
}

// 居家学习 means reading: the reading clock runs only while the text is on screen and the member is
// there (no input for 2 minutes stops it, unless 朗读 plays), a material counts once its time is read
// (a minute, or half its length at 300 characters a minute) and its end reached, or on 标记已学
// after that time. The page clock is driven (page.clock), never waited for.
describe('home study that means reading', () => {
  const site = useBranchServer('居家学习党支部')

  beforeAll(async () => {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '陈书记')
    await seedMaterial(site.server.baseUrl, secretary.token, { ...SHORT, category: 'notice' }, Date.now() - 2000)
    await seedMaterial(site.server.baseUrl, secretary.token, { ...LONG, category: 'guidance' }, Date.now() - 1000)
    await seedMaterial(site.server.baseUrl, secretary.token, { ...HEARD, category: 'classic' })
  })

  async function member(context: BrowserContext, name: string, titles: string[]): Promise<{ page: Page, token: string }> {
    await context.clock.install()
    const page = await context.newPage()
    reportPageOnFailure(page, name)
    const joined = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, name)
    for (const title of titles)
      await openMaterialsTab(page, title)
    return { page, token: joined.token }
  }

  it('a short notice counts after a minute on screen, not on opening; badge, message and record agree', async () => {
    expect(readingChars(SHORT.body)).toBe(44)
    const context = await newPhoneContext(site.browser)
    const { page, token } = await member(context, '黄居家', [SHORT.title])
    await openReader(page, SHORT.title)
    await readerBlock(page, SHORT.body).waitFor()

    await page.clock.runFor(30_000)
    await clockLine(page).filter({ hasText: '还需 30 秒' }).waitFor()
    expect(await badge(page).count()).toBe(0)
    await action(page, '标记已学').click()
    await page.getByText('至少阅读 1 分钟后才能标记已学').first().waitFor()
    expect(await badge(page).count()).toBe(0)
    expect(await serverHomeStudy(page, site.server.baseUrl, token)).toEqual([])

    // The minute is read with the whole text on screen: it counts by itself.
    await page.clock.runFor(31_000)
    await badge(page).waitFor()
    await page.getByText('已计入本周居家学习').first().waitFor()
    expect(await page.getByText('至少阅读').count()).toBe(0)
    expect(await serverHomeStudy(page, site.server.baseUrl, token)).toEqual([SHORT.title])
    await tab(page, '学习').click()
    await page.getByRole('heading', { name: '本周已学习' }).waitFor()
    await checkinRow(page, SHORT.title).waitFor()
    await context.close()
  })

  it('a long material needs its reading pace, idle minutes do not count, and the end or 标记已学 after the time counts', async () => {
    const required = requiredReadingSeconds(readingChars(LONG.body))
    expect(required).toBeGreaterThan(240)
    const minutes = Math.ceil(required / 60)
    const context = await newPhoneContext(site.browser)
    const { page, token } = await member(context, '刘长篇', [LONG.title])
    await openReader(page, LONG.title)

    // The end reached at once: scrolling through is not reading.
    const last = LONG_TEXT.paragraphs.at(-1)!
    await readerBlock(page, last).waitFor()
    await readerBlock(page, last).evaluate(el => el.scrollIntoView({ block: 'end' }))
    await page.mouse.wheel(0, 2000)
    await page.clock.runFor(5_000)
    await action(page, '标记已学').click()
    await page.getByText(`至少阅读 ${minutes} 分钟后才能标记已学`).first().waitFor()

    // Left alone with the page open: the clock stops after 2 minutes without input.
    await page.clock.runFor(required * 1000)
    await clockLine(page).waitFor()
    expect(await badge(page).count()).toBe(0)
    const readSoFar = await clockLine(page).textContent()
    await page.clock.runFor(60_000)
    expect(await clockLine(page).textContent()).toBe(readSoFar)
    expect(await badge(page).count()).toBe(0)

    // Reading on (a scroll every minute) until the time is read: it counts, the end being reached.
    for (let i = 0; i < minutes && await badge(page).count() === 0; i++) {
      await page.mouse.wheel(0, -40)
      await page.clock.runFor(60_000)
    }
    await badge(page).waitFor()
    await page.getByText('已计入本周居家学习').first().waitFor()
    expect(await serverHomeStudy(page, site.server.baseUrl, token)).toEqual([LONG.title])

    // Again this week: 标记已学 adds nothing.
    await action(page, '标记已学').click()
    await page.getByText('已计入本周居家学习（本周已记过一次）').first().waitFor()
    await tab(page, '学习').click()
    // 学习's page is a chunk of its own (9a96c28): until it is shown the reader's heading, the same
    // title, is still on screen, so the row is looked for once the list's heading is there.
    await page.getByRole('heading', { name: '本周已学习' }).waitFor()
    await checkinRow(page, LONG.title).waitFor()
    expect(await page.getByText(LONG.title, { exact: true }).count()).toBe(1)
    await context.close()
  })

  it('标记已学 after the time counts a material whose end was not reached', async () => {
    const context = await newPhoneContext(site.browser)
    const { page, token } = await member(context, '周标记', [LONG.title])
    await openReader(page, LONG.title)
    const required = requiredReadingSeconds(readingChars(LONG.body))
    for (let read = 0; read < required + 60; read += 60) {
      await page.mouse.wheel(0, 10)
      await page.clock.runFor(60_000)
    }
    await clockLine(page).filter({ hasText: '可以标记已学' }).waitFor()
    expect(await badge(page).count()).toBe(0)
    await action(page, '标记已学').click()
    await badge(page).waitFor()
    await page.getByText('已计入本周居家学习').first().waitFor()
    expect(await serverHomeStudy(page, site.server.baseUrl, token)).toEqual([LONG.title])
    await context.close()
  })

  it('listening with 朗读 to the end counts: the clock runs while it plays, without input', async () => {
    const context = await newPhoneContext(site.browser)
    await installSpeechStandIn(context, 'zh')
    const { page, token } = await member(context, '孙听读', [HEARD.title])
    await openReader(page, HEARD.title)
    await action(page, '朗读').click()
    await expect.poll(() => speakingNow(page)).not.toBeNull()
    // Three minutes of listening, no touch at all.
    await page.clock.runFor(180_000)
    expect(await badge(page).count()).toBe(0)
    for (let i = 0; i < 40 && await speakingNow(page) !== null; i++) {
      await finishSpeaking(page)
      await page.clock.runFor(100)
    }
    expect(await speakingNow(page)).toBeNull()
    await badge(page).waitFor()
    await page.getByText('已计入本周居家学习').first().waitFor()
    await openMaterialsTab(page)
    await materialEntry(page, HEARD.title).getByText('本周已学').first().waitFor()
    expect(await serverHomeStudy(page, site.server.baseUrl, token)).toEqual([HEARD.title])
    await context.close()
  })
})
