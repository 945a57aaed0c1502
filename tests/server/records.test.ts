import type { ReadingNoteData, ServiceLogData } from '../../src/domain/records'
import type { SyncChangeIn } from '../../src/domain/wire'
import type { Member } from './support/api'
import { expect, it } from 'vitest'
import { addDays, weekKey } from '../../src/domain/week'
import { branchWith, pullAll, syncOk, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

/**
 * The contract rules of PROTOCOL.md for the service log and reading note tables: validation at
 * the field, last writer wins, tombstones, and each member's rows kept to that member.
 */

function service(overrides: Partial<ServiceLogData> = {}): ServiceLogData {
  return { date: today(), community: '东城社区', activity: 'visit', hours: 1.5, peopleServed: 4, description: '走访独居老人', ...overrides }
}

function note(overrides: Partial<ReadingNoteData> = {}): ReadingNoteData {
  return { title: '论持久战', source: '第一章', excerpt: '战争的伟力之最深厚的根源，存在于民众之中。', reflection: '依靠群众', ...overrides }
}

const serviceChange = (id: string, updatedAt: number, data: Partial<ServiceLogData> = {}): SyncChangeIn => ({ table: 'serviceLogs', id, updatedAt, data: service(data) })
const noteChange = (id: string, updatedAt: number, data: Partial<ReadingNoteData> = {}): SyncChangeIn => ({ table: 'readingNotes', id, updatedAt, data: note(data) })

// One edit per table, told apart by a field each table has.
const TABLES = [
  { table: 'serviceLogs', sqlTable: 'service_logs', change: (id: string, at: number, text: string) => serviceChange(id, at, { description: text }), text: (data: unknown) => (data as ServiceLogData).description },
  { table: 'readingNotes', sqlTable: 'reading_notes', change: (id: string, at: number, text: string) => noteChange(id, at, { reflection: text }), text: (data: unknown) => (data as ReadingNoteData).reflection },
] as const

describeEachBackend('service logs and reading notes', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  async function member(): Promise<Member> {
    return (await branchWith(app(), ctx.storage, ['刘洋'])).members[0]!
  }

  it('accepts service hours in half-hour steps from 0.5 to 24 and dates up to tomorrow, and refuses the rest at the field', async () => {
    const a = await member()
    const good = [0.5, 1, 2.5, 23.5, 24].map(hours => serviceChange(uuid(), 1, { hours }))
    good.push(serviceChange(uuid(), 1, { date: addDays(today(), 1) }), serviceChange(uuid(), 1, { peopleServed: null, description: undefined }))
    const bad: [Partial<ServiceLogData> | Record<string, unknown>, string, string][] = [
      [{ hours: 0 }, 'data.hours', '时长为 0.5–24 小时，以半小时为单位'],
      [{ hours: 0.25 }, 'data.hours', '时长为 0.5–24 小时，以半小时为单位'],
      [{ hours: 1.3 }, 'data.hours', '时长为 0.5–24 小时，以半小时为单位'],
      [{ hours: 24.5 }, 'data.hours', '时长为 0.5–24 小时，以半小时为单位'],
      [{ date: addDays(today(), 2) }, 'data.date', '日期不能晚于明天'],
      [{ date: '2026-02-29' }, 'data.date', '请填写正确的日期，格式为 YYYY-MM-DD'],
      [{ community: '  ' }, 'data.community', '请填写报到社区（1–100 字）'],
      [{ activity: 'party' as never }, 'data.activity', '请选择服务类型'],
      [{ peopleServed: 2.5 }, 'data.peopleServed', '服务人数为 0–10000 的整数'],
      [{ description: 'x'.repeat(2001) }, 'data.description', '服务内容不超过 2000 字'],
    ]
    const body = await syncOk(app(), a.token, { changes: [...good, ...bad.map(([data]) => serviceChange(uuid(), 1, data as Partial<ServiceLogData>))] })
    expect(body.results.slice(0, good.length).map(r => r.status)).toEqual(good.map(() => 'applied'))
    bad.forEach(([, path, message], i) => {
      const result = body.results[good.length + i]!
      expect(result, path).toMatchObject({ table: 'serviceLogs', status: 'rejected', error: { code: 'validation_failed' } })
      // One failed rule or several (0.25 is both too small and off the half hour): all at the field.
      expect(result.error!.details!.length, path).toBeGreaterThan(0)
      for (const detail of result.error!.details!)
        expect(detail, JSON.stringify(bad[i]![0])).toEqual({ path, message })
    })
    const hours = body.changes.map(c => (c.data as ServiceLogData).hours).sort((x, y) => x - y)
    expect(hours).toEqual([0.5, 1, 1.5, 1.5, 2.5, 23.5, 24])
    expect(body.changes.find(c => (c.data as ServiceLogData).date === addDays(today(), 1))!.data).toMatchObject({ week: weekKey(addDays(today(), 1)) })
  })

  it('refuses reading notes outside their limits at the field and keeps the limits themselves', async () => {
    const a = await member()
    const bad: [Partial<ReadingNoteData> | Record<string, unknown>, string, string][] = [
      [{ title: '' }, 'data.title', '请填写书名或篇目（1–200 字）'],
      [{ title: '书'.repeat(201) }, 'data.title', '请填写书名或篇目（1–200 字）'],
      [{ reflection: ' ' }, 'data.reflection', '请填写心得体会（1–10000 字）'],
      [{ reflection: '悟'.repeat(10_001) }, 'data.reflection', '请填写心得体会（1–10000 字）'],
      [{ source: 'x'.repeat(201) }, 'data.source', '出处不超过 200 字'],
      [{ excerpt: '摘'.repeat(5001) }, 'data.excerpt', '原文摘抄不超过 5000 字'],
      [{ materialId: 'abc' }, 'data.materialId', '资料 ID 必须是小写 UUID'],
    ]
    const limits = noteChange(uuid(), 1, { title: '书'.repeat(200), source: 'x'.repeat(200), excerpt: '摘'.repeat(5000), reflection: '悟'.repeat(10_000), materialId: uuid() })
    const bare = { table: 'readingNotes' as const, id: uuid(), updatedAt: 1, data: { title: '实践论', reflection: '实践出真知' } }
    const body = await syncOk(app(), a.token, { changes: [...bad.map(([data]) => noteChange(uuid(), 1, data as Partial<ReadingNoteData>)), limits, bare] })
    bad.forEach(([, path, message], i) => {
      expect(body.results[i], path).toMatchObject({ table: 'readingNotes', status: 'rejected', error: { code: 'validation_failed' } })
      expect(body.results[i]!.error!.details, path).toEqual([{ path, message }])
    })
    expect(body.results.slice(bad.length).map(r => r.status)).toEqual(['applied', 'applied'])
    const stored = body.changes.find(c => c.id === limits.id)!.data as ReadingNoteData
    expect([stored.title.length, stored.excerpt!.length, stored.reflection.length]).toEqual([200, 5000, 10_000])
  })

  for (const spec of TABLES) {
    it(`${spec.table}: the last writer wins, a tie goes to the greater clientId, and the loser gets the server copy`, async () => {
      const a = await member()
      const id = uuid()
      const first = await syncOk(app(), a.token, { clientId: 'phone', changes: [spec.change(id, 2000, '手机上的版本')] })
      const older = await syncOk(app(), a.token, { clientId: 'tablet', cursor: first.cursor, changes: [spec.change(id, 1000, '平板上的旧版本')] })
      expect(older.results).toEqual([{ table: spec.table, id, status: 'stale' }])
      expect(older.changes.map(c => spec.text(c.data))).toEqual(['手机上的版本'])

      const tieLoses = await syncOk(app(), a.token, { clientId: 'older-device', changes: [spec.change(id, 2000, '同一时刻 A')] })
      expect(tieLoses.results[0]!.status).toBe('stale')
      const tieWins = await syncOk(app(), a.token, { clientId: 'tablet', changes: [spec.change(id, 2000, '同一时刻 B')] })
      expect(tieWins.results[0]!.status).toBe('applied')
      const newer = await syncOk(app(), a.token, { clientId: 'phone', changes: [spec.change(id, 3000, '最新版本')] })
      expect(newer.results[0]!.status).toBe('applied')
      const rows = await ctx.storage.db.selectFrom(spec.sqlTable).select(['updated_at', 'client_id']).where('id', '=', id).execute()
      expect(rows).toEqual([{ updated_at: 3000, client_id: 'phone' }])
      const pulled = await pullAll(app(), a.token)
      expect(pulled.changes.filter(c => c.id === id).map(c => spec.text(c.data))).toEqual(['最新版本'])
    })

    it(`${spec.table}: a delete keeps a tombstone with no content that an older edit does not undo`, async () => {
      const a = await member()
      const id = uuid()
      const created = await syncOk(app(), a.token, { changes: [spec.change(id, 1000, '将被删除')] })
      const deleted = await syncOk(app(), a.token, { cursor: created.cursor, changes: [{ table: spec.table, id, updatedAt: 2000, deleted: true }] })
      expect(deleted.results[0]!.status).toBe('applied')
      expect(deleted.changes).toEqual([{ table: spec.table, id, rev: expect.any(Number), updatedAt: 2000, deleted: true, data: { memberId: a.id, branchId: a.branchId } }])
      expect(JSON.stringify(deleted.changes)).not.toContain('将被删除')
      const stored = await ctx.storage.db.selectFrom(spec.sqlTable).selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      expect(stored.deleted).toBe(1)
      expect(JSON.stringify(stored)).not.toContain('将被删除')

      const late = await syncOk(app(), a.token, { clientId: 'old-tablet', changes: [spec.change(id, 1500, '迟到的修改')] })
      expect(late.results[0]!.status).toBe('stale')
      expect(late.changes.find(c => c.id === id)).toMatchObject({ deleted: true })
      // Deleting again is harmless, and a newer edit may bring it back.
      const again = await syncOk(app(), a.token, { changes: [{ table: spec.table, id, updatedAt: 2000, deleted: true }] })
      expect(again.results[0]!.status).toBe('applied')
      const revived = await syncOk(app(), a.token, { changes: [spec.change(id, 4000, '恢复了')] })
      expect(revived.changes.find(c => c.id === id)).toMatchObject({ deleted: false })
    })

    it(`${spec.table}: rows stay their owner's, inside and across branches`, async () => {
      const { members } = await branchWith(app(), ctx.storage, ['甲', '乙'])
      const [a, b] = members as [Member, Member]
      const outsider = (await branchWith(app(), ctx.storage, ['外人'])).members[0]!
      const id = uuid()
      await syncOk(app(), a.token, { changes: [spec.change(id, 1000, '甲的私人记录')] })
      const before = await ctx.storage.db.selectFrom(spec.sqlTable).selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      for (const other of [b, outsider]) {
        const pulled = await pullAll(app(), other.token)
        expect(JSON.stringify(pulled)).not.toContain('甲的私人记录')
        for (const change of [spec.change(id, 9000, '别人改的'), { table: spec.table, id, updatedAt: 9000, deleted: true }]) {
          const attempt = await syncOk(app(), other.token, { changes: [change] })
          expect(attempt.results[0]).toMatchObject({ table: spec.table, id, status: 'rejected', error: { code: 'forbidden' } })
        }
      }
      expect(await ctx.storage.db.selectFrom(spec.sqlTable).selectAll().where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before)
      const own = await pullAll(app(), a.token)
      expect(own.changes.map(c => spec.text(c.data))).toEqual(['甲的私人记录'])
    })
  }
})
