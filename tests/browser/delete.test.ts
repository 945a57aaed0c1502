import { describe, expect, it } from 'vitest'
import { pullAll, serverStudyCheckins } from './support/api'
import { addCheckin, checkinRow, joinInApp, syncStatus } from './support/app'
import { useBranchServer } from './support/site'

// Editing and deleting from the list reach the server as an update and a tombstone.
describe('editing and deleting a check-in', () => {
  const site = useBranchServer('城北党支部')

  it('edits minutes, then deletes after 确认删除, and the server keeps a tombstone', async () => {
    const { context, page } = await site.phone('page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '周十')
    await addCheckin(page, { topic: '学习《准则》《条例》', minutes: 40 })
    await expect.poll(async () => (await serverStudyCheckins(site.server.baseUrl, member.token)).length, { timeout: 60_000 }).toBe(1)

    await checkinRow(page, '学习《准则》《条例》').click()
    expect(await page.getByLabel('主题', { exact: true }).inputValue()).toBe('学习《准则》《条例》')
    expect(await page.getByLabel('学习形式', { exact: true }).inputValue()).toBe('branch_study')
    await page.getByLabel('时长（分钟）', { exact: true }).fill('75')
    await page.getByRole('button', { name: '保存', exact: true }).click()
    await page.getByText(/75 分钟/).first().waitFor()
    await expect.poll(async () => (await serverStudyCheckins(site.server.baseUrl, member.token))[0]?.data, { timeout: 60_000 }).toMatchObject({ minutes: 75 })

    await checkinRow(page, '学习《准则》《条例》').click()
    await page.getByRole('button', { name: '删除', exact: true }).click()
    const confirm = page.getByRole('dialog')
    await confirm.getByRole('button', { name: '确认删除', exact: true }).click()
    await page.waitForURL(/\/study$/)
    await page.getByText('本周未学习').first().waitFor()
    expect(await page.getByText('学习《准则》《条例》', { exact: true }).count()).toBe(0)

    await page.getByRole('button', { name: '立即同步' }).click()
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 60_000 }).toMatch(/已同步/)
    await expect.poll(async () => (await serverStudyCheckins(site.server.baseUrl, member.token)).length, { timeout: 60_000 }).toBe(0)
    const rows = await pullAll(site.server.baseUrl, member.token)
    expect(rows.filter(r => r.table === 'studyCheckins')).toEqual([expect.objectContaining({ deleted: true })])
    await context.close()
  })
})
