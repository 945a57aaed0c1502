/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { SyncTransport } from '@/app/sync/engine'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, apiContext, ApiError, configureApi } from '@/app/api/client'
import { db } from '@/app/db/database'
import { getCursor, getMeta } from '@/app/db/meta'
import { saveStudyCheckin } from '@/app/db/studyCheckins'
import { useSessionStore } from '@/app/stores/session'
import { useSettingsStore } from '@/app/stores/settings'
import { useStudyStore } from '@/app/stores/study'
import { PERIODIC_SYNC_MS, useSyncStore } from '@/app/stores/sync'
import { RETRY_BASE_MS } from '@/app/sync/backoff'
import { runSyncPass } from '@/app/sync/engine'
import { checkin, useDeviceOnBranch } from './support/device'
import { pullEverything, startRealServer, syncOverHttp } from './support/server'

const site = useDeviceOnBranch('第二支部')

afterEach(async () => {
  const sync = useSyncStore()
  sync.stop()
  await sync.idle()
  vi.unstubAllGlobals()
})

describe('session store', () => {
  it('joins with an invite code, keeps the session on the device, and restores it', async () => {
    const session = useSessionStore()
    const member = await session.join(` ${site.branch.memberInviteCode} `, ' 张三 ')
    expect(member).toMatchObject({ name: '张三', role: 'member', branchName: '第二支部' })
    expect(session.member?.id).toBe(member.id)
    expect(session.isSecretary).toBe(false)
    expect(apiContext().token).toBeTruthy()

    setActivePinia(createPinia())
    configureApi({ token: null })
    const reopened = useSessionStore()
    expect(reopened.restored).toBe(false)
    await reopened.restore()
    expect(reopened.restored).toBe(true)
    expect(reopened.member).toEqual(member)
    expect((await api.me()).member.id).toBe(member.id)
  })

  it('makes a secretary from the secretary code', async () => {
    const session = useSessionStore()
    await session.join(site.branch.secretaryInviteCode, '书记')
    expect(session.isSecretary).toBe(true)
  })

  it('stores nothing when the invite code is wrong', async () => {
    const session = useSessionStore()
    const error = await session.join('wrong-code', '张三').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 403, code: 'invalid_invite' })
    expect(session.member).toBeNull()
    expect(await db.session.count()).toBe(0)
  })

  it('signs out: session, records, outbox, cursor and sync time are gone', async () => {
    const session = useSessionStore()
    const study = useStudyStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    await study.save(checkin('已同步的'))
    await sync.syncNow()
    await study.save(checkin('还在等待的'))
    expect(await getCursor()).not.toBeNull()
    expect(await db.outbox.count()).toBe(1)
    await vi.waitFor(() => expect(sync.pendingCount).toBe(1))

    await session.signOut()
    expect(session.member).toBeNull()
    expect(apiContext().token).toBeNull()
    expect(await db.session.count()).toBe(0)
    expect(await db.studyCheckins.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
    expect(await getCursor()).toBeNull()
    expect(await getMeta('lastSyncedAt')).toBeUndefined()
    await vi.waitFor(() => expect(sync.pendingCount).toBe(0))
  })

  it('a new member joining on the device does not inherit the previous one\'s records', async () => {
    const session = useSessionStore()
    const study = useStudyStore()
    await session.join(site.branch.memberInviteCode, '张三')
    await study.save(checkin('张三的记录'))
    await session.join(site.branch.memberInviteCode, '李四')
    expect(await db.studyCheckins.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })
})

describe('first-run setup and a revoked token', () => {
  it('creates the branch from the one-time code and signs in as its secretary; the link is dead after', async () => {
    const setupServer = await startRealServer({ setupCode: 'first-run-code' })
    try {
      configureApi({ baseUrl: setupServer.baseUrl })
      expect(await api.checkSetup('first-run-code')).toEqual({ valid: true })
      const session = useSessionStore()
      const created = await session.setup('first-run-code', '新建支部', '王书记')
      expect(created.member).toMatchObject({ role: 'secretary', branchName: '新建支部', name: '王书记' })
      expect(created.memberInviteCode).toBeTruthy()
      expect(created.secretaryInviteCode).toBeTruthy()
      expect(session.isSecretary).toBe(true)
      expect((await db.session.get('current'))?.member.id).toBe(created.member.id)
      expect(await api.checkSetup('first-run-code')).toEqual({ valid: false })
      await expect(session.setup('first-run-code', '又一个支部', '张三')).rejects.toMatchObject({ status: 403, code: 'invalid_invite' })
    }
    finally {
      await setupServer.close()
    }
  })

  it('restores offline at once, then flags the session revoked when the server says 401', async () => {
    const session = useSessionStore()
    const joined = await session.join(site.branch.memberInviteCode, '张三')
    await db.session.update('current', { token: 'a-token-the-server-does-not-know' })
    setActivePinia(createPinia())
    const reopened = useSessionStore()
    await reopened.restore()
    expect(reopened.member?.id).toBe(joined.id)
    await vi.waitFor(() => expect(reopened.revoked).toBe(true))
  })
})

describe('settings store', () => {
  it('keeps the language on the device and sends it to the server', async () => {
    const settings = useSettingsStore()
    await settings.load()
    expect(settings.locale).toBe('zh-CN')
    await settings.setLocale('en')
    expect(apiContext().locale).toBe('en')
    const wrong = await api.join({ inviteCode: 'wrong', name: 'x' }).then(() => null, (e: ApiError) => e)
    expect(wrong).toBeInstanceOf(ApiError)
    expect(wrong?.message).not.toMatch(/[\u4E00-\u9FFF]/)

    setActivePinia(createPinia())
    configureApi({ locale: 'zh-CN' })
    const reopened = useSettingsStore()
    await reopened.load()
    expect(reopened.locale).toBe('en')
    expect(apiContext().locale).toBe('en')
  })
})

describe('sync store', () => {
  it('syncs now: pushes the outbox to the server, counts live, and records the time', async () => {
    const session = useSessionStore()
    const study = useStudyStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    const id = await study.save(checkin('立即同步'))
    await vi.waitFor(() => expect(sync.pendingCount).toBe(1))
    await sync.syncNow()
    expect(sync.syncing).toBe(false)
    expect(sync.lastError).toBeNull()
    expect(sync.lastSyncedAt).toEqual(expect.any(Number))
    expect(sync.lastSummary).toMatchObject({ pushed: 1, applied: 1 })
    await vi.waitFor(() => expect(sync.pendingCount).toBe(0))
    const rows = await pullEverything(site.server.baseUrl, apiContext().token!)
    expect(rows.map(r => r.id)).toContain(id)
  })

  it('pushes shortly after a save once started (no button needed)', async () => {
    const session = useSessionStore()
    const study = useStudyStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    await sync.start()
    const id = await study.save(checkin('保存后自动同步'))
    expect((await db.studyCheckins.get(id))?.sync).toBe('pending')
    await vi.waitFor(async () => expect((await db.studyCheckins.get(id))?.sync).toBe('synced'), { timeout: 15_000, interval: 100 })
    await vi.waitFor(() => expect(sync.pendingCount).toBe(0))
  })

  it('runs one pass at a time however often it is asked', async () => {
    const session = useSessionStore()
    const study = useStudyStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    for (let i = 0; i < 3; i++)
      await study.save(checkin(`第${i}条`))
    let inFlight = 0
    let maxInFlight = 0
    const pushes: number[] = []
    const transport: SyncTransport = {
      async sync(request) {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        if (request.changes.length > 0)
          pushes.push(request.changes.length)
        try {
          return await api.sync(request)
        }
        finally {
          inFlight--
        }
      },
    }
    sync.setTransport(transport)
    await Promise.all([sync.syncNow(), sync.syncNow(), sync.syncNow()])
    expect(maxInFlight).toBe(1)
    expect(pushes).toEqual([3])
    expect(await db.outbox.count()).toBe(0)
  })

  it('retries with growing, jittered delays while the server cannot be reached', async () => {
    const session = useSessionStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    configureApi({ baseUrl: 'http://127.0.0.1:9' })
    await sync.start()
    expect(sync.lastError).toBeTruthy()
    const first = sync.nextRetryAt! - Date.now()
    expect(first).toBeGreaterThan(0)
    expect(first).toBeLessThanOrEqual(RETRY_BASE_MS * 1.5)
    // Three asks joining one failed pass count as one failure.
    await Promise.all([sync.syncNow(), sync.syncNow(), sync.syncNow()])
    const second = sync.nextRetryAt! - Date.now()
    expect(second).toBeGreaterThan(RETRY_BASE_MS * 2 * 0.5 - 1000)
    expect(second).toBeLessThanOrEqual(RETRY_BASE_MS * 2 * 1.5)

    // Back online: the next sync succeeds and no retry is left planned.
    configureApi({ baseUrl: site.server.baseUrl })
    await sync.syncNow()
    expect(sync.lastError).toBeNull()
    expect(sync.nextRetryAt).toBeNull()
  })

  it('ends its failure once another tab of the phone has synced, without a pass of its own', async () => {
    const session = useSessionStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    configureApi({ baseUrl: 'http://127.0.0.1:9' })
    await sync.start()
    expect(sync.lastError).toBeTruthy()
    expect(sync.nextRetryAt).not.toBeNull()

    // Another tab shares this IndexedDB: its pass reaches the server and records the time.
    configureApi({ baseUrl: site.server.baseUrl })
    await runSyncPass(api, { memberId: session.member!.id })
    await vi.waitFor(() => expect(sync.lastError).toBeNull())
    expect(sync.nextRetryAt).toBeNull()
    expect(sync.lastSyncedAt).toBe(await getMeta<number>('lastSyncedAt'))
    expect(sync.lastSummary).toBeNull()
  })

  it('stops retrying and flags the session revoked on 401', async () => {
    const session = useSessionStore()
    const study = useStudyStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    await study.save(checkin('令牌失效'))
    configureApi({ token: 'revoked-token' })
    await sync.start()
    expect(session.revoked).toBe(true)
    expect(sync.nextRetryAt).toBeNull()
    expect(await db.outbox.count()).toBe(1)
    // Further asks do nothing until the member joins again.
    const { transport, calls } = countingTransport()
    sync.setTransport(transport)
    await sync.syncNow()
    expect(calls()).toBe(0)
  })

  it('syncs when the browser comes back online and when the app returns to the foreground', async () => {
    const page = new EventTarget()
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' })
    const nav = { onLine: false }
    vi.stubGlobal('window', page)
    vi.stubGlobal('document', doc)
    vi.stubGlobal('navigator', nav)
    const session = useSessionStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    configureApi({ baseUrl: 'http://127.0.0.1:9' })
    await sync.start()
    expect(sync.online).toBe(false)
    expect(sync.lastError).toBeTruthy()

    // Coming online: sync at once (the server is reachable again).
    const id = crypto.randomUUID()
    await saveStudyCheckin(session.member!.id, id, checkin('恢复网络'))
    configureApi({ baseUrl: site.server.baseUrl })
    nav.onLine = true
    page.dispatchEvent(new Event('online'))
    expect(sync.online).toBe(true)
    await vi.waitFor(async () => expect((await db.studyCheckins.get(id))?.sync).toBe('synced'))
    await vi.waitFor(() => expect(sync.lastError).toBeNull())

    // Hidden then visible again: sync on return to the foreground.
    const later = crypto.randomUUID()
    await saveStudyCheckin(session.member!.id, later, checkin('回到前台'))
    doc.visibilityState = 'hidden'
    doc.dispatchEvent(new Event('visibilitychange'))
    await sync.idle()
    expect((await db.studyCheckins.get(later))?.sync).toBe('pending')
    doc.visibilityState = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(async () => expect((await db.studyCheckins.get(later))?.sync).toBe('synced'))

    page.dispatchEvent(new Event('offline'))
    expect(sync.online).toBe(false)

    // Once stopped, events no longer trigger anything.
    sync.stop()
    const ignored = crypto.randomUUID()
    await saveStudyCheckin(session.member!.id, ignored, checkin('停止之后'))
    page.dispatchEvent(new Event('online'))
    doc.dispatchEvent(new Event('visibilitychange'))
    await sync.idle()
    expect((await db.studyCheckins.get(ignored))?.sync).toBe('pending')
  })

  it('pulls periodically while online and visible, and not while hidden', async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' })
    vi.stubGlobal('window', new EventTarget())
    vi.stubGlobal('document', doc)
    vi.stubGlobal('navigator', { onLine: true })
    const session = useSessionStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      await sync.start()
      const token = apiContext().token!
      const fromElsewhere = crypto.randomUUID()
      await syncOverHttp(site.server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id: fromElsewhere, updatedAt: Date.now(), data: checkin('电脑上写的') }] })
      expect(await db.studyCheckins.get(fromElsewhere)).toBeUndefined()
      vi.advanceTimersByTime(PERIODIC_SYNC_MS)
      await sync.idle()
      expect(await db.studyCheckins.get(fromElsewhere)).toMatchObject({ topic: '电脑上写的', sync: 'synced' })

      doc.visibilityState = 'hidden'
      const whileHidden = crypto.randomUUID()
      await syncOverHttp(site.server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id: whileHidden, updatedAt: Date.now(), data: checkin('后台时写的') }] })
      vi.advanceTimersByTime(PERIODIC_SYNC_MS * 2)
      await sync.idle()
      expect(await db.studyCheckins.get(whileHidden)).toBeUndefined()
    }
    finally {
      sync.stop()
      vi.useRealTimers()
    }
  })

  it('asks for persistent storage once signed in and remembers the answer', async () => {
    const persist = vi.fn(async () => true)
    vi.stubGlobal('navigator', { onLine: true, storage: { persisted: async () => false, persist } })
    const session = useSessionStore()
    const sync = useSyncStore()
    await session.join(site.branch.memberInviteCode, '张三')
    await sync.start()
    await vi.waitFor(() => expect(sync.storagePersisted).toBe(true))
    expect(persist).toHaveBeenCalledTimes(1)
    expect(await getMeta('storagePersisted')).toBe(true)

    setActivePinia(createPinia())
    const reopened = useSyncStore()
    await useSessionStore().restore()
    await reopened.start()
    expect(reopened.storagePersisted).toBe(true)
    expect(persist).toHaveBeenCalledTimes(1)
    reopened.stop()
  })

  it('reports false where the browser has no storage manager', async () => {
    vi.stubGlobal('navigator', { onLine: true })
    const sync = useSyncStore()
    expect(await sync.requestPersistentStorage()).toBe(false)
    expect(sync.storagePersisted).toBe(false)
  })
})

function countingTransport() {
  let count = 0
  const transport: SyncTransport = {
    async sync(request) {
      count++
      return api.sync(request)
    },
  }
  return { transport, calls: () => count }
}
