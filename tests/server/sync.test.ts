import type { SyncChangeIn, SyncChangeOut, SyncResponse } from '../../src/domain/wire'
import { expect, it } from 'vitest'
import { addDays, weekKey } from '../../src/domain/week'
import { branchWith, checkin, daysAgo, expectError, pullAll, resolvable, studyChange, sync, syncOk, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

describeEachBackend('sync', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  async function twoMembers() {
    const { members, branchId } = await branchWith(app(), ctx.storage, ['甲', '乙'])
    return { a: members[0]!, b: members[1]!, branchId }
  }

  it('applies a change and sends it back with the server fields, ignoring the client\'s owner fields', async () => {
    const { a, b, branchId } = await twoMembers()
    const id = uuid()
    const date = today()
    const body = await syncOk(app(), a.token, { clientId: 'phone-1', changes: [
      { table: 'studyCheckins', id, updatedAt: 1000, data: { ...checkin({ date, minutes: 90, note: '第一章' }), memberId: b.id, branchId: 'someone-else', week: '1999-W01' } },
    ] })
    expect(body.results).toEqual([{ table: 'studyCheckins', id, status: 'applied' }])
    expect(body.changes).toHaveLength(1)
    const [row] = body.changes as [SyncChangeOut]
    expect(row).toMatchObject({ table: 'studyCheckins', id, updatedAt: 1000, deleted: false })
    expect(row.rev).toEqual(expect.any(Number))
    expect(row.data).toMatchObject({ date, form: 'branch_study', topic: '学习党的二十大精神', minutes: 90, note: '第一章', memberId: a.id, branchId, week: weekKey(date) })
    expect(body.cursor).toBe(String(row.rev))
    expect(body.hasMore).toBe(false)

    // Stored under the caller, with real typed columns.
    const stored = await ctx.storage.db.selectFrom('study_checkins').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ member_id: a.id, branch_id: branchId, week: weekKey(date), minutes: 90, client_id: 'phone-1', deleted: 0 })
  })

  it('carries all three member tables', async () => {
    const { a } = await twoMembers()
    const ids = [uuid(), uuid(), uuid()]
    const body = await syncOk(app(), a.token, { changes: [
      studyChange(ids[0]!, 1),
      { table: 'serviceLogs', id: ids[1]!, updatedAt: 1, data: { date: today(), community: '东城社区', activity: 'visit', hours: 1.5, peopleServed: 3, description: '走访' } },
      { table: 'readingNotes', id: ids[2]!, updatedAt: 1, data: { title: '论持久战', reflection: '读后感', excerpt: '……' } },
    ] })
    expect(body.results.map(r => r.status)).toEqual(['applied', 'applied', 'applied'])
    const byTable = Object.fromEntries(body.changes.map(c => [c.table, c]))
    expect(byTable.serviceLogs!.data).toMatchObject({ community: '东城社区', activity: 'visit', hours: 1.5, peopleServed: 3, description: '走访', week: weekKey(today()) })
    expect(byTable.readingNotes!.data).toMatchObject({ title: '论持久战', reflection: '读后感', excerpt: '……', memberId: a.id })
    expect(byTable.readingNotes!.data).not.toHaveProperty('week')
  })

  it('treats the exact replay as applied without a second row or a new revision', async () => {
    const { a } = await twoMembers()
    const id = uuid()
    const change = studyChange(id, 5000)
    const first = await syncOk(app(), a.token, { clientId: 'phone-1', changes: [change] })
    const replay = await syncOk(app(), a.token, { clientId: 'phone-1', cursor: first.cursor, changes: [change] })
    expect(replay.results).toEqual([{ table: 'studyCheckins', id, status: 'applied' }])
    // Nothing new after the first cursor: the replay made no revision.
    expect(replay.changes).toEqual([])
    expect(replay.cursor).toBe(first.cursor)
    const rows = await ctx.storage.db.selectFrom('study_checkins').select(['rev']).where('id', '=', id).execute()
    expect(rows).toEqual([{ rev: first.changes[0]!.rev }])
    // The same change twice in one request is harmless too.
    const twice = await syncOk(app(), a.token, { clientId: 'phone-1', cursor: first.cursor, changes: [change, change] })
    expect(twice.results.map(r => r.status)).toEqual(['applied', 'applied'])
    expect(twice.changes).toEqual([])
  })

  it('lets the last writer win and returns the server copy for a stale change', async () => {
    const { a } = await twoMembers()
    const id = uuid()
    await syncOk(app(), a.token, { clientId: 'phone', changes: [studyChange(id, 2000, { topic: '新版' })] })
    const older = await syncOk(app(), a.token, { clientId: 'tablet', changes: [studyChange(id, 1000, { topic: '旧版' })] })
    expect(older.results).toEqual([{ table: 'studyCheckins', id, status: 'stale' }])
    expect(older.changes.find(c => c.id === id)!.data).toMatchObject({ topic: '新版' })

    const newer = await syncOk(app(), a.token, { clientId: 'tablet', changes: [studyChange(id, 3000, { topic: '更新版' })] })
    expect(newer.results[0]!.status).toBe('applied')
    const row = newer.changes.find(c => c.id === id)!
    expect(row).toMatchObject({ updatedAt: 3000, data: { topic: '更新版' } })
  })

  it('sends the winning copy back even when the client\'s cursor is already past it', async () => {
    const { a } = await twoMembers()
    const id = uuid()
    const won = await syncOk(app(), a.token, { clientId: 'phone', changes: [studyChange(id, 2000, { topic: '手机上的版本' })] })
    const other = uuid()
    const later = await syncOk(app(), a.token, { clientId: 'phone', cursor: won.cursor, changes: [studyChange(other, 2100)] })
    // The tablet has pulled everything, then pushes an edit made earlier.
    const stale = await syncOk(app(), a.token, { clientId: 'tablet', cursor: later.cursor, changes: [studyChange(id, 1500, { topic: '平板上的旧版本' })] })
    expect(stale.results[0]!.status).toBe('stale')
    expect(stale.changes).toEqual([expect.objectContaining({ id, rev: won.changes[0]!.rev, updatedAt: 2000, data: expect.objectContaining({ topic: '手机上的版本' }) })])
    // The cursor never moves back.
    expect(stale.cursor).toBe(later.cursor)
  })

  it('breaks an updatedAt tie by the greater clientId, both ways', async () => {
    const { a } = await twoMembers()
    // Stored by "b"; "a" < "b" so the incoming change is stale.
    const first = uuid()
    await syncOk(app(), a.token, { clientId: 'device-b', changes: [studyChange(first, 7000, { topic: 'B 的版本' })] })
    const lower = await syncOk(app(), a.token, { clientId: 'device-a', changes: [studyChange(first, 7000, { topic: 'A 的版本' })] })
    expect(lower.results[0]!.status).toBe('stale')
    expect(lower.changes.find(c => c.id === first)!.data).toMatchObject({ topic: 'B 的版本' })

    // Stored by "a"; "b" > "a" so the incoming change wins.
    const second = uuid()
    await syncOk(app(), a.token, { clientId: 'device-a', changes: [studyChange(second, 7000, { topic: 'A 的版本' })] })
    const higher = await syncOk(app(), a.token, { clientId: 'device-b', changes: [studyChange(second, 7000, { topic: 'B 的版本' })] })
    expect(higher.results[0]!.status).toBe('applied')
    expect(higher.changes.find(c => c.id === second)!.data).toMatchObject({ topic: 'B 的版本' })
  })

  it('rejects a write to another member\'s id as forbidden, leaving that row untouched and unseen', async () => {
    const { a, b } = await twoMembers()
    const id = uuid()
    const mine = await syncOk(app(), a.token, { changes: [studyChange(id, 1000, { topic: '甲的记录' })] })
    const before = await ctx.storage.db.selectFrom('study_checkins').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

    for (const change of [studyChange(id, 9_999_999, { topic: '乙改的' }), { table: 'studyCheckins', id, updatedAt: 9_999_999, deleted: true }]) {
      const attack = await syncOk(app(), b.token, { clientId: 'zzzz', changes: [change] })
      expect(attack.results).toEqual([{ table: 'studyCheckins', id, status: 'rejected', error: { code: 'forbidden', message: expect.stringMatching(/其他党员/) } }])
      // Nothing of the other member's row comes back.
      expect(JSON.stringify(attack)).not.toContain('甲的记录')
      expect(attack.changes.find(c => c.id === id)).toBeUndefined()
    }

    const after = await ctx.storage.db.selectFrom('study_checkins').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(after).toEqual(before)
    const again = await syncOk(app(), a.token, { cursor: mine.cursor })
    expect(again.changes).toEqual([])
  })

  it('judges each change alone: bad ones are rejected with paths, the rest are applied, in request order', async () => {
    const { a } = await twoMembers()
    const good1 = uuid()
    const good2 = uuid()
    const badId = uuid()
    const changes: unknown[] = [
      studyChange(good1, 1),
      { table: 'studyCheckins', id: badId, updatedAt: 1, data: checkin({ minutes: 601 }) },
      { table: 'studyCheckins', id: 'NOT-A-UUID', updatedAt: 1, data: checkin() },
      { table: 'studyCheckins', id: uuid().toUpperCase(), updatedAt: 1, data: checkin() },
      { table: 'secrets', id: uuid(), updatedAt: 1, data: {} },
      { table: 'studyCheckins', id: uuid(), updatedAt: -1, data: checkin() },
      { table: 'studyCheckins', id: uuid(), updatedAt: 1.5, data: checkin() },
      { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ date: '2026-02-30' }) },
      { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ date: addDays(today(), 2) }) },
      { table: 'studyCheckins', id: uuid(), updatedAt: 1 },
      { table: 'studyCheckins', id: uuid(), updatedAt: 1, deleted: 'yes' },
      { table: 'serviceLogs', id: uuid(), updatedAt: 1, data: { date: today(), community: '社区', activity: 'visit', hours: 0.7 } },
      'not an object',
      studyChange(good2, 2),
    ]
    const body = await syncOk(app(), a.token, { changes })
    const paths = body.results.map(r => r.error?.details?.map(d => d.path))
    expect(body.results.map(r => r.status)).toEqual(['applied', ...Array.from({ length: 12 }, () => 'rejected'), 'applied'])
    expect(paths).toEqual([
      undefined,
      ['data.minutes'],
      ['id'],
      ['id'],
      ['table'],
      ['updatedAt'],
      ['updatedAt'],
      ['data.date'],
      ['data.date'],
      ['data'],
      ['deleted'],
      ['data.hours'],
      [''],
      undefined,
    ])
    for (const result of body.results.filter(r => r.status === 'rejected'))
      expect(result.error).toMatchObject({ code: 'validation_failed', message: expect.any(String) })
    expect(body.results[1]).toMatchObject({ table: 'studyCheckins', id: badId })
    expect(body.results[1]!.error!.details![0]!.message).toBe('时长为 1–600 分钟的整数')
    expect(body.results[8]!.error!.details![0]!.message).toBe('日期不能晚于明天')
    expect(body.changes.map(c => c.id).sort()).toEqual([good1, good2].sort())
  })

  it('says which key is missing in a record, in words', async () => {
    const { a } = await twoMembers()
    const body = await syncOk(app(), a.token, { changes: [{ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: { date: today(), form: 'branch_study', minutes: 30 } }] })
    expect(body.results[0]!.error!.details).toEqual([{ path: 'data.topic', message: '此项必填' }])
  })

  it('keeps a tombstone with a new revision when a record is deleted', async () => {
    const { a } = await twoMembers()
    const id = uuid()
    const created = await syncOk(app(), a.token, { changes: [studyChange(id, 1000)] })
    const deleted = await syncOk(app(), a.token, { cursor: created.cursor, changes: [{ table: 'studyCheckins', id, updatedAt: 2000, deleted: true }] })
    expect(deleted.results[0]!.status).toBe('applied')
    expect(deleted.changes).toHaveLength(1)
    const tombstone = deleted.changes[0]!
    expect(tombstone).toMatchObject({ table: 'studyCheckins', id, deleted: true, updatedAt: 2000, data: { memberId: a.id } })
    expect(tombstone.rev).toBeGreaterThan(created.changes[0]!.rev)
    expect(tombstone.data).not.toHaveProperty('topic')

    // An older edit from another device does not resurrect it.
    const late = await syncOk(app(), a.token, { clientId: 'old-tablet', changes: [studyChange(id, 1500)] })
    expect(late.results[0]!.status).toBe('stale')
    // A delete of a record the server never saw still leaves a tombstone.
    const unseen = uuid()
    const unseenBody = await syncOk(app(), a.token, { cursor: deleted.cursor, changes: [{ table: 'readingNotes', id: unseen, updatedAt: 5, deleted: true }] })
    expect(unseenBody.changes).toEqual([expect.objectContaining({ id: unseen, table: 'readingNotes', deleted: true })])
  })

  it('pulls 1,200 rows over 3 pages, oldest first, with no duplicates and no gaps', async () => {
    const { a } = await twoMembers()
    const ids: string[] = []
    for (let batch = 0; batch < 3; batch++) {
      const changes: SyncChangeIn[] = []
      for (let i = 0; i < 400; i++) {
        const id = uuid()
        ids.push(id)
        const table = (['studyCheckins', 'serviceLogs', 'readingNotes'] as const)[i % 3]!
        if (table === 'studyCheckins')
          changes.push(studyChange(id, batch * 1000 + i, { date: daysAgo(i % 30), topic: `第 ${batch}-${i} 次` }))
        else if (table === 'serviceLogs')
          changes.push({ table, id, updatedAt: batch * 1000 + i, data: { date: daysAgo(i % 30), community: '社区', activity: 'volunteer', hours: 1, description: '' } })
        else
          changes.push({ table, id, updatedAt: batch * 1000 + i, data: { title: `笔记 ${i}`, reflection: '体会' } })
      }
      const body = await syncOk(app(), a.token, { changes, cursor: '999999999999' })
      expect(body.results.every(r => r.status === 'applied')).toBe(true)
    }
    const pages: SyncChangeOut[][] = []
    let cursor: string | null = null
    for (;;) {
      const body = await syncOk(app(), a.token, { cursor })
      pages.push(body.changes)
      if (body.changes.length > 0)
        expect(body.cursor).toBe(String(body.changes.at(-1)!.rev))
      cursor = body.cursor
      if (!body.hasMore)
        break
    }
    expect(pages.map(p => p.length)).toEqual([500, 500, 200])
    const all = pages.flat()
    const revs = all.map(c => c.rev)
    expect(revs).toEqual([...revs].sort((x, y) => x - y))
    expect(new Set(revs).size).toBe(1200)
    expect(new Set(all.map(c => c.id))).toEqual(new Set(ids))
    // Revisions are consecutive here (one member, nothing else wrote in between).
    expect(revs.at(-1)! - revs[0]! + 1).toBe(1200)

    const pulled = await pullAll(app(), a.token, null)
    expect(pulled.pages).toBe(3)
    const after = await syncOk(app(), a.token, { cursor: pulled.cursor })
    expect(after).toMatchObject({ changes: [], cursor: pulled.cursor, hasMore: false })
  })

  it('keeps each member\'s rows to that member', async () => {
    const { a, b } = await twoMembers()
    await syncOk(app(), a.token, { changes: [studyChange(uuid(), 1, { topic: '甲的学习' })] })
    await syncOk(app(), b.token, { changes: [studyChange(uuid(), 1, { topic: '乙的学习' })] })
    const pulledA = await pullAll(app(), a.token)
    const pulledB = await pullAll(app(), b.token)
    expect(pulledA.changes.every(c => c.data.memberId === a.id)).toBe(true)
    expect(pulledB.changes.every(c => c.data.memberId === b.id)).toBe(true)
    expect(pulledA.changes.map(c => (c.data as { topic?: string }).topic)).toEqual(['甲的学习'])
    expect(pulledB.changes.map(c => (c.data as { topic?: string }).topic)).toEqual(['乙的学习'])
  })

  it('answers an empty pull with the request cursor', async () => {
    const { a } = await twoMembers()
    expect(await syncOk(app(), a.token, { cursor: null })).toEqual({ results: [], changes: [], cursor: null, hasMore: false, memberId: a.id })
    expect(await syncOk(app(), a.token, { cursor: '123456' })).toEqual({ results: [], changes: [], cursor: '123456', hasMore: false, memberId: a.id })
  })

  it('rejects malformed requests with 400 and the field to fix', async () => {
    const { a } = await twoMembers()
    for (const [body, path] of [
      [{ cursor: 'abc' }, 'cursor'],
      [{ cursor: -1 }, 'cursor'],
      [{ cursor: 12 }, 'cursor'],
      [{ cursor: '1e5' }, 'cursor'],
      [{ clientId: '' }, 'clientId'],
      [{ clientId: 7 }, 'clientId'],
      [{ changes: {} }, 'changes'],
      [{ changes: null }, 'changes'],
    ] as const) {
      const error = expectError(await sync(app(), a.token, body), 400, 'validation_failed')
      expect(error.details!.map(d => d.path)).toEqual([path])
    }
  })

  it('stores every row of a push, whatever its count, each with its own data and revision', async () => {
    // Rows are written in blocks of 256, 128, … 1: counts that use every block, and one row.
    const { a } = await twoMembers()
    let cursor: string | null = null
    for (const count of [500, 383, 255, 1]) {
      const changes = Array.from({ length: count }, (_, i) => studyChange(uuid(), i + 1, { minutes: (i % 90) + 1, note: `第${i + 1}条` }))
      const body: SyncResponse = await syncOk(app(), a.token, { cursor, changes })
      expect(body.results.filter(r => r.status === 'applied')).toHaveLength(count)
      cursor = body.cursor
      const rows = await ctx.storage.db.selectFrom('study_checkins').select(['id', 'minutes', 'note', 'updated_at', 'rev']).where('id', 'in', changes.map(c => c.id)).execute()
      const byId = new Map(rows.map(r => [r.id, r]))
      expect(changes.map(c => ({ minutes: byId.get(c.id)?.minutes, note: byId.get(c.id)?.note, updatedAt: Number(byId.get(c.id)?.updated_at) }))).toEqual(changes.map((_, i) => ({ minutes: (i % 90) + 1, note: `第${i + 1}条`, updatedAt: i + 1 })))
      expect(new Set(rows.map(r => Number(r.rev))).size).toBe(count)
    }
  })

  it('refuses more than 500 changes and bodies over 1 MiB with 413', async () => {
    const { a } = await twoMembers()
    const changes = Array.from({ length: 501 }, (_, i) => studyChange(uuid(), i))
    const tooMany = expectError(await sync(app(), a.token, { changes }), 413, 'payload_too_large')
    expect(tooMany.message).toMatch(/500/)
    const huge = expectError(await sync(app(), a.token, { changes: [studyChange(uuid(), 1, { note: 'x'.repeat(1024 * 1024) })] }), 413, 'payload_too_large')
    expect(huge.message).toMatch(/1 MiB/)
    // Nothing of either was stored.
    expect((await pullAll(app(), a.token)).changes).toEqual([])
    // Exactly 500 is fine.
    const ok = await syncOk(app(), a.token, { changes: changes.slice(0, 500) })
    expect(ok.results).toHaveLength(500)
  })

  it('keeps the last writer of each row when several devices push the same rows at once', async () => {
    // PostgreSQL judges a push without a lock and writes each row only if it is still the version
    // judged; a writer that lost that race is judged again. Whatever the interleaving, each row
    // ends as its greatest updatedAt (a tie to the greater clientId) and every answer agrees.
    const { a } = await twoMembers()
    const ids = Array.from({ length: 30 }, () => uuid())
    const devices = ['phone-0', 'phone-1', 'phone-2', 'phone-3']
    const rounds = 6
    const answers: { clientId: string, updatedAt: number, status: string, id: string }[] = []
    await Promise.all(devices.map(async (clientId, d) => {
      for (let round = 0; round < rounds; round++) {
        // Each device its own order, and a tie on updatedAt between phone-2 and phone-3 in the last round.
        const updatedAt = round === rounds - 1 && d >= 2 ? round * 10 + 9 : round * 10 + d
        const order = [...ids].sort((x, y) => ((x.charCodeAt(d) * 31 + round) % 7) - ((y.charCodeAt(d) * 31 + round) % 7))
        const body = await syncOk(app(), a.token, { clientId, changes: order.map(id => studyChange(id, updatedAt, { minutes: updatedAt + 1, note: clientId })) })
        body.results.forEach(r => answers.push({ clientId, updatedAt, status: r.status, id: r.id }))
      }
    }))
    const rows = await ctx.storage.db.selectFrom('study_checkins').select(['id', 'updated_at', 'client_id', 'minutes', 'note', 'rev']).where('id', 'in', ids).execute()
    const last = (rounds - 1) * 10 + 9
    expect(rows).toHaveLength(ids.length)
    for (const row of rows)
      expect({ updatedAt: Number(row.updated_at), clientId: row.client_id, minutes: row.minutes, note: row.note }).toEqual({ updatedAt: last, clientId: 'phone-3', minutes: last + 1, note: 'phone-3' })
    expect(new Set(rows.map(r => Number(r.rev))).size).toBe(ids.length)
    // The winning change was applied, and nothing was refused.
    expect(answers.filter(x => x.updatedAt === last && x.clientId === 'phone-3').map(x => x.status)).toEqual(ids.map(() => 'applied'))
    expect(answers.filter(x => x.status !== 'applied' && x.status !== 'stale')).toEqual([])
    // A full pull agrees with the table.
    const pulled = (await pullAll(app(), a.token)).changes.filter(c => ids.includes(c.id))
    expect(pulled.map(c => c.updatedAt)).toEqual(ids.map(() => last))
  })

  // Deterministic: a push is held between judging its rows and writing them while another device
  // writes newer versions of the same rows (one stored before, one new to both). PostgreSQL only:
  // SQLite judges and writes inside its one writer, so nothing can come between.
  it.skipIf(backend.name === 'sqlite')('judges a push again when another device wrote its rows between its judgement and its write', async () => {
    const { a } = await twoMembers()
    const [edited, created] = [uuid(), uuid()]
    await syncOk(app(), a.token, { clientId: 'phone-0', changes: [studyChange(edited, 10)] })
    const repository = ctx.storage.studyCheckins as unknown as { findHeads: (...args: unknown[]) => Promise<unknown> }
    const original = repository.findHeads
    const judged = resolvable()
    const gate = resolvable()
    let held = false
    repository.findHeads = async (...args: unknown[]) => {
      const heads = await original.apply(repository, args)
      if (!held) {
        held = true
        judged.resolve()
        await gate.promise
      }
      return heads
    }
    try {
      const older = syncOk(app(), a.token, { clientId: 'phone-1', changes: [studyChange(edited, 20, { note: '旧' }), studyChange(created, 20, { note: '旧' })] })
      await judged.promise
      const newer = await syncOk(app(), a.token, { clientId: 'phone-2', changes: [studyChange(edited, 30, { note: '新' }), studyChange(created, 30, { note: '新' })] })
      expect(newer.results.map(r => r.status)).toEqual(['applied', 'applied'])
      gate.resolve()
      expect((await older).results.map(r => r.status)).toEqual(['stale', 'stale'])
    }
    finally {
      gate.resolve()
      repository.findHeads = original
    }
    const rows = await ctx.storage.db.selectFrom('study_checkins').select(['id', 'updated_at', 'note', 'client_id']).where('id', 'in', [edited, created]).orderBy('id').execute()
    expect(rows.map(r => ({ updatedAt: Number(r.updated_at), note: r.note, clientId: r.client_id }))).toEqual([edited, created].sort().map(() => ({ updatedAt: 30, note: '新', clientId: 'phone-2' })))
  })

  it('gives concurrent pushes distinct revisions that a cursor never skips', async () => {
    const { members } = await branchWith(app(), ctx.storage, ['一', '二', '三', '四', '五', '六'])
    const cursors = new Map<string, string | null>()
    const seen = new Map<string, Set<string>>()
    const pushed = new Map<string, Set<string>>()
    for (const m of members) {
      cursors.set(m.id, null)
      seen.set(m.id, new Set())
      pushed.set(m.id, new Set())
    }
    // Pushes and pulls interleave; each pull continues from the member's last cursor.
    await Promise.all(members.map(async (m) => {
      for (let round = 0; round < 8; round++) {
        const changes = Array.from({ length: 20 }, (_, i) => studyChange(uuid(), round * 100 + i))
        changes.forEach(c => pushed.get(m.id)!.add(c.id))
        const body = await syncOk(app(), m.token, { cursor: cursors.get(m.id)!, changes })
        body.changes.forEach(c => seen.get(m.id)!.add(c.id))
        cursors.set(m.id, body.cursor)
      }
    }))
    for (const m of members)
      expect(seen.get(m.id)).toEqual(pushed.get(m.id))
    const revs = await ctx.storage.db.selectFrom('study_checkins').select('rev').where('member_id', 'in', members.map(m => m.id)).execute()
    expect(new Set(revs.map(r => r.rev)).size).toBe(revs.length)
  })
})
