import type { FastifyInstance } from 'fastify'
import type { SyncChangeIn, SyncChangeOut } from '../../src/domain/wire'
import { expect, it } from 'vitest'
import { branchWith, checkin, pullAll, studyChange, syncOk, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { callOk } from './support/branch'

/**
 * Only an identical change is a replay. A change with the stored row's `updatedAt` and
 * `clientId` but other content (or a delete against a live row, or the reverse) was not stored,
 * so it must never be answered `applied`: it is `stale`, and the server's copy comes back.
 */

function noteChange(id: string, updatedAt: number, title: string): SyncChangeIn {
  return { table: 'readingNotes', id, updatedAt, data: { title, reflection: '读后感' } }
}

describeEachBackend('sync replays', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = (): FastifyInstance => appOf.app

  async function member() {
    const { members } = await branchWith(app(), ctx.storage, ['甲'])
    return members[0]!
  }

  it('answers an identical change applied, with no new revision', async () => {
    const a = await member()
    const id = uuid()
    const first = await syncOk(app(), a.token, { clientId: 'phone', changes: [noteChange(id, 1000, '原文')] })
    const again = await syncOk(app(), a.token, { clientId: 'phone', cursor: first.cursor, changes: [noteChange(id, 1000, '原文')] })
    expect(again.results).toEqual([{ table: 'readingNotes', id, status: 'applied' }])
    expect(again.changes).toEqual([])
    // A tombstone sent again is a replay too.
    const gone = await syncOk(app(), a.token, { clientId: 'phone', cursor: first.cursor, changes: [{ table: 'readingNotes', id, updatedAt: 2000, deleted: true }] })
    const goneAgain = await syncOk(app(), a.token, { clientId: 'phone', cursor: gone.cursor, changes: [{ table: 'readingNotes', id, updatedAt: 2000, deleted: true }] })
    expect(goneAgain.results).toEqual([{ table: 'readingNotes', id, status: 'applied' }])
    expect(goneAgain.changes).toEqual([])
  })

  it('answers other content with the same updatedAt and clientId stale and sends the stored copy back', async () => {
    const a = await member()
    const id = uuid()
    const first = await syncOk(app(), a.token, { clientId: 'phone', changes: [noteChange(id, 1000, '原文')] })
    const stored = first.changes.find(c => c.id === id)!
    const other = await syncOk(app(), a.token, { clientId: 'phone', cursor: first.cursor, changes: [noteChange(id, 1000, '改过的')] })
    expect(other.results).toEqual([{ table: 'readingNotes', id, status: 'stale' }])
    // The cursor is past the row: it comes back anyway, unchanged.
    expect(other.changes).toEqual([stored])
    const row = await ctx.storage.db.selectFrom('reading_notes').select(['title', 'rev', 'deleted']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toEqual({ title: '原文', rev: stored.rev, deleted: 0 })

    // Same in a study check-in, where a field the first change left out is set now.
    const checkinId = uuid()
    const made = await syncOk(app(), a.token, { clientId: 'phone', changes: [studyChange(checkinId, 1000)] })
    const withNote = await syncOk(app(), a.token, { clientId: 'phone', cursor: made.cursor, changes: [studyChange(checkinId, 1000, { note: '补一句' })] })
    expect(withNote.results).toEqual([{ table: 'studyCheckins', id: checkinId, status: 'stale' }])
    expect((withNote.changes[0]!.data as { note: string | null }).note).toBeNull()
  })

  it('answers a delete against a live row (and a live change against a tombstone) with the same updatedAt and clientId stale', async () => {
    const a = await member()
    const live = uuid()
    const first = await syncOk(app(), a.token, { clientId: 'phone', changes: [noteChange(live, 1000, '还在')] })
    const deleting = await syncOk(app(), a.token, { clientId: 'phone', cursor: first.cursor, changes: [{ table: 'readingNotes', id: live, updatedAt: 1000, deleted: true }] })
    expect(deleting.results).toEqual([{ table: 'readingNotes', id: live, status: 'stale' }])
    expect(deleting.changes).toMatchObject([{ id: live, deleted: false, data: { title: '还在' } }])

    const dead = uuid()
    const removed = await syncOk(app(), a.token, { clientId: 'phone', cursor: deleting.cursor, changes: [{ table: 'readingNotes', id: dead, updatedAt: 1000, deleted: true }] })
    const reviving = await syncOk(app(), a.token, { clientId: 'phone', cursor: removed.cursor, changes: [noteChange(dead, 1000, '复活')] })
    expect(reviving.results).toEqual([{ table: 'readingNotes', id: dead, status: 'stale' }])
    expect(reviving.changes).toMatchObject([{ id: dead, deleted: true }])

    // Within one request: the second, different version of the same instant loses to the first.
    const twin = uuid()
    const both = await syncOk(app(), a.token, { clientId: 'phone', cursor: reviving.cursor, changes: [noteChange(twin, 1000, '第一版'), noteChange(twin, 1000, '第二版')] })
    expect(both.results.map(r => r.status)).toEqual(['applied', 'stale'])
    expect(both.changes).toMatchObject([{ id: twin, data: { title: '第一版' } }])

    // Every device ends with what is stored.
    const all = (await pullAll(app(), a.token)).changes as SyncChangeOut[]
    expect(Object.fromEntries(all.map(c => [c.id, c.deleted]))).toEqual({ [live]: false, [dead]: true, [twin]: false })
  })

  it('代录: another entry with the same id and updatedAt is stale, never applied', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['乙'])
    const elder = members[0]!
    const id = uuid()
    const url = `/api/v1/branch/members/${elder.id}/records`
    const created = await callOk(app(), secretary.token, 'POST', url, { table: 'studyCheckins', id, updatedAt: 5000, data: checkin({ minutes: 90 }) }, 201)
    expect(await callOk(app(), secretary.token, 'POST', url, { table: 'studyCheckins', id, updatedAt: 5000, data: checkin({ minutes: 90 }) }, 201)).toEqual(created)
    expect(await callOk(app(), secretary.token, 'POST', url, { table: 'studyCheckins', id, updatedAt: 5000, data: checkin({ minutes: 30 }) }, 200)).toEqual({ result: 'stale', rev: created.rev })
    const row = await ctx.storage.db.selectFrom('study_checkins').select(['minutes']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.minutes).toBe(90)
  })
})
