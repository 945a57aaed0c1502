import { beforeAll, describe, expect, it } from 'vitest'
import { joinByApi } from './support/api'
import { action, joinInApp } from './support/app'
import { newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { materialEntry, openMaterialsTab, readerBlock, seedMaterial } from './support/materials'
import { useBranchServer } from './support/site'

const TITLE = '下载测试：党章学习'
const PARAGRAPH = '党章是党的根本大法，是全党必须遵循的总规矩。'
const BODY = ['# 党章学习', PARAGRAPH, '学习党章要逐条逐句，做到熟记于心。'].join('\n')

// A material's text comes apart from the pull (GET /materials/:id). When that download fails the list
// says so and the reader says the text is not on the phone yet; the next sync fetches it again.
describe('material downloads', () => {
  const site = useBranchServer('下载党支部')

  beforeAll(async () => {
    const secretary = await joinByApi(site.server.baseUrl, site.branch.secretaryInviteCode, '邓书记')
    await seedMaterial(site.server.baseUrl, secretary.token, { title: TITLE, category: 'classic', body: BODY })
  })

  it('shows a failed download, says the text is not on the phone, and fetches it on the next sync', async () => {
    const context = await newPhoneContext(site.browser)
    // The text's address fails (as on a connection that drops mid-way); the pull itself goes through.
    const textUrl = /\/api\/v1\/materials\/[0-9a-f-]{36}$/
    let attempts = 0
    await context.route(textUrl, async (route) => {
      attempts++
      await route.abort('connectionreset')
    })
    const page = await context.newPage()
    reportPageOnFailure(page, 'page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '曹下载')
    await openMaterialsTab(page)
    const entry = materialEntry(page, TITLE)
    await entry.getByText(/下载未完成/).first().waitFor({ timeout: 30_000 })
    expect(attempts).toBeGreaterThan(0)
    expect(await entry.getByText('已下载').count()).toBe(0)
    await page.getByText(/手机已存 0 篇/).first().waitFor()

    await entry.getByText(TITLE, { exact: true }).first().click()
    await page.waitForURL(/\/materials\/[0-9a-f-]{36}/)
    await page.getByText('正文还没有下载到这台手机，联网后会自动下载。').first().waitFor()
    expect(await page.getByText(PARAGRAPH, { exact: true }).count()).toBe(0)

    await context.unroute(textUrl)
    await action(page, '立即同步').click()
    await readerBlock(page, PARAGRAPH).waitFor({ timeout: 30_000 })
    await openMaterialsTab(page, TITLE)
    await page.getByText(/手机已存 1 篇 · [\d.]+ KB/).first().waitFor()
    await context.close()
  })
})
