import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { pullAll, serverStudyCheckins } from './support/api'
import { action, addCheckin, checkinRow, fillAndSaveProblem, fillAndSaveService, fillNote, joinInApp, openNewNote, openNewService, saveNote, syncStatus, tab } from './support/app'
import { useBranchServer } from './support/site'

/**
 * Opens the record shown as `entry` in its list, taps 删除 and 确认删除, and waits until the page has
 * either gone back to `list` or settled on its 找不到… notice; returns the path it ended on.
 */
async function deleteFromList(page: Page, entry: string, list: string): Promise<string> {
  await page.getByText(entry, { exact: true }).first().click()
  await page.getByRole('button', { name: '删除', exact: true }).click()
  await page.getByRole('dialog').getByRole('button', { name: '确认删除', exact: true }).click()
  await page.waitForFunction(list => location.pathname === list || document.body.textContent?.includes('找不到'), list)
  return await page.evaluate(() => location.pathname)
}

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
    expect(await page.getByLabel('学习形式', { exact: true }).inputValue()).toBe('self_study')
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

  // The live list sees the row vanish as soon as it is deleted; the page must still leave for the
  // list rather than show 找不到…, whatever wins the race, so each kind is deleted a few times.
  it('goes back to the list after deleting a check-in, a service log, a reading note or a problem', async () => {
    const { context, page, errors } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '孙删除')
    for (let round = 1; round <= 3; round++) {
      const topic = `删除测试签到 ${round}`
      await addCheckin(page, { topic, minutes: 30 })
      expect(await deleteFromList(page, topic, '/study')).toBe('/study')
      await page.getByRole('button', { name: '签到', exact: true }).waitFor()
      await expect.poll(() => page.getByText(topic, { exact: true }).count()).toBe(0)
    }

    await tab(page, '服务').click()
    for (let round = 1; round <= 3; round++) {
      const description = `删除测试服务 ${round}`
      await openNewService(page)
      await fillAndSaveService(page, { community: '删除社区', activity: '志愿服务', hours: 1, description })
      expect(await deleteFromList(page, description, '/service')).toBe('/service')
      await action(page, '记录服务').waitFor()
      await expect.poll(() => page.getByText(description, { exact: true }).count()).toBe(0)
    }

    for (let round = 1; round <= 3; round++) {
      const title = `删除测试问题 ${round}`
      await action(page, '记录问题').click()
      await fillAndSaveProblem(page, { title, category: '民生', community: '删除社区' })
      expect(await deleteFromList(page, title, '/service')).toBe('/service')
      await action(page, '记录问题').waitFor()
      await expect.poll(() => page.getByText(title, { exact: true }).count()).toBe(0)
    }

    await tab(page, '笔记').click()
    for (let round = 1; round <= 3; round++) {
      const title = `删除测试笔记 ${round}`
      await openNewNote(page)
      await fillNote(page, { title, reflection: '删完应当回到笔记列表。' })
      await saveNote(page)
      expect(await deleteFromList(page, title, '/notes')).toBe('/notes')
      await action(page, '写笔记').waitFor()
      await expect.poll(() => page.getByText(title, { exact: true }).count()).toBe(0)
    }
    expect(errors).toEqual([])
    await context.close()
  })
})
