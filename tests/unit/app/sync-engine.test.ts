/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { RealServer } from './support/server'
import type { CreatedBranch } from '@/server/storage'
import type { SyncChangeIn, SyncRequest } from '@/domain/wire'
import type { SyncTransport } from '@/app/sync/engine'
import { BODY_LIMIT_BYTES } from '@/domain/wire'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { api, configureApi } from '@/app/api/client'
import { db, outboxKey } from '@/app/db/database'
import { getCursor } from '@/app/db/meta'
import { clearSessionData } from '@/app/db/session'
import { removeStudyCheckin, saveStudyCheckin } from '@/app/db/studyCheckins'
import { pullChanges, runSyncPass, SessionChangedError } from '@/app/sync/engine'
import { checkin, recordingTransport, resetDevice, signInDevice } from './support/device'
import { pullEverything, startRealServer, syncOverHttp } from './support/server'

/** Tests that write a thousand rows one by one: generous, as files run in parallel on a busy machine. */
const HEAVY_TEST_TIMEOUT_MS = 60_000

let server: RealServer
let branch: CreatedBranch

beforeAll(async () => {
  server = await startRealServer()
  branch = await server.storage.createBranch('第一支部')
})

beforeEach(async () => {
  await resetDevice()
})

afterAll(async () => {
  await server?.close()
})

/** A new member on this device, talking to the real server. */
async function newMember(name = '张三') {
  const joined = await signInDevice(server, branch.memberInviteCode, name)
  return { ...joined, memberId: joined.member.id }
}

/** What the server holds for one of the member's records, seen by a fresh device. */
async function serverCopy(token: string, id: string) {
  return (await pullEverything(server.baseUrl, token)).find(row => row.id === id)
}

describe('push', () => {
  it('sends a saved record, clears its outbox entry and marks it synced with its base', async () => {
    const { token, memberId } = await newMember()
    const row = await saveStudyCheckin(memberId, crypto.randomUUID(), checkin('学习二十大报告', 90))
    const { transport, requests } = recordingTransport()
    const summary = await runSyncPass(transport, { memberId })
    expect(summary).toMatchObject({ pushed: 1, applied: 1 })
    expect(requests[0]!.changes).toEqual([{ table: 'studyCheckins', id: row.id, updatedAt: row.updatedAt, data: checkin('学习二十大报告', 90) }])
    expect(await db.outbox.count()).toBe(0)
    const stored = await db.studyCheckins.get(row.id)
    expect(stored).toMatchObject({ sync: 'synced', base: { updatedAt: row.updatedAt, deleted: false, data: checkin('学习二十大报告', 90) } })
    expect(await serverCopy(token, row.id)).toMatchObject({ updatedAt: row.updatedAt, deleted: false, data: { topic: '学习二十大报告', minutes: 90, memberId } })
  })

  it('pushes 1,200 queued records in batches of 500, 500 and 200', async () => {
    const { token, memberId } = await newMember()
    const ids = Array.from({ length: 1200 }, () => crypto.randomUUID())
    for (const [i, id] of ids.entries())
      await saveStudyCheckin(memberId, id, checkin(`第${i}次学习`, 1 + (i % 600)), 1_700_000_000_000 + i)
    const { transport, requests } = recordingTransport()
    const summary = await runSyncPass(transport, { memberId })
    const pushes = requests.filter(r => r.changes.length > 0)
    expect(pushes.map(r => r.changes.length)).toEqual([500, 500, 200])
    // Oldest first: the first batch starts with the first record queued.
    expect(pushes[0]!.changes[0]!.id).toBe(ids[0])
    expect(pushes[2]!.changes.at(-1)!.id).toBe(ids[1199])
    expect(summary.applied).toBe(1200)
    expect(await db.outbox.count()).toBe(0)
    expect(await db.studyCheckins.filter(row => row.sync !== 'synced').count()).toBe(0)
    expect((await pullEverything(server.baseUrl, token)).length).toBe(1200)
  }, HEAVY_TEST_TIMEOUT_MS)

  it('keeps each push under the 1 MiB body limit when records are long', async () => {
    const { token, memberId } = await newMember()
    const note = '学'.repeat(2000)
    for (let i = 0; i < 500; i++)
      await saveStudyCheckin(memberId, crypto.randomUUID(), { ...checkin(`长笔记${i}`), note }, 1_700_000_000_000 + i)
    const { transport, requests } = recordingTransport()
    const summary = await runSyncPass(transport, { memberId })
    const pushes = requests.filter(r => r.changes.length > 0)
    expect(pushes.length).toBeGreaterThan(1)
    for (const request of pushes)
      expect(new TextEncoder().encode(JSON.stringify(request)).length).toBeLessThanOrEqual(BODY_LIMIT_BYTES)
    expect(pushes.reduce((n, r) => n + r.changes.length, 0)).toBe(500)
    expect(summary.applied).toBe(500)
    expect(await db.outbox.count()).toBe(0)
    expect((await pullEverything(server.baseUrl, token)).length).toBe(500)
  }, HEAVY_TEST_TIMEOUT_MS)

  it('pushes a delete as a tombstone and removes the row once the server has it', async () => {
    const { token, memberId } = await newMember()
    const { transport } = recordingTransport()
    const row = await saveStudyCheckin(memberId, crypto.randomUUID(), checkin('后来删除'))
    await runSyncPass(transport, { memberId })
    await removeStudyCheckin(memberId, row.id)
    const { transport: second, requests } = recordingTransport()
    await runSyncPass(second, { memberId })
    expect(requests[0]!.changes).toEqual([expect.objectContaining({ id: row.id, deleted: true })])
    expect(await db.studyCheckins.get(row.id)).toBeUndefined()
    expect(await serverCopy(token, row.id)).toMatchObject({ deleted: true })
  })

  it('keeps an edit made while its push is in flight pending, and pushes it next time', async () => {
    const { token, memberId } = await newMember()
    const id = crypto.randomUUID()
    await saveStudyCheckin(memberId, id, checkin('初稿', 30))
    const { transport } = recordingTransport(async (request, index) => {
      // The member edits the record after the push was read from the outbox, before the answer.
      if (index === 0 && request.changes.length > 0)
        await saveStudyCheckin(memberId, id, checkin('飞行中修改', 45))
    })
    const first = await runSyncPass(transport, { memberId })
    expect(first.applied).toBe(1)
    const during = await db.studyCheckins.get(id)
    expect(during).toMatchObject({ topic: '飞行中修改', minutes: 45, sync: 'pending' })
    expect(during!.base?.data.topic).toBe('初稿')
    expect(await db.outbox.get(outboxKey('studyCheckins', id))).toMatchObject({ version: 2 })
    expect(await serverCopy(token, id)).toMatchObject({ data: { topic: '初稿' } })

    const { transport: next, requests } = recordingTransport()
    await runSyncPass(next, { memberId })
    expect(requests[0]!.changes).toEqual([expect.objectContaining({ id, data: checkin('飞行中修改', 45) })])
    expect(await db.studyCheckins.get(id)).toMatchObject({ topic: '飞行中修改', sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
    expect(await serverCopy(token, id)).toMatchObject({ data: { topic: '飞行中修改', minutes: 45 } })
  })
})

describe('the next batch read while a push is in flight', () => {
  it('keeps an edit of a record of the next batch made after that batch was read, and pushes it next time', async () => {
    const { token, memberId } = await newMember()
    const ids = Array.from({ length: 600 }, () => crypto.randomUUID())
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      for (const [i, id] of ids.entries())
        await saveStudyCheckin(memberId, id, checkin(`第${i}次学习`), 1_700_000_000_000 + i)
    })
    const edited = ids[550]!
    const { transport, requests } = recordingTransport(async (request, index) => {
      // The second batch is read while this first request is on the wire; the edit comes after.
      if (index === 0 && request.changes.length > 0) {
        await new Promise(resolve => setTimeout(resolve, 200))
        await saveStudyCheckin(memberId, edited, checkin('第二批飞行中修改', 90))
      }
    })
    await runSyncPass(transport, { memberId })
    expect(requests.filter(r => r.changes.length > 0).map(r => r.changes.length)).toEqual([500, 100])
    // The second request carries the copy read before the edit; its settle must leave the edit queued.
    expect(requests[1]!.changes.find(c => c.id === edited)).toMatchObject({ data: { topic: '第550次学习' } })
    expect(await db.studyCheckins.get(edited)).toMatchObject({ topic: '第二批飞行中修改', minutes: 90, sync: 'pending' })
    expect(await db.outbox.get(outboxKey('studyCheckins', edited))).toMatchObject({ version: 2 })

    await runSyncPass(recordingTransport().transport, { memberId })
    expect(await db.studyCheckins.get(edited)).toMatchObject({ topic: '第二批飞行中修改', sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
    expect(await serverCopy(token, edited)).toMatchObject({ data: { topic: '第二批飞行中修改', minutes: 90 } })
    expect((await pullEverything(server.baseUrl, token)).length).toBe(600)
  }, HEAVY_TEST_TIMEOUT_MS)
})

describe('pull', () => {
  it('pulls 1,200 rows in pages until hasMore is false, storing the cursor with each page', async () => {
    const { token, memberId } = await newMember()
    // Another device of the same member wrote 1,200 check-ins.
    const otherDevice = crypto.randomUUID()
    const written: string[] = []
    for (let start = 0; start < 1200; start += 500) {
      const changes: SyncChangeIn[] = Array.from({ length: Math.min(500, 1200 - start) }, (_, i) => {
        const id = crypto.randomUUID()
        written.push(id)
        return { table: 'studyCheckins', id, updatedAt: 1_700_000_000_000 + start + i, data: checkin(`别处写的${start + i}`) }
      })
      await syncOverHttp(server.baseUrl, token, { clientId: otherDevice, cursor: null, changes })
    }
    const cursorsAtRequest: (string | null)[] = []
    const { transport, responses } = recordingTransport(async () => {
      cursorsAtRequest.push(await getCursor())
    })
    const summary = await pullChanges(transport, { memberId })
    expect(responses.map(r => r.changes.length)).toEqual([500, 500, 200])
    expect(responses.map(r => r.hasMore)).toEqual([true, true, false])
    // Each request starts from the cursor the previous page stored.
    expect(cursorsAtRequest).toEqual([null, responses[0]!.cursor, responses[1]!.cursor])
    expect(await getCursor()).toBe(responses[2]!.cursor)
    expect(summary.pulled).toBe(1200)
    expect(await db.studyCheckins.count()).toBe(1200)
    expect(await db.studyCheckins.get(written[700]!)).toMatchObject({ memberId, sync: 'synced', week: '2026-W48', deleted: false })
  }, HEAVY_TEST_TIMEOUT_MS)

  it('keeps the pages already stored when a later page fails', async () => {
    const { token, memberId } = await newMember()
    const otherDevice = crypto.randomUUID()
    const changes: SyncChangeIn[] = Array.from({ length: 501 }, (_, i) => ({ table: 'studyCheckins', id: crypto.randomUUID(), updatedAt: 1_700_000_000_000 + i, data: checkin(`第${i}条`) }))
    await syncOverHttp(server.baseUrl, token, { clientId: otherDevice, cursor: null, changes: changes.slice(0, 500) })
    await syncOverHttp(server.baseUrl, token, { clientId: otherDevice, cursor: null, changes: changes.slice(500) })
    const { transport, responses } = recordingTransport((_request, index) => {
      if (index === 1)
        throw new Error('network dropped')
    })
    await expect(pullChanges(transport, { memberId })).rejects.toThrow('network dropped')
    expect(await db.studyCheckins.count()).toBe(500)
    expect(await getCursor()).toBe(responses[0]!.cursor)
    // The next pull continues from there.
    const { transport: resumed, requests } = recordingTransport()
    await pullChanges(resumed, { memberId })
    expect(requests[0]!.cursor).toBe(responses[0]!.cursor)
    expect(await db.studyCheckins.count()).toBe(501)
  }, HEAVY_TEST_TIMEOUT_MS)

  it('does not overwrite a pending local edit; the server row becomes its base', async () => {
    const { token, memberId } = await newMember()
    const id = crypto.randomUUID()
    await saveStudyCheckin(memberId, id, checkin('手机上的原稿'))
    await runSyncPass(recordingTransport().transport, { memberId })
    // Another device changes it on the server; meanwhile this device edits it offline.
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id, updatedAt: Date.now() + 60_000, data: checkin('电脑上改的', 60) }] })
    await saveStudyCheckin(memberId, id, checkin('手机离线改的', 20))
    await pullChanges(recordingTransport().transport, { memberId })
    const row = await db.studyCheckins.get(id)
    expect(row).toMatchObject({ topic: '手机离线改的', minutes: 20, sync: 'pending' })
    expect(row!.base).toMatchObject({ deleted: false, data: checkin('电脑上改的', 60) })
    expect(await db.outbox.count()).toBe(1)
  })

  it('removes a row the server deleted', async () => {
    const { token, memberId } = await newMember()
    const id = crypto.randomUUID()
    await saveStudyCheckin(memberId, id, checkin('别处删除'))
    await runSyncPass(recordingTransport().transport, { memberId })
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id, updatedAt: Date.now() + 60_000, deleted: true }] })
    await pullChanges(recordingTransport().transport, { memberId })
    expect(await db.studyCheckins.get(id)).toBeUndefined()
  })
})

describe('stale', () => {
  it('takes the server copy when another device wrote a newer one', async () => {
    const { token, memberId } = await newMember()
    const id = crypto.randomUUID()
    await saveStudyCheckin(memberId, id, checkin('第一版'))
    await runSyncPass(recordingTransport().transport, { memberId })
    const newer = Date.now() + 3_600_000
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id, updatedAt: newer, data: checkin('另一台设备的新版', 75) }] })
    await saveStudyCheckin(memberId, id, checkin('本机较旧的修改', 10))
    const summary = await runSyncPass(recordingTransport().transport, { memberId })
    expect(summary.stale).toBe(1)
    expect(await db.studyCheckins.get(id)).toMatchObject({ topic: '另一台设备的新版', minutes: 75, updatedAt: newer, sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
    expect(await serverCopy(token, id)).toMatchObject({ data: { topic: '另一台设备的新版' } })
  })

  it('with no known server copy, restores the copy the server sends back with the stale answer', async () => {
    const { memberId, newer, id, cursorAfterFirstPull } = await queueOlderCopyWithoutBase()
    const { transport, requests } = recordingTransport()
    const summary = await runSyncPass(transport, { memberId })
    expect(summary.stale).toBe(1)
    expect(requests.map(r => r.cursor)).toEqual([cursorAfterFirstPull])
    expect(await db.studyCheckins.get(id)).toMatchObject({ topic: '服务器上的版本', minutes: 50, updatedAt: newer, sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
  })

  it('with no known server copy and none sent back, goes back to a full pull that brings it', async () => {
    const { memberId, newer, id, cursorAfterFirstPull } = await queueOlderCopyWithoutBase()
    // The protocol only promises the winner "comes back in the pull": drop the courtesy copy the
    // server adds to the stale answer, as a server behind the cursor would not send it.
    const requests: SyncRequest[] = []
    const transport: SyncTransport = {
      async sync(request) {
        requests.push(structuredClone(request))
        const response = await api.sync(request)
        return request.changes.length > 0 ? { ...response, changes: response.changes.filter(c => Number(c.rev) > Number(request.cursor)) } : response
      },
    }
    const summary = await runSyncPass(transport, { memberId })
    expect(summary.stale).toBe(1)
    // The push went from the stored cursor; after the stale answer the pull restarted from null.
    expect(requests.map(r => r.cursor)).toEqual([cursorAfterFirstPull, null])
    expect(await db.studyCheckins.get(id)).toMatchObject({ topic: '服务器上的版本', minutes: 50, updatedAt: newer, sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
  })
})

describe('the next request sent while the last answer is stored', () => {
  it('after a stale answer that takes the cursor back, the next batch goes from the start, not from that answer\'s cursor', async () => {
    const { memberId, newer, id, cursorAfterFirstPull } = await queueOlderCopyWithoutBase()
    // 500 more, queued after it: the stale record goes in the first batch of 500, one in the second.
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      for (let i = 0; i < 500; i++)
        await saveStudyCheckin(memberId, crypto.randomUUID(), checkin(`第${i}次学习`), Date.now() + 10_000 + i)
    })
    const requests: SyncRequest[] = []
    const transport: SyncTransport = {
      async sync(request) {
        requests.push(structuredClone(request))
        const response = await api.sync(request)
        // As above: no courtesy copy of the stale row, so only a full pull brings it.
        return request.changes.length > 0 ? { ...response, changes: response.changes.filter(c => Number(c.rev) > Number(request.cursor)) } : response
      },
    }
    const summary = await runSyncPass(transport, { memberId })
    expect(summary).toMatchObject({ stale: 1, applied: 500 })
    const pushes = requests.filter(r => r.changes.length > 0)
    expect(pushes.map(r => r.changes.length)).toEqual([500, 1])
    // The first answer's cursor would skip the server copy: the second push waited for the first
    // answer to be stored and sent the cursor it left (null).
    expect(pushes.map(r => r.cursor)).toEqual([cursorAfterFirstPull, null])
    expect(await db.studyCheckins.get(id)).toMatchObject({ topic: '服务器上的版本', updatedAt: newer, sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
    expect(await db.studyCheckins.filter(row => row.sync !== 'synced').count()).toBe(0)
  }, HEAVY_TEST_TIMEOUT_MS)

  it('holds the app\'s live queries over a pass of several batches, and releases them however the pass ends; one batch holds nothing', async () => {
    const { memberId } = await newMember()
    const events: string[] = []
    const hold = () => {
      events.push('hold')
      return () => {
        events.push('release')
      }
    }
    await saveStudyCheckin(memberId, crypto.randomUUID(), checkin('一条'))
    await runSyncPass(recordingTransport().transport, { memberId, hold })
    expect(events).toEqual([])

    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      for (let i = 0; i < 700; i++)
        await saveStudyCheckin(memberId, crypto.randomUUID(), checkin(`第${i}次学习`), 1_700_000_000_000 + i)
    })
    await runSyncPass(recordingTransport().transport, { memberId, hold })
    expect(events).toEqual(['hold', 'release'])

    events.length = 0
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      for (let i = 0; i < 700; i++)
        await saveStudyCheckin(memberId, crypto.randomUUID(), checkin(`第${i}次复习`), 1_800_000_000_000 + i)
    })
    const { transport } = recordingTransport((_request, index) => {
      if (index === 1)
        throw Object.assign(new Error('no answer'), { status: 0, code: 'network' })
    })
    await expect(runSyncPass(transport, { memberId, hold })).rejects.toThrow('no answer')
    expect(events).toEqual(['hold', 'release'])
  }, HEAVY_TEST_TIMEOUT_MS)

  it('a request that fails mid-pass ends the pass only once the answers already received are stored', async () => {
    const { memberId } = await newMember()
    const ids = Array.from({ length: 1200 }, () => crypto.randomUUID())
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      for (const [i, id] of ids.entries())
        await saveStudyCheckin(memberId, id, checkin(`第${i}次学习`), 1_700_000_000_000 + i)
    })
    // The network goes at the second request, sent while the first answer is being stored.
    const { transport } = recordingTransport((_request, index) => {
      if (index === 1)
        throw Object.assign(new Error('no answer'), { status: 0, code: 'network' })
    })
    await expect(runSyncPass(transport, { memberId })).rejects.toThrow('no answer')
    // Right as the pass fails, the first batch is settled: nothing of it is left to a settle
    // still running beside the next pass.
    expect(await db.outbox.count()).toBe(700)
    expect(await db.studyCheckins.where('id').anyOf(ids.slice(0, 500)).filter(row => row.sync === 'synced').count()).toBe(500)
    expect(await db.studyCheckins.where('id').anyOf(ids.slice(500)).filter(row => row.sync === 'pending').count()).toBe(700)
  }, HEAVY_TEST_TIMEOUT_MS)

  it('a settle that fails stops the pass: nothing is stored after it, and the pass ends only once no settle is left running', async () => {
    const { memberId } = await newMember()
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      for (let i = 0; i < 1500; i++)
        await saveStudyCheckin(memberId, crypto.randomUUID(), checkin(`第${i}次学习`), 1_700_000_000_000 + i)
    })
    // Signing out while the second request is on the wire: the first answer's settle (before or
    // after it) and every later one find another session and store nothing.
    const { transport, requests } = recordingTransport(async (_request, index) => {
      if (index === 1)
        await clearSessionData()
    })
    await expect(runSyncPass(transport, { memberId })).rejects.toBeInstanceOf(SessionChangedError)
    // At most the request already being built when the settle failed follows the failure.
    expect(requests.length).toBeLessThanOrEqual(3)
    const afterPass = { rows: await db.studyCheckins.count(), outbox: await db.outbox.count(), cursor: await getCursor() }
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(afterPass).toEqual({ rows: 0, outbox: 0, cursor: null })
    expect({ rows: await db.studyCheckins.count(), outbox: await db.outbox.count(), cursor: await getCursor() }).toEqual(afterPass)
  }, HEAVY_TEST_TIMEOUT_MS)
})

/**
 * A member whose server copy of a record is newer than a queued local copy that has no `base`
 * (e.g. kept from before an upgrade), with the pull cursor already past the server copy.
 */
async function queueOlderCopyWithoutBase() {
  const { token, memberId } = await newMember()
  const id = crypto.randomUUID()
  const newer = Date.now() + 3_600_000
  await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id, updatedAt: newer, data: checkin('服务器上的版本', 50) }] })
  await runSyncPass(recordingTransport().transport, { memberId })
  const cursorAfterFirstPull = await getCursor()
  expect(cursorAfterFirstPull).not.toBeNull()
  await db.studyCheckins.put({ ...checkin('本机旧版本', 5), id, memberId, week: '2026-W48', updatedAt: newer - 1000, deleted: false, sync: 'pending' })
  await db.outbox.put({ key: outboxKey('studyCheckins', id), table: 'studyCheckins', id, version: 1, queuedAt: Date.now() })
  return { memberId, newer, id, cursorAfterFirstPull }
}

describe('rejected', () => {
  it('marks the record with the server message, stops pushing it, and an edit queues it again', async () => {
    const other = await newMember('李四')
    const id = crypto.randomUUID()
    await saveStudyCheckin(other.memberId, id, checkin('李四的记录'))
    await runSyncPass(recordingTransport().transport, { memberId: other.memberId })
    await resetDevice()

    // A different member's device writes a record under an id another member owns.
    const { memberId } = await newMember('王五')
    await saveStudyCheckin(memberId, id, checkin('同一个编号'))
    const summary = await runSyncPass(recordingTransport().transport, { memberId })
    expect(summary.rejected).toBe(1)
    const row = await db.studyCheckins.get(id)
    expect(row?.sync).toBe('rejected')
    expect(row?.rejection?.code).toBe('forbidden')
    expect(row?.rejection?.message).toMatch(/[\u4E00-\u9FFF]/)
    expect(await db.outbox.count()).toBe(0)

    // Not pushed again by itself…
    const { transport, requests } = recordingTransport()
    await runSyncPass(transport, { memberId })
    expect(requests.every(r => r.changes.length === 0)).toBe(true)

    // …but an edit queues it again and clears the old message.
    await saveStudyCheckin(memberId, id, checkin('改过的记录'))
    const edited = await db.studyCheckins.get(id)
    expect(edited?.sync).toBe('pending')
    expect(edited?.rejection).toBeUndefined()
    expect(await db.outbox.count()).toBe(1)
  })

  it('marks a record the server finds invalid, with the field message in the requested language', async () => {
    const { memberId } = await newMember()
    const id = crypto.randomUUID()
    // Written by an older app version that allowed longer sessions.
    await db.studyCheckins.put({ ...checkin('超长学习', 900), id, memberId, week: '2026-W48', updatedAt: Date.now(), deleted: false, sync: 'pending' })
    await db.outbox.put({ key: outboxKey('studyCheckins', id), table: 'studyCheckins', id, version: 1, queuedAt: Date.now() })
    await runSyncPass(recordingTransport().transport, { memberId })
    const row = await db.studyCheckins.get(id)
    expect(row?.sync).toBe('rejected')
    expect(row?.rejection?.code).toBe('validation_failed')
    expect(row?.rejection?.details?.map(d => d.path)).toContain('data.minutes')
  })
})

describe('a record the server fails on (5xx)', () => {
  // A real fault on the real server for one topic only: SQLite raises "integer overflow" (not a
  // data error the server could reject alone), so any push holding that record answers 500.
  const FAULTY = '服务器出错的记录'
  beforeAll(async () => {
    await sql`CREATE TRIGGER fault_on_topic BEFORE INSERT ON study_checkins WHEN NEW.topic = ${sql.lit(FAULTY)} BEGIN SELECT abs(-9223372036854775808); END`.execute(server.storage.db)
  })
  afterAll(async () => {
    await sql`DROP TRIGGER fault_on_topic`.execute(server.storage.db)
  })

  it('does not block the rest of the outbox: the others sync, the faulty one stays queued with its error and goes alone next time', async () => {
    const { token, memberId } = await newMember()
    const ids = Array.from({ length: 7 }, () => crypto.randomUUID())
    for (const [i, id] of ids.entries())
      await saveStudyCheckin(memberId, id, checkin(i === 4 ? FAULTY : `第${i}次学习`), 1_700_000_000_000 + i)
    const { transport, requests } = recordingTransport()
    const summary = await runSyncPass(transport, { memberId, now: () => 42 })
    expect(summary).toMatchObject({ applied: 6, held: 1, rejected: 0 })
    const onServer = (await pullEverything(server.baseUrl, token)).map(row => row.id)
    expect(onServer.sort()).toEqual(ids.filter((_, i) => i !== 4).sort())
    expect(await db.outbox.toArray()).toEqual([expect.objectContaining({ id: ids[4], serverError: expect.objectContaining({ code: 'server_error', at: 42 }) })])
    expect(await db.studyCheckins.get(ids[4]!)).toMatchObject({ sync: 'pending' })
    expect(await db.studyCheckins.filter(row => row.sync === 'synced').count()).toBe(6)
    // The isolating pushes stay few: halving, not one request per record.
    expect(requests.length).toBeLessThan(16)

    // Next pass: the held record goes alone, once; nothing else is pushed again.
    const { transport: second, requests: again } = recordingTransport()
    const next = await runSyncPass(second, { memberId })
    expect(next).toMatchObject({ held: 1, applied: 0 })
    expect(again.filter(r => r.changes.length > 0).map(r => r.changes.map(c => c.id))).toEqual([[ids[4]]])

    // An edit replaces the entry (and its error); once the server can take it, it syncs.
    await saveStudyCheckin(memberId, ids[4]!, checkin('改好的记录'), 1_700_000_000_100)
    expect((await db.outbox.get(outboxKey('studyCheckins', ids[4]!)))?.serverError).toBeUndefined()
    const fixed = await runSyncPass(recordingTransport().transport, { memberId })
    expect(fixed).toMatchObject({ applied: 1, held: 0 })
    expect(await db.outbox.count()).toBe(0)
  })

  it('still fails the pass when the server is down (a pull fails too), holding nothing', async () => {
    const { memberId } = await newMember()
    await saveStudyCheckin(memberId, crypto.randomUUID(), checkin('第一条'))
    await saveStudyCheckin(memberId, crypto.randomUUID(), checkin('第二条'))
    const down: SyncTransport = {
      sync: async () => {
        throw Object.assign(new Error('HTTP 503'), { status: 503, code: 'server_error' })
      },
    }
    await expect(runSyncPass(down, { memberId })).rejects.toMatchObject({ status: 503 })
    expect((await db.outbox.toArray()).map(entry => entry.serverError)).toEqual([undefined, undefined])
  })
})

describe('odd outbox states', () => {
  it('drops an outbox entry whose record is gone instead of pushing it', async () => {
    const { memberId } = await newMember()
    await db.outbox.put({ key: outboxKey('studyCheckins', crypto.randomUUID()), table: 'studyCheckins', id: crypto.randomUUID(), version: 1, queuedAt: 1 })
    const { transport, requests } = recordingTransport()
    await runSyncPass(transport, { memberId })
    expect(requests.every(r => r.changes.length === 0)).toBe(true)
    expect(await db.outbox.count()).toBe(0)
  })

  it('a refused delete brings back the last server copy with the server message', async () => {
    const owner = await newMember('李四')
    const id = crypto.randomUUID()
    await saveStudyCheckin(owner.memberId, id, checkin('李四的记录'))
    await runSyncPass(recordingTransport().transport, { memberId: owner.memberId })
    await resetDevice()
    const { memberId } = await newMember('王五')
    // This device believes it holds a copy of the record and deletes it; the server refuses.
    const base = { updatedAt: 1, deleted: false, data: checkin('以为是自己的') }
    await db.studyCheckins.put({ ...base.data, id, memberId, week: '2026-W48', updatedAt: 2, deleted: false, sync: 'synced', base })
    await removeStudyCheckin(memberId, id)
    await runSyncPass(recordingTransport().transport, { memberId })
    const row = await db.studyCheckins.get(id)
    expect(row).toMatchObject({ deleted: false, topic: '以为是自己的', sync: 'rejected', rejection: { code: 'forbidden' } })
  })
})

describe('a refused record and later server rows', () => {
  it('keeps the refused edit while the server only has older copies, and yields to a newer one', async () => {
    const { token, memberId } = await newMember()
    const id = crypto.randomUUID()
    const first = await saveStudyCheckin(memberId, id, checkin('原稿'))
    await runSyncPass(recordingTransport().transport, { memberId })
    // An edit the server refuses (written by an older app version without the 600-minute limit).
    const refusedAt = first.updatedAt + 10_000
    const stored = (await db.studyCheckins.get(id))!
    await db.studyCheckins.put({ ...stored, minutes: 900, updatedAt: refusedAt, sync: 'pending' })
    await db.outbox.put({ key: outboxKey('studyCheckins', id), table: 'studyCheckins', id, version: 1, queuedAt: refusedAt })
    await runSyncPass(recordingTransport().transport, { memberId })
    expect((await db.studyCheckins.get(id))?.sync).toBe('rejected')

    // Another device writes a copy older than the refused edit: the refused edit and its message stay.
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id, updatedAt: refusedAt - 1, data: checkin('另一台设备', 20) }] })
    await pullChanges(recordingTransport().transport, { memberId })
    expect(await db.studyCheckins.get(id)).toMatchObject({ minutes: 900, sync: 'rejected', base: { updatedAt: refusedAt - 1, data: { topic: '另一台设备' } } })

    // A newer server copy wins.
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'studyCheckins', id, updatedAt: refusedAt + 1, data: checkin('更新的版本', 25) }] })
    await pullChanges(recordingTransport().transport, { memberId })
    const row = await db.studyCheckins.get(id)
    expect(row).toMatchObject({ topic: '更新的版本', minutes: 25, sync: 'synced' })
    expect(row?.rejection).toBeUndefined()
  })
})

describe('signing out during a sync', () => {
  it('writes nothing back for the member who left', async () => {
    const { memberId } = await newMember()
    await saveStudyCheckin(memberId, crypto.randomUUID(), checkin('推送中退出'))
    const { transport } = recordingTransport(async (_request, index) => {
      if (index === 0)
        await clearSessionData()
    })
    await expect(runSyncPass(transport, { memberId })).rejects.toBeInstanceOf(SessionChangedError)
    expect(await db.studyCheckins.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
    expect(await getCursor()).toBeNull()
  })
})

describe('the API client', () => {
  it('turns an error body into ApiError with the server message, and no answer into code network', async () => {
    await newMember()
    const wrong = await api.join({ inviteCode: 'not-a-code', name: '赵六' }).catch((e: unknown) => e)
    expect(wrong).toMatchObject({ name: 'ApiError', status: 403, code: 'invalid_invite' })
    expect((wrong as Error).message).toMatch(/[\u4E00-\u9FFF]/)

    configureApi({ locale: 'en' })
    const english = await api.join({ inviteCode: 'not-a-code', name: '赵六' }).catch((e: unknown) => e)
    expect((english as Error).message).toMatch(/[a-z]/i)
    expect((english as Error).message).not.toMatch(/[\u4E00-\u9FFF]/)

    configureApi({ baseUrl: 'http://127.0.0.1:9' })
    const offline = await api.health().catch((e: unknown) => e)
    expect(offline).toMatchObject({ name: 'ApiError', status: 0, code: 'network' })
  })

  it('sends the bearer token: a wrong one is unauthorized', async () => {
    await newMember()
    expect((await api.me()).member.name).toBe('张三')
    configureApi({ token: 'not-a-token' })
    await expect(api.me()).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
  })
})
