/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import { db, outboxKey } from '@/app/db/database'
import { getClientId } from '@/app/db/meta'
import { saveSession } from '@/app/db/session'
import { nextUpdatedAt, saveStudyCheckin } from '@/app/db/studyCheckins'
import { useSessionStore } from '@/app/stores/session'
import { RecordValidationError, useStudyStore } from '@/app/stores/study'
import { checkin, resetDevice } from './support/device'

const member = { id: '11111111-1111-4111-8111-111111111111', name: '张三', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }

async function signedInStores() {
  await saveSession('token-1', member)
  const session = useSessionStore()
  await session.restore()
  return { session, study: useStudyStore() }
}

beforeEach(async () => {
  setActivePinia(createPinia())
  await resetDevice()
})

describe('saving a check-in', () => {
  it('stores the record as pending and queues it, in one transaction', async () => {
    const { study } = await signedInStores()
    const id = await study.save(reactive(checkin('学习党章')))
    const row = await db.studyCheckins.get(id)
    expect(row).toMatchObject({ id, memberId: member.id, topic: '学习党章', week: '2026-W48', deleted: false, sync: 'pending' })
    expect(await db.outbox.get(outboxKey('studyCheckins', id))).toMatchObject({ table: 'studyCheckins', id, version: 1 })
  })

  it('stores neither the record nor the entry when the outbox write fails', async () => {
    const id = '22222222-2222-4222-8222-222222222222'
    const failOutbox = () => {
      throw new Error('outbox write failed')
    }
    db.outbox.hook('creating', failOutbox)
    try {
      await expect(saveStudyCheckin(member.id, id, checkin('不会留下'))).rejects.toThrow('outbox write failed')
    }
    finally {
      db.outbox.hook('creating').unsubscribe(failOutbox)
    }
    expect(await db.studyCheckins.get(id)).toBeUndefined()
    expect(await db.outbox.count()).toBe(0)
  })

  it('bumps the outbox version on every edit and keeps one entry per record', async () => {
    const { study } = await signedInStores()
    const id = await study.save(checkin('第一稿'))
    await study.save(checkin('第二稿'), id)
    await study.save(checkin('第三稿'), id)
    expect(await db.outbox.toArray()).toEqual([expect.objectContaining({ id, version: 3 })])
    expect((await db.studyCheckins.get(id))?.topic).toBe('第三稿')
  })

  it('never stamps an edit earlier than the previous one, even when the clock goes back', async () => {
    expect(nextUpdatedAt(undefined, 1000)).toBe(1000)
    expect(nextUpdatedAt(5000, 1000)).toBe(5001)
    expect(nextUpdatedAt(5000, 9000)).toBe(9000)
    const id = '33333333-3333-4333-8333-333333333333'
    const first = await saveStudyCheckin(member.id, id, checkin('钟快了'), 2_000_000_000_000)
    const second = await saveStudyCheckin(member.id, id, checkin('钟回拨'), 1_000_000_000_000)
    expect(second.updatedAt).toBe(first.updatedAt + 1)
  })

  it('refuses bad input with field paths and stores nothing', async () => {
    const { study } = await signedInStores()
    const error = await study.save({ ...checkin(' '), minutes: 0 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecordValidationError)
    expect((error as RecordValidationError).issues.map(issue => issue.path).sort()).toEqual(['data.minutes', 'data.topic'])
    expect(await db.studyCheckins.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it('refuses to write with nobody signed in', async () => {
    const study = useStudyStore()
    await expect(study.save(checkin('无人登录'))).rejects.toThrow(/sign in/i)
  })
})

describe('deleting a check-in', () => {
  it('leaves a pending tombstone and queues it', async () => {
    const { study } = await signedInStores()
    const id = await study.save(checkin('要删除的'))
    const before = (await db.studyCheckins.get(id))!.updatedAt
    await study.remove(id)
    const row = await db.studyCheckins.get(id)
    expect(row).toMatchObject({ deleted: true, sync: 'pending' })
    expect(row!.updatedAt).toBeGreaterThan(before)
    expect(await db.outbox.get(outboxKey('studyCheckins', id))).toMatchObject({ version: 2 })
  })
})

describe('the device id', () => {
  it('is made once and kept', async () => {
    const first = await getClientId()
    expect(first).toMatch(/^[0-9a-f-]{36}$/)
    expect(await getClientId()).toBe(first)
  })
})
