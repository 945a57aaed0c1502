import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi, serverStudyCheckins } from './support/api'
import { action, checkinRow, joinInApp, tab, waitForSynced } from './support/app'
import { newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { longMaterialBody, materialEntry, openMaterialsTab, openReader, readerBlock, seedMaterial } from './support/materials'
import { useBranchServer } from './support/site'

const MARKED = { title: '居家学习：标记已学的资料', body: longMaterialBody(30).body }
const TO_THE_END = longMaterialBody(30)
const FINISHED = { title: '居家学习：读到最后的资料', body: TO_THE_END.body }

// 居家学习: finishing a material counts as this week's study, once per material: 标记已学 needs a
// minute of reading (the page clock is moved on rather than waited for), reaching the end counts by itself.
describe('home study from materials', () => {
  const site = useBranchServer('居家学习党支部')
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '陈书记')
    ids[MARKED.title] = await seedMaterial(site.server.baseUrl, secretary.token, { ...MARKED, category: 'guidance' }, Date.now() - 1000)
    ids[FINISHED.title] = await seedMaterial(site.server.baseUrl, secretary.token, { ...FINISHED, category: 'classic' })
  })

  it('says 标记已学 is too early before a minute, counts it after one, and counts reading to the end; 学习 shows 本周已学习', async () => {
    const context = await newPhoneContext(site.browser)
    // The page's clock runs as usual, but the test can move it on by a minute instead of waiting one.
    await context.clock.install()
    const page = await context.newPage()
    reportPageOnFailure(page, 'page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '黄居家')
    await page.getByRole('heading', { name: '本周未学习' }).waitFor()

    await openMaterialsTab(page, MARKED.title)
    await openMaterialsTab(page, FINISHED.title)
    await openReader(page, MARKED.title)
    await action(page, '标记已学').click()
    await page.getByText('至少阅读 1 分钟后才能标记已学').first().waitFor()

    await page.clock.runFor(65_000)
    await action(page, '标记已学').click()
    await page.getByText('已计入本周居家学习').first().waitFor()

    await tab(page, '学习').click()
    await page.getByRole('heading', { name: '本周已学习' }).waitFor()
    await checkinRow(page, MARKED.title).waitFor()
    await page.locator('li, article').filter({ hasText: MARKED.title }).filter({ hasText: '居家学习' }).first().waitFor()

    await openMaterialsTab(page)
    await materialEntry(page, MARKED.title).getByText('本周已学').first().waitFor()
    expect(await materialEntry(page, FINISHED.title).getByText('本周已学').count()).toBe(0)

    // The second material is read to its last paragraph: that counts without 标记已学.
    await openReader(page, FINISHED.title)
    const last = TO_THE_END.paragraphs.at(-1)!
    await readerBlock(page, last).waitFor()
    await readerBlock(page, last).evaluate(el => el.scrollIntoView({ block: 'end' }))
    await page.mouse.wheel(0, 2000)
    await page.getByText('已计入本周居家学习').first().waitFor()

    await tab(page, '学习').click()
    await checkinRow(page, FINISHED.title).waitFor()
    await waitForSynced(page)
    const checkins = await serverStudyCheckins(site.server.baseUrl, member.token)
    const byTopic = (a: { topic: string }, b: { topic: string }) => a.topic.localeCompare(b.topic)
    const expected = [MARKED, FINISHED].map(m => ({ form: 'home_study', topic: m.title, materialId: ids[m.title] })).sort(byTopic)
    expect(checkins.map(c => c.data as { topic: string }).sort(byTopic)).toEqual(expected.map(e => expect.objectContaining(e)))

    // Once per material per week: marking it again adds nothing.
    await openMaterialsTab(page)
    await openReader(page, MARKED.title)
    await action(page, '标记已学').click()
    await page.getByText(/已计入本周居家学习/).first().waitFor()
    await tab(page, '学习').click()
    await checkinRow(page, MARKED.title).waitFor()
    expect(await page.getByText(MARKED.title, { exact: true }).count()).toBe(1)
    await context.close()
  })
})
