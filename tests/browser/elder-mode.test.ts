import type { BrowserContext, Locator, Page } from 'playwright-core'
import type { SetupResponse } from '../../src/domain/wire'
import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi, pushChanges } from './support/api'
import { action, addCheckin, answerElderPrompt, checkinRow, elderPrompt, joinInApp, tab } from './support/app'
import { a11yAudits } from './support/axe'
import { pushCheckin, pushProblem, recordId } from './support/branch'
import { fontSizeOf, longMaterialBody, materialEntry, openMaterialsTab, openReader, readerBlock, seedMaterial } from './support/materials'
import { contrastOffenders, targetOffenders, targetSize, textOffenders, visibleTargets, visibleTexts } from './support/measure'
import { useBranchServer } from './support/site'

const TITLE = '长辈模式测试：学习资料'
const MATERIAL = longMaterialBody(12, 6)

function isElder(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.classList.contains('elder'))
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every(a => a.playState !== 'running'))
}

/**
 * Taps A+ (or A-) more often than the whole range needs (the buttons stay enabled at either end, and
 * a tap there changes nothing), then waits until the reader's text has the size `expected` allows.
 */
async function pressAll(page: Page, button: 'A+' | 'A-', expected: (px: number) => boolean): Promise<number> {
  for (let i = 0; i < 16; i++)
    await action(page, button).click()
  const paragraph = readerBlock(page, MATERIAL.paragraphs[0]!)
  await expect.poll(async () => expected(await fontSizeOf(paragraph))).toBe(true)
  return fontSizeOf(paragraph)
}

// 长辈模式 after the national guideline for elder-friendly apps: offered once at first start, applied
// to the whole app, measured in the browser (text sizes, line height, touch targets, the reader's
// largest size), and axe-clean in both modes on 学习, 资料, the reader and 我的; normal mode keeps
// every control at least 44×44 there too.
describe('长辈模式 (elder mode)', () => {
  const site = useBranchServer('长辈党支部')
  const { audit, names: auditedPages, report: a11yReport } = a11yAudits()
  const measures = new Map<string, string[]>()

  /** Text, line height and target sizes of what is on screen now, plus the main actions given. */
  async function measureElder(page: Page, name: string, mainActions: Locator[]): Promise<void> {
    await settled(page)
    const texts = await visibleTexts(page)
    const targets = await visibleTargets(page)
    // Guards against measuring nothing (a selector that matches no text or control).
    expect(texts.length, `${name}: texts measured`).toBeGreaterThan(3)
    expect(targets.length, `${name}: controls measured`).toBeGreaterThan(2)
    const offenders = [...textOffenders(texts, 18, 1.3), ...targetOffenders(targets, 44)]
    for (const main of mainActions) {
      const size = await targetSize(main)
      if (size.width < 60 || size.height < 60)
        offenders.push(`main action "${await main.textContent()}": ${size.width}×${size.height}, needs 60×60`)
    }
    measures.set(name, offenders)
  }

  beforeAll(async () => {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '冯书记')
    await seedMaterial(site.server.baseUrl, secretary.token, { title: TITLE, category: 'speech', body: MATERIAL.body })
  })

  it('asks once at first start; 开启 makes the join page large at once and stays on after a reload', async () => {
    const { context, page } = await site.phone('page')
    await page.goto(`${site.server.baseUrl}/join`)
    await elderPrompt(page).waitFor()
    expect(await isElder(page)).toBe(false)
    await audit(page, 'join with the first-start question')
    await answerElderPrompt(page, '开启')
    expect(await isElder(page)).toBe(true)
    await measureElder(page, 'join (elder)', [page.getByRole('button', { name: '加入支部' })])

    await page.reload()
    await page.getByRole('button', { name: '加入支部' }).waitFor()
    await expect.poll(() => isElder(page)).toBe(true)
    expect(await elderPrompt(page).count()).toBe(0)
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '郑长辈', 'asked')
    expect(await isElder(page)).toBe(true)
    await context.close()

    expect([...measures].filter(([, o]) => o.length > 0).map(([p, o]) => `${p}:\n  ${o.join('\n  ')}`).join('\n')).toBe('')
  })

  it('measures 学习, 资料, the reader and 我的 in both modes: large text and targets in 长辈模式, axe clean in each', async () => {
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '韩双模', '暂不')
    expect(await isElder(page)).toBe(false)
    await addCheckin(page, { topic: '长辈模式下的学习记录', minutes: 40 })
    await checkinRow(page, '长辈模式下的学习记录').waitFor()
    await audit(page, '学习 (normal)')
    measures.set('学习 (normal) targets', targetOffenders(await visibleTargets(page, 'page'), 44))
    // The same measures find small text in normal mode: they would catch 长辈模式 not applying.
    expect(textOffenders(await visibleTexts(page), 18, 1.3)).not.toEqual([])
    await openMaterialsTab(page, TITLE)
    await audit(page, '资料 (normal)')
    measures.set('资料 (normal) targets', targetOffenders(await visibleTargets(page, 'page'), 44))
    const normalEntryHeight = (await targetSize(materialEntry(page, TITLE))).height
    await openReader(page, TITLE)
    await readerBlock(page, MATERIAL.paragraphs[0]!).waitFor()
    await audit(page, 'reader (normal)')
    measures.set('reader (normal) targets', targetOffenders(await visibleTargets(page, 'page'), 44))
    expect(await pressAll(page, 'A+', px => px === 36)).toBe(36)
    expect(await pressAll(page, 'A-', px => px === 14)).toBe(14)
    await tab(page, '我的').click()
    const elderSwitch = page.getByRole('switch', { name: '长辈模式' }).or(page.getByRole('checkbox', { name: '长辈模式' })).first()
    await elderSwitch.waitFor()
    await audit(page, '我的 (normal)')
    measures.set('我的 (normal) targets', targetOffenders(await visibleTargets(page, 'page'), 44))

    await elderSwitch.click()
    await expect.poll(() => isElder(page)).toBe(true)
    expect(await elderSwitch.getAttribute('aria-checked') ?? String(await elderSwitch.isChecked())).toBe('true')
    await measureElder(page, '我的 (elder)', [])
    await audit(page, '我的 (elder)')

    await tab(page, '学习').click()
    await checkinRow(page, '长辈模式下的学习记录').waitFor()
    await measureElder(page, '学习 (elder)', [page.getByRole('button', { name: '签到', exact: true })])
    await audit(page, '学习 (elder)')

    await openMaterialsTab(page, TITLE)
    await measureElder(page, '资料 (elder)', [])
    await audit(page, '资料 (elder)')
    // Fewer items per screen: each entry takes more room than in normal mode.
    expect((await targetSize(materialEntry(page, TITLE))).height).toBeGreaterThan(normalEntryHeight)

    await openReader(page, TITLE)
    await readerBlock(page, MATERIAL.paragraphs[0]!).waitFor()
    await measureElder(page, 'reader (elder)', [action(page, '朗读'), action(page, '标记已学')])
    await audit(page, 'reader (elder)')
    const elderMax = await pressAll(page, 'A+', px => px >= 30)
    await measureElder(page, 'reader at its largest (elder)', [])
    expect(await fontSizeOf(readerBlock(page, MATERIAL.headings[0]!))).toBeGreaterThanOrEqual(elderMax)

    // Off again from 我的: the whole app is back to normal.
    await tab(page, '我的').click()
    await elderSwitch.click()
    await expect.poll(() => isElder(page)).toBe(false)

    expect(a11yReport()).toBe('')
    expect(auditedPages()).toEqual(expect.arrayContaining(['学习 (normal)', '资料 (normal)', 'reader (normal)', '我的 (normal)', '学习 (elder)', '资料 (elder)', 'reader (elder)', '我的 (elder)']))
    expect([...measures].filter(([, o]) => o.length > 0).map(([p, o]) => `${p}:\n  ${o.join('\n  ')}`).join('\n')).toBe('')
    await context.close()
  })
})

/** Waits until the note 可离线使用 has shown on this page; returns where it lay over the main action, if it did. */
async function offlineNoteOverMain(page: Page): Promise<string> {
  await page.waitForFunction(() => sessionStorage.getItem('offlineNoteSeen') === 'yes')
  return page.evaluate(() => sessionStorage.getItem('offlineNoteOver') ?? '')
}

/**
 * Watches every frame of the context's pages for the note 可离线使用 lying over the button `main`
 * (the page's main action) at some scroll position and records the first overlap in the tab's sessionStorage, which outlives
 * a reload (and that it showed at all: it goes after a few seconds).
 */
async function watchOfflineNote(context: BrowserContext, main: string): Promise<void> {
  // A string, not a function: the test's transpiler would give a function helpers the page lacks.
  await context.addInitScript(`(() => {
    const name = ${JSON.stringify(main)}
    function check() {
      const note = [...document.querySelectorAll('[role="alert"]')].find(el => el.textContent.includes('可离线使用'))
      const button = [...document.querySelectorAll('button')].find(el => el.textContent.trim() === name)
      if (note)
        sessionStorage.setItem('offlineNoteSeen', 'yes')
      if (note && button && !sessionStorage.getItem('offlineNoteOver')) {
        // The note's box on screen, the button's on the page: some scroll s in [0, maxScroll] has
        // top - s < note bottom and bottom - s > note top.
        const [a, b] = [note.getBoundingClientRect(), button.getBoundingClientRect()]
        const [top, bottom] = [b.top + scrollY, b.bottom + scrollY]
        const maxScroll = document.documentElement.scrollHeight - innerHeight
        const fixed = getComputedStyle(note).position === 'fixed'
        const covers = a.left < b.right && b.left < a.right && (fixed
          ? top - a.bottom < maxScroll && bottom - a.top > 0
          : a.top < b.bottom && b.top < a.bottom)
        if (covers)
          sessionStorage.setItem('offlineNoteOver', '可离线使用 (' + Math.round(a.top) + '–' + Math.round(a.bottom) + ' on screen) over ' + name + ' (' + Math.round(top) + '–' + Math.round(bottom) + ' on the page, scrolling ' + maxScroll + ')')
      }
      requestAnimationFrame(check)
    }
    requestAnimationFrame(check)
  })()`)
}

/** Today in Shanghai, YYYY-MM-DD (the branch's zone), and the day `days` before. */
function shanghaiDay(days = 0): string {
  return new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10)
}

// Every page a member or a secretary opens, in 长辈模式, with records so lists, forms and dialogs have
// content: every text of the whole page (scrolled to or not) at least 18 px with line height 1.3 and
// contrast 4.5:1, the page's largest text at least 30 px, every control at least 44×44 and the page's
// main actions (its primary button, 立即同步, 返回) at least 60×60. Each page is measured in normal mode
// too (the class off, `<name> (normal)`): text at least 14 px (18 px and 60×60 are 长辈模式's), line height
// 1.3, contrast 4.5:1, every control and main action at least 44×44. A failure names page and control.
describe('长辈模式 on every page', () => {
  const site = useBranchServer('长辈巡检党支部')
  const offenders = new Map<string, string[]>()
  /** Main actions every page has when it shows them. */
  const EVERY_PAGE_MAIN = ['立即同步', '返回']

  /** What a mode must meet: 长辈模式 the guideline's sizes; normal mode nothing under 14 px and every target 44×44. */
  interface Thresholds { text: number, largest: number | null, main: number }
  const ELDER: Thresholds = { text: 18, largest: 30, main: 60 }
  const NORMAL: Thresholds = { text: 14, largest: null, main: 44 }

  async function measureMode(page: Page, name: string, mainActions: string[], need: Thresholds): Promise<void> {
    await settled(page)
    const texts = await visibleTexts(page, 'body', 'page')
    const targets = await visibleTargets(page, 'page')
    expect(texts.length, `${name}: texts measured`).toBeGreaterThan(2)
    expect(targets.length, `${name}: controls measured`).toBeGreaterThan(0)
    const found = [...textOffenders(texts, need.text, 1.3), ...contrastOffenders(texts, 4.5), ...targetOffenders(targets, 44)]
    const largest = Math.max(...texts.map(t => t.fontSize))
    if (need.largest !== null && largest < need.largest)
      found.push(`largest text ${largest}px, needs ${need.largest} px`)
    for (const label of [...mainActions, ...EVERY_PAGE_MAIN]) {
      const main = action(page, label)
      if (!mainActions.includes(label) && !await main.isVisible())
        continue
      const size = await targetSize(main)
      if (size.width < need.main - 0.5 || size.height < need.main - 0.5)
        found.push(`main action "${label}": ${size.width}×${size.height}, needs ${need.main}×${need.main}`)
    }
    offenders.set(name, found)
  }

  /** Two frames, then no running animation: layout (virtual lists re-measure their rows) and transitions catch up with a class change. */
  async function afterModeChange(page: Page): Promise<void> {
    await page.evaluate(() => new Promise<void>(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))))
    await settled(page)
  }

  /**
   * Measures the page as it is (长辈模式) under `name`, then in normal mode under `<name> (normal)`:
   * the class off, the same page measured with normal mode's minimums, the class back on.
   */
  async function measureWhole(page: Page, name: string, mainActions: string[] = []): Promise<void> {
    await measureMode(page, name, mainActions, ELDER)
    await page.evaluate(() => document.documentElement.classList.remove('elder'))
    await afterModeChange(page)
    await measureMode(page, `${name} (normal)`, mainActions, NORMAL)
    await page.evaluate(() => document.documentElement.classList.add('elder'))
    await afterModeChange(page)
  }

  function report(): string {
    return [...offenders].filter(([, o]) => o.length > 0).map(([p, o]) => `${p}:\n  ${o.join('\n  ')}`).join('\n')
  }

  async function open(page: Page, path: string, ready: Locator): Promise<void> {
    await page.goto(`${site.server.baseUrl}${path}`)
    await ready.waitFor()
  }

  it('walks setup, join and every member and secretary page: sizes, contrast and targets hold', async () => {
    const [, printedLink] = await site.server.waitForOutput(/setup: (http:\/\/\S+\/setup\?code=\S+)/)
    const code = new URL(printedLink!).searchParams.get('code')!

    // Guards the measures against passing vacuously: the 14 px text, the button's 13 px label, #999 on
    // white (2.85:1) and the 30×30 button are found.
    const { context: secretaryContext, page: secretary } = await site.phone('secretary')
    await secretary.setContent('<!doctype html><p style="font-size:14px;line-height:1.2;color:#999">小字</p><button style="width:30px;height:30px">小</button>')
    const badTexts = await visibleTexts(secretary, 'body', 'page')
    expect([...textOffenders(badTexts, 18, 1.3), ...contrastOffenders(badTexts, 4.5), ...targetOffenders(await visibleTargets(secretary, 'page'), 44)]).toHaveLength(4)

    // The secretary sets the app up in 长辈模式; the first-start question itself is large.
    await watchOfflineNote(secretaryContext, '创建支部')
    await secretary.goto(`${site.server.baseUrl}/setup?code=${encodeURIComponent(code)}`)
    await elderPrompt(secretary).waitFor()
    // The question is read first; meanwhile the app is stored and 可离线使用 shows.
    expect(await offlineNoteOverMain(secretary), '可离线使用 leaves 创建支部 free').toBe('')
    const promptTexts = await visibleTexts(secretary, '[role="dialog"]', 'page')
    const prompt = [...textOffenders(promptTexts, 18, 1.3), ...contrastOffenders(promptTexts, 4.5)]
    for (const answer of ['开启', '暂不']) {
      const size = await targetSize(elderPrompt(secretary).getByRole('button', { name: answer }))
      if (size.width < 59.5 || size.height < 59.5)
        prompt.push(`main action "${answer}": ${size.width}×${size.height}, needs 60×60`)
    }
    offenders.set('first-start question', prompt)
    await answerElderPrompt(secretary, '开启')
    await secretary.getByLabel('支部名称', { exact: true }).waitFor()
    await measureWhole(secretary, 'setup', ['创建支部'])
    await secretary.getByLabel('支部名称', { exact: true }).fill('长辈巡检二支部')
    await secretary.getByLabel('您的姓名', { exact: true }).fill('冯书记')
    // With the organisation above it (issue #14): the secretary is its 组织管理员 too, for the 组织 pages below.
    await secretary.getByLabel('上级组织名称（选填）', { exact: true }).fill('长辈巡检党委')
    const created = secretary.waitForResponse(r => r.url().endsWith('/api/v1/setup'))
    await secretary.getByRole('button', { name: '创建支部' }).click()
    const setup = await (await created).json() as SetupResponse
    await secretary.getByLabel('党员邀请码', { exact: true }).waitFor()
    await measureWhole(secretary, 'setup done (invite codes)', ['进入应用'])

    // A member with a record of each kind, a material and a problem the secretary answers.
    const { context, page } = await site.phone('member')
    await watchOfflineNote(context, '加入支部')
    await page.goto(`${site.server.baseUrl}/join`)
    await elderPrompt(page).waitFor()
    expect(await offlineNoteOverMain(page), '可离线使用 leaves 加入支部 free').toBe('')
    await answerElderPrompt(page, '开启')
    await page.getByLabel('邀请码', { exact: true }).waitFor()
    await measureWhole(page, 'join', ['加入支部'])
    const member = await joinInApp(page, site.server.baseUrl, setup.memberInviteCode, '郑长辈', 'asked')
    const materialId = await seedMaterial(site.server.baseUrl, setup.token, { title: '长辈巡检：学习资料', category: 'speech', body: MATERIAL.body })
    const checkinId = await pushCheckin(site.server.baseUrl, member.token, { date: shanghaiDay(), form: 'self_study', topic: '巡检：学习党章', minutes: 30, note: '读了总纲' })
    await pushCheckin(site.server.baseUrl, member.token, { date: shanghaiDay(8), form: 'branch_study', topic: '巡检：上周的支部学习', minutes: 45 })
    const problemId = await pushProblem(site.server.baseUrl, member.token, { date: shanghaiDay(), community: '东风社区', category: 'livelihood', title: '巡检：楼道灯坏了', detail: '三单元' })
    const serviceId = recordId()
    const noteId = recordId()
    await pushChanges(site.server.baseUrl, member.token, [
      { table: 'serviceLogs', id: serviceId, updatedAt: Date.now(), data: { date: shanghaiDay(), community: '东风社区', activity: 'visit', hours: 2, peopleServed: 3, description: '看望独居老人' } },
      { table: 'readingNotes', id: noteId, updatedAt: Date.now(), data: { title: '巡检：读书笔记', source: '党章', excerpt: '坚持全心全意为人民服务', reflection: '要多为群众办实事' } },
    ])

    // A 支部集中学习 today with its 签到码: the member signed in, the secretary on 请假.
    const sessionId = recordId()
    const sessionTopic = '巡检：学习贯彻全会精神'
    await pushChanges(site.server.baseUrl, setup.token, [{ table: 'sessions', id: sessionId, updatedAt: Date.now(), data: { form: 'branch_study', topic: sessionTopic, date: shanghaiDay(), time: '19:30', place: '三楼会议室', code: '246813', leaves: [{ memberId: setup.member.id, reason: '外出开会' }] } }])
    await pushCheckin(site.server.baseUrl, member.token, { date: shanghaiDay(), form: 'branch_study', topic: sessionTopic, minutes: 60, sessionId, sessionCode: '246813' })

    await open(page, '/study', checkinRow(page, '巡检：学习党章'))
    await measureWhole(page, '学习', ['签到'])
    await open(page, '/study/new', page.getByLabel('学习内容', { exact: true }).or(page.getByRole('heading', { name: '签到', level: 1 })).first())
    await measureWhole(page, '签到 form', ['保存'])
    await open(page, `/study/${checkinId}`, page.getByRole('button', { name: '删除', exact: true }))
    await measureWhole(page, 'check-in edit form', ['保存'])
    await page.getByRole('button', { name: '删除', exact: true }).click()
    await page.getByRole('dialog').getByRole('button', { name: '确认删除', exact: true }).waitFor()
    await measureWhole(page, 'delete confirmation', ['确认删除'])
    await page.getByRole('dialog').getByRole('button', { name: '取消', exact: true }).click()
    await page.getByRole('dialog').waitFor({ state: 'hidden' })
    await open(page, '/service', page.getByText('走访慰问').first())
    await measureWhole(page, '服务', ['记录服务'])
    await open(page, '/service/new', page.getByLabel('报到社区', { exact: true }))
    await measureWhole(page, '记录服务 form', ['保存'])
    await open(page, `/service/${serviceId}`, page.getByRole('button', { name: '删除', exact: true }))
    await measureWhole(page, 'service edit form', ['保存'])
    await open(page, '/problems/new', page.getByLabel('问题标题', { exact: true }))
    await measureWhole(page, '记录问题 form', ['保存'])
    await open(page, `/problems/${problemId}`, page.getByLabel('问题标题', { exact: true }))
    await measureWhole(page, 'problem edit form', ['保存'])
    await open(page, '/notes', page.getByText('巡检：读书笔记').first())
    await measureWhole(page, '笔记', ['写笔记'])
    await action(page, '写笔记').click()
    await page.getByLabel('书名或篇目', { exact: true }).waitFor()
    await measureWhole(page, '写笔记 form', ['保存'])
    await open(page, `/notes/${noteId}`, page.getByLabel('书名或篇目', { exact: true }))
    await measureWhole(page, 'note edit form', ['保存'])
    await open(page, '/materials', materialEntry(page, '长辈巡检：学习资料'))
    await measureWhole(page, '资料')
    await open(page, `/materials/${materialId}`, readerBlock(page, MATERIAL.paragraphs[0]!))
    await measureWhole(page, 'reader', ['朗读', '标记已学'])
    await open(page, '/me', page.getByRole('button', { name: '退出登录' }))
    await measureWhole(page, '我的')
    await open(page, '/study/sign-in', page.getByText(sessionTopic, { exact: true }))
    await measureWhole(page, '活动签到', ['签到'])

    // The secretary's pages, with the member's records in them.
    await secretary.getByRole('button', { name: '进入应用' }).click()
    await secretary.waitForURL(/\/study/)
    await open(secretary, '/branch', secretary.getByText('郑长辈').first())
    await measureWhole(secretary, '支部', ['复制提醒'])
    await open(secretary, '/branch/completion', secretary.getByText('郑长辈').first())
    await measureWhole(secretary, '完成情况')
    await open(secretary, '/branch/members', secretary.getByText('郑长辈').first())
    await measureWhole(secretary, '成员管理')
    await open(secretary, `/branch/members/${member.member.id}`, secretary.getByText('巡检：学习党章').first())
    await measureWhole(secretary, 'member page')
    await open(secretary, '/branch/problems', secretary.getByText('巡检：楼道灯坏了').first())
    await measureWhole(secretary, '问题清单')
    await open(secretary, '/branch/summary', secretary.getByRole('heading', { name: '阶段性总结', level: 1 }))
    await secretary.locator('a[href*="/branch/summary/records"]').first().waitFor()
    await measureWhole(secretary, '阶段性总结')
    await secretary.locator('a[href*="/branch/summary/records"]').first().click()
    await secretary.waitForURL(/\/branch\/summary\/records/)
    await secretary.getByRole('heading', { level: 1 }).waitFor()
    await measureWhole(secretary, 'summary records')
    await open(secretary, `/branch/report?month=${shanghaiDay().slice(0, 7)}`, secretary.getByRole('heading', { name: '一、主题教育开展情况' }))
    await measureWhole(secretary, '总结 draft', ['定稿'])
    await open(secretary, '/branch/sessions', secretary.getByRole('link', { name: new RegExp(sessionTopic) }))
    await measureWhole(secretary, '组织生活', ['新建活动'])
    await open(secretary, '/branch/sessions/new', secretary.getByRole('form', { name: '新建活动' }).getByLabel('主题', { exact: true }))
    await measureWhole(secretary, '新建活动 form', ['保存'])
    await open(secretary, `/branch/sessions/${sessionId}`, secretary.getByRole('list', { name: '出席' }).getByText('郑长辈', { exact: true }))
    await secretary.getByRole('list', { name: '请假' }).getByText('外出开会', { exact: false }).waitFor()
    await measureWhole(secretary, '活动详情', ['保存会议记录'])
    await open(secretary, '/branch/materials', secretary.getByText('长辈巡检：学习资料').first())
    await measureWhole(secretary, '资料管理', ['发布资料'])
    await open(secretary, '/branch/materials/new', secretary.getByLabel('标题', { exact: true }))
    await measureWhole(secretary, '发布资料 form', ['发布'])
    await open(secretary, `/branch/materials/${materialId}/edit`, secretary.getByLabel('标题', { exact: true }))
    await measureWhole(secretary, 'material edit form', ['保存'])

    // 组织 (issue #14): the organisation secretary's pages, the member's records rolled up in them.
    await open(secretary, '/organisation', secretary.locator('li.organisation-branch').filter({ hasText: '长辈巡检二支部' }))
    await measureWhole(secretary, '组织')
    await open(secretary, '/organisation/grid', secretary.getByRole('region', { name: '各支部每周参学情况表，可左右滑动' }))
    await measureWhole(secretary, '组织 完成情况')
    await open(secretary, '/organisation/problems', secretary.locator('article.organisation-problem').filter({ hasText: '巡检：楼道灯坏了' }))
    await measureWhole(secretary, '组织 问题清单')
    await open(secretary, '/organisation/summary', secretary.locator('tr[data-figure="study.checkins"] a').first())
    await measureWhole(secretary, '组织 阶段性总结')
    await secretary.locator('tr[data-figure="study.checkins"] a').first().click()
    await secretary.waitForURL(/\/organisation\/records/)
    await secretary.getByText(/共 \d+ 条记录/).first().waitFor()
    await measureWhole(secretary, '组织 records')
    await open(secretary, `/organisation/report?month=${shanghaiDay().slice(0, 7)}`, secretary.getByRole('heading', { name: '一、主题教育开展情况' }))
    await measureWhole(secretary, '组织 总结 draft', ['定稿'])
    await open(page, '/organisation/join', page.getByLabel('组织邀请码', { exact: true }))
    await measureWhole(page, '组织管理员加入', ['加入组织'])

    expect(report()).toBe('')
    // The first-start question, and each page in both modes.
    expect(offenders.size).toBe(81)
    await context.close()
    await secretaryContext.close()
  })
})
