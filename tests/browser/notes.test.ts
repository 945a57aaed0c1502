import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { serverRows } from './support/api'
import { action, fillNote, joinInApp, openNewNote, saveNote, syncStatus, tab, waitForServiceWorkerControl, waitForSynced } from './support/app'
import { newPhoneContext } from './support/browser'
import { reportPageOnFailure } from './support/diagnose'
import { useBranchServer } from './support/site'
import { storedRows } from './support/storage'

const PEOPLE = {
  title: '《习近平谈治国理政》第四卷',
  source: '第一章 第12页',
  excerpt: '江山就是人民，人民就是江山。',
  reflection: '为人民服务是我们党的根本宗旨，要在社区服务中落到实处。',
}
const REVOLUTION = {
  title: '《论党的自我革命》',
  reflection: '全面从严治党永远在路上，党员要时时对照检查。',
}

/** Whether a note with this title is in the list now. */
function noteTitle(page: Page, title: string) {
  return page.getByText(title, { exact: true })
}

/** Waits until the app has written a draft holding `text` to IndexedDB. */
async function draftStored(page: Page, text: string): Promise<void> {
  await expect.poll(async () => JSON.stringify(await storedRows(page, 'drafts')), { timeout: 20_000, interval: 100 }).toContain(text)
}

// 笔记: notes written offline are found by any word of their reflection while typing, and a note
// being typed survives the app being closed.
describe('reading notes', () => {
  const site = useBranchServer('读书党支部')

  it('writes notes offline, counts the reflection\'s characters, and finds a note by a word of it', async () => {
    const { context, page, errors } = await site.phone('page')
    const member = await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '吴读书')
    await waitForServiceWorkerControl(page)
    await tab(page, '笔记').click()
    await action(page, '写笔记').waitFor()
    await context.setOffline(true)
    await expect.poll(() => syncStatus(page).textContent(), { timeout: 20_000 }).toContain('离线')

    await openNewNote(page)
    await page.getByText('字数 0', { exact: true }).waitFor()
    await fillNote(page, PEOPLE)
    await page.getByText(`字数 ${[...PEOPLE.reflection].length}`, { exact: true }).waitFor()
    await saveNote(page)
    await openNewNote(page)
    await fillNote(page, REVOLUTION)
    await saveNote(page)
    await noteTitle(page, PEOPLE.title).first().waitFor()
    await noteTitle(page, REVOLUTION.title).first().waitFor()

    const search = page.getByLabel('搜索笔记', { exact: true })
    await search.pressSequentially('根本宗旨')
    await expect.poll(() => noteTitle(page, REVOLUTION.title).count()).toBe(0)
    await noteTitle(page, PEOPLE.title).first().waitFor()
    // The excerpt and the title are searched too.
    await search.fill('江山')
    await noteTitle(page, PEOPLE.title).first().waitFor()
    await expect.poll(() => noteTitle(page, REVOLUTION.title).count()).toBe(0)
    await search.fill('自我革命')
    await noteTitle(page, REVOLUTION.title).first().waitFor()
    await expect.poll(() => noteTitle(page, PEOPLE.title).count()).toBe(0)
    await search.fill('')
    await noteTitle(page, PEOPLE.title).first().waitFor()
    await noteTitle(page, REVOLUTION.title).first().waitFor()

    // Still there and searchable after an offline reload.
    await page.reload()
    await page.getByLabel('搜索笔记', { exact: true }).fill('对照检查')
    await noteTitle(page, REVOLUTION.title).first().waitFor()
    await expect.poll(() => noteTitle(page, PEOPLE.title).count()).toBe(0)

    await context.setOffline(false)
    await waitForSynced(page)
    const stored = await serverRows(site.server.baseUrl, member.token, 'readingNotes')
    const byTitle = (a: { title: string }, b: { title: string }) => a.title.localeCompare(b.title)
    expect(stored.map(r => r.data as { title: string }).sort(byTitle)).toEqual(
      [PEOPLE, REVOLUTION].sort(byTitle).map(note => expect.objectContaining({ ...note, memberId: member.member.id })),
    )
    expect(errors).toEqual([])
    await context.close()
  })

  it('restores a draft typed before the app was closed, and forgets it once saved', async () => {
    const context = await newPhoneContext(site.browser)
    let page = await context.newPage()
    reportPageOnFailure(page, 'page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '郑草稿')
    await tab(page, '笔记').click()
    await openNewNote(page)
    const draft = { title: '《中国共产党章程》', reflection: '党章是党的根本大法，要逐条学习。' }
    await fillNote(page, draft)
    await draftStored(page, draft.reflection)

    // The app is closed mid-typing and opened again from its start page.
    await page.close()
    page = await context.newPage()
    reportPageOnFailure(page, 'reopened')
    await page.goto(site.server.baseUrl)
    await tab(page, '笔记').click()
    await openNewNote(page)
    await page.getByText('已恢复草稿').first().waitFor()
    expect(await page.getByLabel('书名或篇目', { exact: true }).inputValue()).toBe(draft.title)
    expect(await page.getByLabel('心得体会', { exact: true }).inputValue()).toBe(draft.reflection)
    await page.getByText(`字数 ${[...draft.reflection].length}`, { exact: true }).waitFor()
    await saveNote(page)
    await noteTitle(page, draft.title).first().waitFor()

    await openNewNote(page)
    expect(await page.getByLabel('书名或篇目', { exact: true }).inputValue()).toBe('')
    expect(await page.getByText('已恢复草稿').count()).toBe(0)
    await context.close()
  })

  it('restores a draft after the form page itself is reloaded', async () => {
    const { context, page } = await site.phone('page')
    await joinInApp(page, site.server.baseUrl, site.branch.memberInviteCode, '王重载')
    await tab(page, '笔记').click()
    await openNewNote(page)
    const draft = { title: '《关于新时代党的建设》', reflection: '重载之前写下的半句心得' }
    await fillNote(page, draft)
    await draftStored(page, draft.reflection)

    // A reload of the form lands on the list (the form would otherwise open empty-handed); 写笔记 brings the draft back.
    await page.reload()
    await page.waitForURL(/\/notes$/)
    await openNewNote(page)
    await page.getByText('已恢复草稿').first().waitFor()
    expect(await page.getByLabel('书名或篇目', { exact: true }).inputValue()).toBe(draft.title)
    expect(await page.getByLabel('心得体会', { exact: true }).inputValue()).toBe(draft.reflection)
    await context.close()
  })
})
