/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { db, outboxKey } from '@/app/db/database'
import { ForeignRecordError, saveRecord } from '@/app/db/records'
import { saveSession } from '@/app/db/session'
import { useNotesStore } from '@/app/stores/notes'
import { RecordLockedError, useProblemsStore } from '@/app/stores/problems'
import { RecordValidationError } from '@/app/stores/recordWriter'
import { useServiceStore } from '@/app/stores/service'
import { useSessionStore } from '@/app/stores/session'
import { useSettingsStore } from '@/app/stores/settings'
import { useSyncStore } from '@/app/stores/sync'
import { checkin, problem, readingNote, resetDevice, serviceLog } from './support/device'

const member = { id: '66666666-6666-4666-8666-666666666666', name: '张三', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }
const colleague = '77777777-7777-4777-8777-777777777777'

async function signedIn() {
  await saveSession('token-6', member)
  await useSessionStore().restore()
}

/** The app closed and opened again: fresh stores over the same database. */
async function reopen() {
  setActivePinia(createPinia())
  await signedIn()
}

beforeEach(async () => {
  setActivePinia(createPinia())
  await resetDevice()
  await signedIn()
})

async function errorOf(promise: Promise<unknown>): Promise<RecordValidationError> {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(RecordValidationError)
  return error as RecordValidationError
}

describe('service store', () => {
  it('saves a log as pending with its outbox entry, and refuses bad input at the fields', async () => {
    const service = useServiceStore()
    const id = await service.save(reactive(serviceLog('幸福社区', 2.5)))
    expect(await db.serviceLogs.get(id)).toMatchObject({ community: '幸福社区', hours: 2.5, week: '2026-W48', memberId: member.id, sync: 'pending' })
    expect(await db.outbox.get(outboxKey('serviceLogs', id))).toMatchObject({ table: 'serviceLogs', version: 1 })

    const error = await errorOf(service.save({ ...serviceLog(' '), hours: 1.25 }))
    expect(error.issues.map(issue => issue.path).sort()).toEqual(['data.community', 'data.hours'])
    expect(error.issues.find(issue => issue.path === 'data.hours')?.message).toBe('时长为 0.5–24 小时，以半小时为单位')
    useSettingsStore().locale = 'en'
    expect((await errorOf(service.save({ ...serviceLog('社区'), hours: 0 }))).issues[0]!.message).toMatch(/Hours/)
    expect(await db.serviceLogs.count()).toBe(1)
  })

  it('remembers the community last used, also after reopening, and forgets a deleted one', async () => {
    const service = useServiceStore()
    await vi.waitFor(() => expect(service.lastCommunity).toBe(''))
    await service.save(serviceLog('幸福社区'))
    const second = await service.save(serviceLog('和平社区'))
    await vi.waitFor(() => expect(service.lastCommunity).toBe('和平社区'))
    await reopen()
    const reopened = useServiceStore()
    await vi.waitFor(() => expect(reopened.lastCommunity).toBe('和平社区'))
    await reopened.remove(second)
    await vi.waitFor(() => expect(reopened.lastCommunity).toBe('幸福社区'))
  })

  it('deletes as a pending tombstone', async () => {
    const service = useServiceStore()
    const id = await service.save(serviceLog('幸福社区'))
    await service.remove(id)
    expect(await db.serviceLogs.get(id)).toMatchObject({ deleted: true, sync: 'pending' })
    expect(await db.outbox.get(outboxKey('serviceLogs', id))).toMatchObject({ version: 2 })
  })
})

describe('notes store', () => {
  it('keeps a draft across reopening the app, per key, and clears it when the note is saved', async () => {
    const notes = useNotesStore()
    await notes.saveDraft('new', { title: '《矛盾论》', reflection: '写到一半' })
    await reopen()
    const reopened = useNotesStore()
    expect(await reopened.loadDraft('new')).toEqual({ title: '《矛盾论》', reflection: '写到一半' })
    expect(await reopened.loadDraft('some-other-note')).toBeUndefined()
    const id = await reopened.save(readingNote('《矛盾论》', '写完了'))
    expect(await reopened.loadDraft('new')).toBeUndefined()
    expect(await db.readingNotes.get(id)).toMatchObject({ title: '《矛盾论》', reflection: '写完了', sync: 'pending' })

    await reopened.saveDraft(id, { title: '《矛盾论》', reflection: '修改中' })
    expect(await reopened.loadDraft(id)).toMatchObject({ reflection: '修改中' })
    await reopened.clearDraft(id)
    expect(await reopened.loadDraft(id)).toBeUndefined()
  })

  it('refuses a note without a reflection, keeping the draft', async () => {
    const notes = useNotesStore()
    await notes.saveDraft('new', { title: '只有标题' })
    const error = await errorOf(notes.save({ title: '只有标题', reflection: '' }))
    expect(error.issues.map(issue => issue.path)).toEqual(['data.reflection'])
    expect(await notes.loadDraft('new')).toEqual({ title: '只有标题' })
  })
})

describe('problems store', () => {
  it('records a problem as open with the reporter\'s name and branch', async () => {
    const problems = useProblemsStore()
    const id = await problems.save(problem('楼道灯不亮'))
    expect(await db.problems.get(id)).toMatchObject({ title: '楼道灯不亮', status: 'open', reporterName: '张三', branchId: 'b1', ownerName: null, sync: 'pending' })
    const error = await errorOf(problems.save({ ...problem(''), category: 'weather' as never }))
    expect(error.issues.map(issue => issue.path).sort()).toEqual(['data.category', 'data.title'])
  })

  it('deletes an own problem only while it is open, and never another member\'s', async () => {
    const problems = useProblemsStore()
    const open = await problems.save(problem('待解决的'))
    await problems.remove(open)
    expect(await db.problems.get(open)).toMatchObject({ deleted: true })

    const working = await problems.save(problem('推进中的'))
    await db.problems.update(working, { status: 'in_progress' })
    await expect(problems.remove(working)).rejects.toBeInstanceOf(RecordLockedError)
    expect(await db.problems.get(working)).toMatchObject({ deleted: false, status: 'in_progress' })

    const theirs = crypto.randomUUID()
    await db.problems.put({ ...problem('别人的'), id: theirs, memberId: colleague, week: '2026-W48', updatedAt: 1, deleted: false, sync: 'synced', reporterName: '李四', status: 'open', ownerName: null, resolution: null, statusUpdatedAt: null })
    await expect(problems.remove(theirs)).rejects.toBeInstanceOf(ForeignRecordError)
    await expect(problems.save(problem('改别人的'), theirs)).rejects.toBeInstanceOf(ForeignRecordError)
    expect(await db.problems.get(theirs)).toMatchObject({ title: '别人的', deleted: false })
    expect(await db.outbox.get(outboxKey('problems', theirs))).toBeUndefined()
  })
})

describe('signing out', () => {
  it('clears every table, the drafts and the outbox', async () => {
    await useServiceStore().save(serviceLog('幸福社区'))
    await useNotesStore().save(readingNote('笔记'))
    await useNotesStore().saveDraft('new', { title: '草稿' })
    await useProblemsStore().save(problem('问题'))
    await saveRecord('problems', colleague, crypto.randomUUID(), problem('同支部的问题'))
    await useSessionStore().signOut()
    for (const table of [db.studyCheckins, db.serviceLogs, db.readingNotes, db.problems, db.drafts, db.outbox, db.session])
      expect(await table.count()).toBe(0)
  })
})

describe('sync store counts', () => {
  it('counts waiting and refused records over every table, live', async () => {
    const sync = useSyncStore()
    const rejection = { code: 'validation_failed' as const, message: '时长为 0.5–24 小时，以半小时为单位' }
    await useServiceStore().save(serviceLog('幸福社区'))
    await useNotesStore().save(readingNote('笔记'))
    await vi.waitFor(() => expect(sync.pendingCount).toBe(2))
    await db.serviceLogs.put({ ...serviceLog('社区', 1.25), id: crypto.randomUUID(), memberId: member.id, week: '2026-W48', updatedAt: 1, deleted: false, sync: 'rejected', rejection })
    await db.studyCheckins.put({ ...checkin('超长', 900), id: crypto.randomUUID(), memberId: member.id, week: '2026-W48', updatedAt: 1, deleted: false, sync: 'rejected', rejection })
    // Another member's refused row is not this member's to fix.
    await db.readingNotes.put({ ...readingNote('别人的'), id: crypto.randomUUID(), memberId: colleague, updatedAt: 1, deleted: false, sync: 'rejected', rejection })
    await vi.waitFor(() => expect(sync.rejectedCount).toBe(2))
  })
})
