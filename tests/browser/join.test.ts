import type { ApiErrorBody, SetupResponse } from '../../src/domain/wire'
import { describe, expect, it } from 'vitest'
import { joinByApi } from './support/api'
import { joinInApp, tab } from './support/app'
import { reportPageOnFailure } from './support/diagnose'
import { createBranch } from './support/server'
import { useServer } from './support/site'

describe('joining and first-run setup', () => {
  const site = useServer()

  // Runs first: the server printed the link because its database is empty.
  it('creates the first branch from the printed setup link, once', async () => {
    const [, printedLink] = await site.server.waitForOutput(/setup: (http:\/\/\S+\/setup\?code=\S+)/)
    const code = new URL(printedLink!).searchParams.get('code')!
    expect(code).toBeTruthy()
    const link = `${site.server.baseUrl}/setup?code=${encodeURIComponent(code)}`

    const { context, page } = await site.phone('page')
    await page.goto(link)
    await page.getByLabel('支部名称', { exact: true }).fill('城东社区党支部')
    await page.getByLabel('您的姓名', { exact: true }).fill('陈书记')
    const created = page.waitForResponse(r => r.url().endsWith('/api/v1/setup') && r.request().method() === 'POST')
    await page.getByRole('button', { name: '创建支部' }).click()
    const response = await created
    expect(response.status()).toBe(201)
    const setup = await response.json() as SetupResponse
    expect(setup.member.role).toBe('secretary')

    // Both codes are on screen, named by their labels.
    expect(await page.getByLabel('党员邀请码', { exact: true }).inputValue()).toBe(setup.memberInviteCode)
    expect(await page.getByLabel('书记邀请码', { exact: true }).inputValue()).toBe(setup.secretaryInviteCode)

    await page.getByRole('button', { name: '进入应用' }).click()
    await page.waitForURL(/\/study/)
    await tab(page, '支部').waitFor()

    // The shown member code really admits a member.
    const joined = await joinByApi(site.server.baseUrl, setup.memberInviteCode, '周党员')
    expect(joined.member).toMatchObject({ role: 'member', branchName: '城东社区党支部' })

    // The link is dead now: the API says so and the page says so instead of offering the form.
    const check = await fetch(`${site.server.baseUrl}/api/v1/setup?code=${encodeURIComponent(code)}`)
    expect(await check.json()).toEqual({ valid: false })
    const again = await fetch(`${site.server.baseUrl}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, branchName: '冒名支部', name: '某人' }),
    })
    expect(again.status).toBe(403)
    expect(((await again.json()) as ApiErrorBody).error.code).toBe('invalid_invite')

    const { context: laterContext, page: laterPage } = await site.phone('laterPage')
    await laterPage.goto(link)
    await laterPage.getByText(/链接已失效/).first().waitFor()
    expect(await laterPage.getByRole('button', { name: '创建支部' }).count()).toBe(0)
    await laterContext.close()
    await context.close()
  })

  it('shows the server\'s message for a wrong invite code and stays on 加入', async () => {
    const { context, page } = await site.phone('page')
    await page.goto(`${site.server.baseUrl}/join`)
    await page.getByLabel('邀请码', { exact: true }).fill('NOT-A-REAL-CODE')
    await page.getByLabel('姓名', { exact: true }).fill('张三')
    const answered = page.waitForResponse(r => r.url().endsWith('/api/v1/join'))
    await page.getByRole('button', { name: '加入支部' }).click()
    const response = await answered
    expect(response.status()).toBe(403)
    const { error } = await response.json() as ApiErrorBody
    expect(error.code).toBe('invalid_invite')
    await page.getByText(error.message).first().waitFor()
    expect(new URL(page.url()).pathname).toBe('/join')
    await context.close()
  })

  it('reopens straight to 学习 with a kept session', async () => {
    const branch = await createBranch(site.server, '城西党支部')
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, branch.memberInviteCode, '孙七')
    await page.close()

    const reopened = await context.newPage()

    reportPageOnFailure(reopened, 'reopened')
    await reopened.goto(`${site.server.baseUrl}/`)
    await reopened.waitForURL(/\/study/)
    await reopened.getByRole('button', { name: '签到', exact: true }).waitFor()
    await tab(reopened, '我的').click()
    await reopened.getByText('孙七').first().waitFor()
    await reopened.getByText('城西党支部').first().waitFor()
    // A member has no 支部 tab.
    expect(await tab(reopened, '支部').count()).toBe(0)
    await context.close()
  })
})
