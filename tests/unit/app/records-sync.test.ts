/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { RealServer } from './support/server'
import type { CreatedBranch } from '@/server/storage'
import type { DBCore, Middleware } from 'dexie'
import Dexie from 'dexie'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { configureApi } from '@/app/api/client'
import { db, outboxKey, StudyLogDatabase } from '@/app/db/database'
import { getCursor, setMeta } from '@/app/db/meta'
import { ForeignRecordError, saveRecord } from '@/app/db/records'
import { saveSession } from '@/app/db/session'
import { pullChanges, runSyncPass } from '@/app/sync/engine'
import { checkin, problem, readingNote, recordingTransport, resetDevice, serviceLog, signInDevice } from './support/device'
import { pullEverything, startRealServer, syncOverHttp } from './support/server'

let server: RealServer
let branch: CreatedBranch
let otherBranch: CreatedBranch

beforeAll(async () => {
  server = await startRealServer()
  branch = await server.storage.createBranch('第一支部')
  otherBranch = await server.storage.createBranch('第九支部')
})

beforeEach(async () => {
  await resetDevice()
})

afterAll(async () => {
  await server?.close()
})

async function newMember(name = '张三', inviteCode = branch.memberInviteCode) {
  const joined = await signInDevice(server, inviteCode, name)
  return { ...joined, memberId: joined.member.id }
}

/** This device becomes a fresh phone of the same member (empty database, same login). */
async function freshDeviceOf(joined: Awaited<ReturnType<typeof newMember>>) {
  await resetDevice()
  await saveSession(joined.token, joined.member)
  configureApi({ baseUrl: server.baseUrl, token: joined.token })
}

async function saveOneOfEach(memberId: string) {
  const ids = { study: crypto.randomUUID(), service: crypto.randomUUID(), note: crypto.randomUUID(), problem: crypto.randomUUID() }
  await saveRecord('studyCheckins', memberId, ids.study, checkin('学习党章'))
  await saveRecord('serviceLogs', memberId, ids.service, serviceLog('幸福社区', 1.5))
  await saveRecord('readingNotes', memberId, ids.note, readingNote('《实践论》', 'Practice 实践出真知'))
  await saveRecord('problems', memberId, ids.problem, problem('路灯坏了'), Date.now(), { reporterName: '张三', status: 'open' })
  return ids
}

describe('every member table syncs through the one engine', () => {
  it('pushes a record of each table in one request, and a fresh device of the member pulls them all back', async () => {
    const joined = await newMember()
    const { memberId, token } = joined
    const ids = await saveOneOfEach(memberId)
    const { transport, requests } = recordingTransport()
    const summary = await runSyncPass(transport, { memberId })
    expect(summary).toMatchObject({ pushed: 4, applied: 4, rejected: 0 })
    expect(requests[0]!.changes.map(c => c.table).sort()).toEqual(['problems', 'readingNotes', 'serviceLogs', 'studyCheckins'])
    expect(await db.outbox.count()).toBe(0)
    for (const table of ['studyCheckins', 'serviceLogs', 'readingNotes', 'problems'] as const)
      expect((await db.records(table).toArray()).map(row => row.sync)).toEqual(['synced'])
    expect((await pullEverything(server.baseUrl, token)).map(row => row.id).sort()).toEqual(Object.values(ids).sort())

    await freshDeviceOf(joined)
    const pulled = await pullChanges(recordingTransport().transport, { memberId })
    expect(pulled.pulled).toBe(4)
    expect(await db.serviceLogs.get(ids.service)).toMatchObject({ ...serviceLog('幸福社区', 1.5), memberId, week: '2026-W48', sync: 'synced', base: { data: serviceLog('幸福社区', 1.5) } })
    expect(await db.readingNotes.get(ids.note)).toMatchObject({ ...readingNote('《实践论》', 'Practice 实践出真知'), memberId, sync: 'synced' })
    expect(await db.problems.get(ids.problem)).toMatchObject({ ...problem('路灯坏了'), memberId, reporterName: '张三', status: 'open', ownerName: null, resolution: null, sync: 'synced', week: '2026-W48' })
    expect(await db.studyCheckins.get(ids.study)).toMatchObject({ topic: '学习党章', sync: 'synced' })
  })

  it('keeps an edit of a service log made while its push is in flight pending', async () => {
    const { memberId, token } = await newMember()
    const id = crypto.randomUUID()
    await saveRecord('serviceLogs', memberId, id, serviceLog('初稿社区'))
    const { transport } = recordingTransport(async (request, index) => {
      if (index === 0 && request.changes.length > 0)
        await saveRecord('serviceLogs', memberId, id, serviceLog('改后社区', 3))
    })
    await runSyncPass(transport, { memberId })
    expect(await db.serviceLogs.get(id)).toMatchObject({ community: '改后社区', sync: 'pending', base: { data: { community: '初稿社区' } } })
    expect(await db.outbox.get(outboxKey('serviceLogs', id))).toMatchObject({ version: 2 })
    await runSyncPass(recordingTransport().transport, { memberId })
    expect(await db.serviceLogs.get(id)).toMatchObject({ community: '改后社区', hours: 3, sync: 'synced' })
    expect((await pullEverything(server.baseUrl, token)).find(row => row.id === id)).toMatchObject({ data: { community: '改后社区' } })
  })

  it('takes the server copy of a reading note another device wrote later (stale)', async () => {
    const { memberId, token } = await newMember()
    const id = crypto.randomUUID()
    await saveRecord('readingNotes', memberId, id, readingNote('第一版'))
    await runSyncPass(recordingTransport().transport, { memberId })
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'readingNotes', id, updatedAt: Date.now() + 3_600_000, data: readingNote('电脑上的新版', '新的心得') }] })
    await saveRecord('readingNotes', memberId, id, readingNote('本机旧修改'))
    const summary = await runSyncPass(recordingTransport().transport, { memberId })
    expect(summary.stale).toBe(1)
    expect(await db.readingNotes.get(id)).toMatchObject({ title: '电脑上的新版', reflection: '新的心得', sync: 'synced' })
  })

  it('marks a service log the server refuses, with the field path', async () => {
    const { memberId } = await newMember()
    const id = crypto.randomUUID()
    // Written by an older app version without the half-hour rule.
    await db.serviceLogs.put({ ...serviceLog('社区', 1.25), id, memberId, week: '2026-W48', updatedAt: Date.now(), deleted: false, sync: 'pending' })
    await db.outbox.put({ key: outboxKey('serviceLogs', id), table: 'serviceLogs', id, version: 1, queuedAt: Date.now() })
    await runSyncPass(recordingTransport().transport, { memberId })
    const row = await db.serviceLogs.get(id)
    expect(row).toMatchObject({ sync: 'rejected', rejection: { code: 'validation_failed' } })
    expect(row?.rejection?.details?.map(d => d.path)).toContain('data.hours')
  })
})

describe('problems are the branch\'s shared rows', () => {
  it('a member pulls the branch\'s problems with the reporter\'s name, read only; another branch sees none', async () => {
    const reporter = await newMember('王芳')
    const mine = await saveOneOfEach(reporter.memberId)
    await runSyncPass(recordingTransport().transport, { memberId: reporter.memberId })

    await resetDevice()
    const colleague = await newMember('李明')
    await pullChanges(recordingTransport().transport, { memberId: colleague.memberId })
    expect(await db.problems.get(mine.problem)).toMatchObject({ memberId: reporter.memberId, reporterName: '王芳', status: 'open', sync: 'synced' })
    // The reporter's personal rows never reach a colleague.
    expect(await db.serviceLogs.count()).toBe(0)
    expect(await db.readingNotes.count()).toBe(0)
    // The colleague's device never queues a change to it.
    await expect(saveRecord('problems', colleague.memberId, mine.problem, problem('改别人的'))).rejects.toBeInstanceOf(ForeignRecordError)
    expect(await db.outbox.count()).toBe(0)
    expect(await db.problems.get(mine.problem)).toMatchObject({ title: '路灯坏了' })

    await resetDevice()
    const outsider = await newMember('赵强', otherBranch.memberInviteCode)
    await pullChanges(recordingTransport().transport, { memberId: outsider.memberId })
    expect(await db.problems.count()).toBe(0)
  })

  it('a status the branch set comes down with the row, and the reporter\'s own edit keeps it', async () => {
    const joined = await newMember()
    const { memberId } = joined
    const id = crypto.randomUUID()
    await saveRecord('problems', memberId, id, problem('垃圾清运不及时'), Date.now(), { reporterName: '张三', status: 'open' })
    await runSyncPass(recordingTransport().transport, { memberId })
    // The secretary's endpoint comes in a later issue; set the status where it lives.
    await server.storage.db.updateTable('problems').set({ status: 'in_progress', owner_name: '书记', status_updated_at: 1_800_000_000_000 } as never).where('id', '=', id).execute()
    await setMeta('cursor', null)
    await pullChanges(recordingTransport().transport, { memberId })
    expect(await db.problems.get(id)).toMatchObject({ status: 'in_progress', ownerName: '书记', statusUpdatedAt: 1_800_000_000_000 })

    await saveRecord('problems', memberId, id, problem('垃圾清运不及时（补充）'))
    expect(await db.problems.get(id)).toMatchObject({ status: 'in_progress', ownerName: '书记', sync: 'pending' })
    await runSyncPass(recordingTransport().transport, { memberId })
    expect(await db.problems.get(id)).toMatchObject({ title: '垃圾清运不及时（补充）', status: 'in_progress', sync: 'synced' })
  })
})

describe('database version 2', () => {
  it('adds the new tables and resets the pull cursor, keeping version 1\'s check-ins', async () => {
    const name = `upgrade-${crypto.randomUUID()}`
    const v1 = new Dexie(name)
    v1.version(1).stores({ meta: 'key', session: 'key', studyCheckins: 'id, memberId, [memberId+date], week, updatedAt', outbox: 'key, queuedAt' })
    await v1.table('meta').put({ key: 'cursor', value: '42' })
    await v1.table('studyCheckins').put({ ...checkin('升级前'), id: 'c1', memberId: 'm1', week: '2026-W48', updatedAt: 1, deleted: false, sync: 'synced' })
    v1.close()

    const v2 = new StudyLogDatabase(name)
    expect(await v2.meta.get('cursor')).toEqual({ key: 'cursor', value: null })
    expect(await v2.studyCheckins.get('c1')).toMatchObject({ topic: '升级前' })
    expect(await v2.serviceLogs.count()).toBe(0)
    expect(await v2.drafts.count()).toBe(0)
    // Version 4 adds the owner indexes beside these (record-lists.test.ts).
    expect(v2.problems.schema.indexes.map(index => index.name)).toEqual(expect.arrayContaining(['branchId', 'memberId', 'status', 'updatedAt']))
    v2.close()
    await Dexie.delete(name)
  })

  it('pulls a service log written on another device (rows version 1 skipped)', async () => {
    const { memberId, token } = await newMember()
    const id = crypto.randomUUID()
    await syncOverHttp(server.baseUrl, token, { clientId: crypto.randomUUID(), cursor: null, changes: [{ table: 'serviceLogs', id, updatedAt: 1_700_000_000_000, data: serviceLog('别处记的') }] })
    await pullChanges(recordingTransport().transport, { memberId })
    expect(await getCursor()).not.toBeNull()
    expect(await db.serviceLogs.get(id)).toMatchObject({ community: '别处记的' })
  })
})

/** Counts the IndexedDB requests Dexie makes (one `get`, `getMany` or `mutate` is one request or one batch). */
function requestCounter() {
  // keys: what the requests cost IndexedDB itself, one object store request per key read by get/getMany.
  const counts = { get: 0, getMany: 0, mutate: 0, keysRead: 0 }
  const middleware: Middleware<DBCore> = {
    stack: 'dbcore',
    name: 'request-counter',
    create: down => ({
      ...down,
      table: (name) => {
        const table = down.table(name)
        return {
          ...table,
          get: (req) => {
            counts.get++
            counts.keysRead++
            return table.get(req)
          },
          getMany: (req) => {
            counts.getMany++
            counts.keysRead += req.keys.length
            return table.getMany(req)
          },
          mutate: (req) => {
            counts.mutate++
            return table.mutate(req)
          },
        }
      },
    }),
  }
  return {
    counts,
    async install() {
      db.close({ disableAutoOpen: false })
      db.use(middleware)
      await db.open()
    },
    async remove() {
      db.close({ disableAutoOpen: false })
      db.unuse({ stack: 'dbcore', name: 'request-counter' })
      await db.open()
    },
  }
}

describe('bulk IndexedDB work', () => {
  it('settles 1,000 push results and stores 1,000 pulled rows with a few bulk requests, not one per row', async () => {
    const joined = await newMember()
    const { memberId } = joined
    const now = Date.now()
    const ids = Array.from({ length: 1000 }, () => crypto.randomUUID())
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      await db.studyCheckins.bulkPut(ids.map((id, i) => ({ ...checkin(`第${i}条`), id, memberId, week: '2026-W48', updatedAt: now + i, deleted: false, sync: 'pending' as const })))
      await db.outbox.bulkPut(ids.map((id, i) => ({ key: outboxKey('studyCheckins', id), table: 'studyCheckins' as const, id, version: 1, queuedAt: now + i })))
    })
    const counter = requestCounter()
    await counter.install()
    try {
      const { transport, requests } = recordingTransport()
      const summary = await runSyncPass(transport, { memberId })
      expect(summary.applied).toBe(1000)
      expect(await db.studyCheckins.filter(row => row.sync === 'synced').count()).toBe(1000)
      // A handful per request (session check, cursor, bulk reads and writes); a request per record would be thousands.
      expect(requests.length).toBeLessThan(6)
      expect(counter.counts.get + counter.counts.getMany + counter.counts.mutate).toBeLessThan(30 * requests.length)

      await freshDeviceOf(joined)
      const before = { ...counter.counts }
      const { transport: pulling, requests: pulls } = recordingTransport()
      // The branch's problems from the tests above come along; the check-ins are the 1,000.
      expect((await pullChanges(pulling, { memberId })).pulled).toBeGreaterThanOrEqual(1000)
      expect(await db.studyCheckins.count()).toBe(1000)
      const used = counter.counts.get + counter.counts.getMany + counter.counts.mutate - before.get - before.getMany - before.mutate
      expect(pulls.length).toBeLessThan(6)
      expect(used).toBeLessThan(30 * pulls.length)
    }
    finally {
      await counter.remove()
    }
  }, 60_000)
})

describe('a push reads each queued record once', () => {
  it('settles 1,000 applied results without reading their rows or outbox entries again', async () => {
    const { memberId } = await newMember()
    const now = Date.now()
    const ids = Array.from({ length: 1000 }, () => crypto.randomUUID())
    await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
      await db.studyCheckins.bulkPut(ids.map((id, i) => ({ ...checkin(`第${i}条`), id, memberId, week: '2026-W48', updatedAt: now + i, deleted: false, sync: 'pending' as const })))
      await db.outbox.bulkPut(ids.map((id, i) => ({ key: outboxKey('studyCheckins', id), table: 'studyCheckins' as const, id, version: 1, queuedAt: now + i })))
    })
    const counter = requestCounter()
    await counter.install()
    try {
      const { transport } = recordingTransport()
      expect((await runSyncPass(transport, { memberId })).applied).toBe(1000)
      // IndexedDB has no bulk get by key: a bulkGet of 500 is 500 requests. The rows are read once to
      // build the push; the outbox is read (and re-read to settle) by its queuedAt index, a range each.
      expect(counter.counts.keysRead).toBeLessThan(1100)
    }
    finally {
      await counter.remove()
    }
    expect(await db.studyCheckins.filter(row => row.sync === 'synced').count()).toBe(1000)
    expect(await db.outbox.count()).toBe(0)
  }, 60_000)
})
