import type { Request } from 'playwright-core'
import type { SyncRequest } from '../../src/domain/wire'
import { describe, expect, it } from 'vitest'
import { serverStudyCheckins } from './support/api'
import { addCheckin, checkinRow, deferred, fillAndSaveCheckin, joinInApp, syncStatus } from './support/app'
import { useBranchServer } from './support/site'

// "A record edited while its push is in flight stays pending: no edit is ever lost."
describe('an edit made while its push is in flight', () => {
  const site = useBranchServer('第二党支部')

  it('is pushed after the held request and wins on the server', async () => {
    // No service worker here: page.route must see the app's own fetches.
    const { context, page } = await site.phone('page', { serviceWorkers: 'block' })
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '王五')

    const { promise: released, resolve: release } = deferred<void>()
    const { promise: heldRequest, resolve: arrived } = deferred<Request>()
    let holding = false
    const pushedTopics: string[] = []
    await page.route('**/api/v1/sync', async (route) => {
      const body = route.request().postDataJSON() as SyncRequest
      const checkins = body.changes.filter(c => c.table === 'studyCheckins')
      for (const change of checkins) {
        if (change.data && 'topic' in change.data)
          pushedTopics.push(change.data.topic)
      }
      if (!holding && checkins.length > 0) {
        holding = true
        arrived(route.request())
        await released
      }
      await route.continue()
    })

    await addCheckin(page, { topic: '初稿：学习二十大报告', minutes: 60 })
    const held = await heldRequest
    expect(pushedTopics).toEqual(['初稿：学习二十大报告'])

    // While the first push waits on the wire, the member corrects the topic.
    await checkinRow(page, '初稿：学习二十大报告').click()
    await fillAndSaveCheckin(page, { topic: '定稿：学习二十大报告', minutes: 60 })
    await checkinRow(page, '定稿：学习二十大报告').waitFor()

    const heldResponse = page.waitForResponse(r => r.request() === held)
    release()
    await heldResponse

    // Whatever the app did meanwhile, the edit must still be local and reach the server.
    await checkinRow(page, '定稿：学习二十大报告').waitFor()
    await page.getByRole('button', { name: '立即同步' }).click()
    await expect.poll(async () => {
      const stored = await serverStudyCheckins(site.server.baseUrl, member.token)
      return stored.map(r => (r.data as { topic?: string }).topic)
    }, { timeout: 60_000 }).toEqual(['定稿：学习二十大报告'])
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 60_000 }).toContain('已同步')
    expect(await syncStatus(page).textContent()).not.toContain('待同步')
    expect(pushedTopics.at(-1)).toBe('定稿：学习二十大报告')
    expect(await page.getByText('初稿：学习二十大报告', { exact: true }).count()).toBe(0)

    await context.close()
  })
})
