import type { Locator, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi } from './support/api'
import { action, addCheckin, answerElderPrompt, checkinRow, elderPrompt, joinInApp, tab } from './support/app'
import { a11yAudits } from './support/axe'
import { fontSizeOf, longMaterialBody, materialEntry, openMaterialsTab, openReader, readerBlock, seedMaterial } from './support/materials'
import { targetOffenders, targetSize, textOffenders, visibleTargets, visibleTexts } from './support/measure'
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
// largest size), and axe-clean in both modes on 学习, 资料, the reader and 我的.
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
    // The same measures find small text in normal mode: they would catch 长辈模式 not applying.
    expect(textOffenders(await visibleTexts(page), 18, 1.3)).not.toEqual([])
    await openMaterialsTab(page, TITLE)
    await audit(page, '资料 (normal)')
    const normalEntryHeight = (await targetSize(materialEntry(page, TITLE))).height
    await openReader(page, TITLE)
    await readerBlock(page, MATERIAL.paragraphs[0]!).waitFor()
    await audit(page, 'reader (normal)')
    expect(await pressAll(page, 'A+', px => px === 36)).toBe(36)
    expect(await pressAll(page, 'A-', px => px === 14)).toBe(14)
    await tab(page, '我的').click()
    const elderSwitch = page.getByRole('switch', { name: '长辈模式' }).or(page.getByRole('checkbox', { name: '长辈模式' })).first()
    await elderSwitch.waitFor()
    await audit(page, '我的 (normal)')

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
