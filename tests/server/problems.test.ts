import type { ProblemData, ProblemServerFields } from '../../src/domain/records'
import type { SyncChangeIn, SyncChangeOut } from '../../src/domain/wire'
import type { Member } from './support/api'
import { expect, it } from 'vitest'
import { addDays, weekKey } from '../../src/domain/week'
import { branchWith, pullAll, studyChange, syncOk, today, useApp, uuid } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'

/**
 * Residents' problems: members push their own like any record, but status, owner and
 * resolution are never theirs to write; every member of the branch pulls every problem of the
 * branch with the reporter's name, and nobody outside the branch pulls any.
 */

function problem(overrides: Partial<ProblemData> = {}): ProblemData {
  return { date: today(), community: '东城社区', category: 'livelihood', title: '楼道灯坏了', detail: '3 号楼二单元，晚上看不见台阶', ...overrides }
}

function problemChange(id: string, updatedAt: number, data: Partial<ProblemData> = {}): SyncChangeIn {
  return { table: 'problems', id, updatedAt, data: problem(data) }
}

type ProblemOut = ProblemData & ProblemServerFields & { memberId: string, branchId: string, week: string }

const problemsOf = (changes: SyncChangeOut[]) => changes.filter(c => c.table === 'problems')

describeEachBackend('problems', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  it('stores a member\'s new problem as open, ignoring status, owner and resolution from the client', async () => {
    const { members, branchId } = await branchWith(app(), ctx.storage, ['王芳'])
    const a = members[0]!
    const id = uuid()
    const sneaky = { ...problem(), status: 'solved', ownerName: '王芳', resolution: '已修好', statusUpdatedAt: 5, reporterName: '别人', memberId: 'x', branchId: 'y' }
    const body = await syncOk(app(), a.token, { changes: [{ table: 'problems', id, updatedAt: 1000, data: sneaky }] })
    expect(body.results).toEqual([{ table: 'problems', id, status: 'applied' }])

    const stored = await ctx.storage.db.selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ member_id: a.id, branch_id: branchId, status: 'open', owner_name: null, resolution: null, status_updated_at: null, title: '楼道灯坏了', category: 'livelihood', week: weekKey(today()), deleted: 0 })

    const [row] = problemsOf(body.changes) as [SyncChangeOut]
    expect(row).toMatchObject({ table: 'problems', id, updatedAt: 1000, deleted: false })
    expect(row.data).toEqual({
      ...problem(),
      memberId: a.id,
      branchId,
      week: weekKey(today()),
      reporterName: '王芳',
      status: 'open',
      ownerName: null,
      resolution: null,
      statusUpdatedAt: null,
    } satisfies ProblemOut)
  })

  it('validates each field with a message at the field', async () => {
    const { members } = await branchWith(app(), ctx.storage, ['李明'])
    const a = members[0]!
    const cases: [Partial<ProblemData> | Record<string, unknown>, string, string][] = [
      [{ category: 'noise' as never }, 'data.category', '请选择问题类别'],
      [{ title: '   ' }, 'data.title', '请填写问题标题（1–100 字）'],
      [{ title: 'x'.repeat(101) }, 'data.title', '请填写问题标题（1–100 字）'],
      [{ community: '' }, 'data.community', '请填写报到社区（1–100 字）'],
      [{ detail: 'x'.repeat(2001) }, 'data.detail', '问题详情不超过 2000 字'],
      [{ date: addDays(today(), 2) }, 'data.date', '日期不能晚于明天'],
      [{ date: '2026-02-30' }, 'data.date', '请填写正确的日期，格式为 YYYY-MM-DD'],
    ]
    const body = await syncOk(app(), a.token, { changes: [
      ...cases.map(([data]) => problemChange(uuid(), 1, data as Partial<ProblemData>)),
      // The limits themselves are fine, and so is a problem with no detail.
      problemChange(uuid(), 1, { title: 'x'.repeat(100), detail: 'y'.repeat(2000), date: addDays(today(), 1) }),
      { table: 'problems', id: uuid(), updatedAt: 1, data: { date: today(), community: '西城社区', category: 'employment', title: '就业咨询' } },
    ] })
    cases.forEach(([, path, message], i) => {
      expect(body.results[i], path).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } })
      expect(body.results[i]!.error!.details, path).toEqual([{ path, message }])
    })
    expect(body.results.slice(cases.length).map(r => r.status)).toEqual(['applied', 'applied'])
    expect(problemsOf(body.changes).map(c => (c.data as ProblemOut).detail).sort()).toEqual(['', 'y'.repeat(2000)])

    const english = await app().inject({ method: 'POST', url: '/api/v1/sync', headers: { 'authorization': `Bearer ${a.token}`, 'accept-language': 'en' }, payload: { clientId: 'c', cursor: null, changes: [problemChange(uuid(), 1, { category: 'noise' as never })] } })
    expect(english.json().results[0].error.details).toEqual([{ path: 'data.category', message: 'Choose a problem category' }])
  })

  it('keeps the status the branch set while the reporter edits or deletes the problem', async () => {
    const { members } = await branchWith(app(), ctx.storage, ['赵磊'])
    const a = members[0]!
    const id = uuid()
    const created = await syncOk(app(), a.token, { changes: [problemChange(id, 1000)] })
    // What the secretary's endpoint (a later issue) will write.
    await ctx.storage.db.updateTable('problems').set({ status: 'in_progress', owner_name: '书记', resolution: '已联系物业', status_updated_at: 1500 }).where('id', '=', id).execute()

    const edited = await syncOk(app(), a.token, { cursor: created.cursor, changes: [{ table: 'problems', id, updatedAt: 2000, data: { ...problem({ title: '楼道灯还是坏的' }), status: 'open', ownerName: null, resolution: null } }] })
    expect(edited.results[0]!.status).toBe('applied')
    expect(problemsOf(edited.changes)).toEqual([expect.objectContaining({ id, updatedAt: 2000, data: expect.objectContaining({ title: '楼道灯还是坏的', status: 'in_progress', ownerName: '书记', resolution: '已联系物业', statusUpdatedAt: 1500 }) })])

    const deleted = await syncOk(app(), a.token, { cursor: edited.cursor, changes: [{ table: 'problems', id, updatedAt: 3000, deleted: true }] })
    expect(deleted.results[0]!.status).toBe('applied')
    expect(problemsOf(deleted.changes)).toEqual([expect.objectContaining({ id, deleted: true, data: { memberId: a.id, branchId: a.branchId } })])
    const stored = await ctx.storage.db.selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ deleted: 1, title: null, status: 'in_progress', owner_name: '书记', resolution: '已联系物业' })
  })

  it('rejects another member\'s edit or delete of a problem as forbidden, the secretary\'s too, and leaves it untouched', async () => {
    const { members, secretary } = await branchWith(app(), ctx.storage, ['甲', '乙'])
    const [a, b] = members as [Member, Member]
    const id = uuid()
    await syncOk(app(), a.token, { changes: [problemChange(id, 1000, { title: '甲反映的问题' })] })
    const before = await ctx.storage.db.selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

    for (const intruder of [b, secretary]) {
      for (const change of [problemChange(id, 9_999_999, { title: '被改了' }), { table: 'problems', id, updatedAt: 9_999_999, deleted: true }, { table: 'problems', id, updatedAt: 9_999_999, data: { ...problem(), status: 'solved' } }]) {
        const attempt = await syncOk(app(), intruder.token, { clientId: 'zzzz', changes: [change] })
        expect(attempt.results).toEqual([{ table: 'problems', id, status: 'rejected', error: { code: 'forbidden', message: expect.stringMatching(/其他党员/) } }])
      }
    }
    const after = await ctx.storage.db.selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(after).toEqual(before)
  })

  it('sends every problem of the branch to every member, with reporter names and status, and keeps personal rows private', async () => {
    const { members, secretary, branchId } = await branchWith(app(), ctx.storage, ['孙丽', '周强'], '吴书记')
    const [a, b] = members as [Member, Member]
    const byA = uuid()
    const byB = uuid()
    const bySecretary = uuid()
    await syncOk(app(), a.token, { changes: [problemChange(byA, 1, { title: '停车难' }), studyChange(uuid(), 1, { topic: '孙丽的学习' })] })
    await syncOk(app(), b.token, { changes: [
      problemChange(byB, 1, { title: '垃圾清运不及时', category: 'environment' }),
      { table: 'serviceLogs', id: uuid(), updatedAt: 1, data: { date: today(), community: '东城社区', activity: 'visit', hours: 2, description: '周强的服务' } },
      { table: 'readingNotes', id: uuid(), updatedAt: 1, data: { title: '周强的笔记', reflection: '体会' } },
    ] })
    await syncOk(app(), secretary.token, { changes: [problemChange(bySecretary, 1, { title: '老人就医不便' })] })
    await ctx.storage.db.updateTable('problems').set({ status: 'solved', owner_name: '吴书记', resolution: '已协调', status_updated_at: 9 }).where('id', '=', byB).execute()

    const expected = [
      { id: byA, title: '停车难', reporterName: '孙丽', memberId: a.id, status: 'open' },
      { id: byB, title: '垃圾清运不及时', reporterName: '周强', memberId: b.id, status: 'solved', ownerName: '吴书记', resolution: '已协调' },
      { id: bySecretary, title: '老人就医不便', reporterName: '吴书记', memberId: secretary.id, status: 'open' },
    ]
    for (const reader of [a, b, secretary]) {
      const { changes } = await pullAll(app(), reader.token)
      const problems = problemsOf(changes)
      expect(problems.map(p => p.id).sort(), reader.name).toEqual(expected.map(e => e.id).sort())
      for (const e of expected) {
        const { id, ...fields } = e
        expect(problems.find(p => p.id === id)!.data, `${reader.name} reads ${e.title}`).toMatchObject({ ...fields, branchId })
      }
      // Personal tables stay the owner's alone.
      for (const change of changes.filter(c => c.table !== 'problems'))
        expect(change.data.memberId, `${reader.name} reads ${change.table}`).toBe(reader.id)
    }
    const pulledA = await pullAll(app(), a.token)
    expect(JSON.stringify(pulledA)).not.toMatch(/周强的服务|周强的笔记/)
    const pulledB = await pullAll(app(), b.token)
    expect(JSON.stringify(pulledB)).not.toContain('孙丽的学习')

    // A later change by one member reaches the others from their cursor: a new problem and a tombstone.
    const newer = uuid()
    await syncOk(app(), b.token, { changes: [problemChange(newer, 2, { title: '新问题' }), { table: 'problems', id: byB, updatedAt: 2, deleted: true }] })
    const next = await syncOk(app(), a.token, { cursor: pulledA.cursor })
    expect(next.changes.map(c => [c.id, c.deleted])).toEqual([[newer, false], [byB, true]])
    expect(next.changes[0]!.data).toMatchObject({ reporterName: '周强', status: 'open' })
  })

  it('never sends a problem to a member of another branch, who cannot write it either', async () => {
    const home = await branchWith(app(), ctx.storage, ['本支部党员'])
    const away = await branchWith(app(), ctx.storage, ['外支部党员'], '外支部书记')
    const id = uuid()
    await syncOk(app(), home.members[0]!.token, { changes: [problemChange(id, 1, { title: '本支部的问题' })] })
    await syncOk(app(), away.members[0]!.token, { changes: [problemChange(uuid(), 1, { title: '外支部的问题' })] })

    for (const outsider of [away.members[0]!, away.secretary]) {
      const pulled = await pullAll(app(), outsider.token)
      expect(problemsOf(pulled.changes).map(c => (c.data as ProblemOut).title)).toEqual(['外支部的问题'])
      expect(JSON.stringify(pulled)).not.toContain('本支部')
      const attempt = await syncOk(app(), outsider.token, { changes: [problemChange(id, 99, { title: '外支部改的' })] })
      expect(attempt.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } })
    }
    const insider = await pullAll(app(), home.secretary.token)
    expect(problemsOf(insider.changes).map(c => (c.data as ProblemOut).title)).toEqual(['本支部的问题'])
  })

  it('pages a branch\'s problems with everyone\'s own rows by revision, with no gaps', async () => {
    const { members } = await branchWith(app(), ctx.storage, ['一', '二'])
    const [a, b] = members as [Member, Member]
    const expected = new Set<string>()
    for (let batch = 0; batch < 2; batch++) {
      const changes = Array.from({ length: 350 }, (_, i) => problemChange(uuid(), i, { title: `问题 ${batch}-${i}` }))
      changes.forEach(c => expected.add(c.id))
      await syncOk(app(), b.token, { changes })
      const own = Array.from({ length: 20 }, (_, i) => studyChange(uuid(), i))
      own.forEach(c => expected.add(c.id))
      await syncOk(app(), a.token, { changes: own })
    }
    const pulled = await pullAll(app(), a.token)
    expect(pulled.pages).toBe(2)
    const revs = pulled.changes.map(c => c.rev)
    expect(revs).toEqual([...revs].sort((x, y) => x - y))
    expect(pulled.changes).toHaveLength(expected.size)
    expect(new Set(pulled.changes.map(c => c.id))).toEqual(expected)
  })

  it('resends the winning copy of a stale problem with its reporter and status', async () => {
    const { members } = await branchWith(app(), ctx.storage, ['钱进'])
    const a = members[0]!
    const id = uuid()
    const won = await syncOk(app(), a.token, { clientId: 'phone', changes: [problemChange(id, 2000, { title: '手机上的版本' })] })
    const stale = await syncOk(app(), a.token, { clientId: 'tablet', cursor: won.cursor, changes: [problemChange(id, 1000, { title: '平板上的旧版本' })] })
    expect(stale.results[0]!.status).toBe('stale')
    expect(stale.changes).toEqual([expect.objectContaining({ id, updatedAt: 2000, data: expect.objectContaining({ title: '手机上的版本', reporterName: '钱进', status: 'open' }) })])
  })

  it('upgrades a database made before problems existed, keeping its rows', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0001_initial')
    try {
      await db.insertInto('branches').values({ id: 'b1', name: '老支部', time_zone: 'Asia/Shanghai', member_invite_code: 'm1', secretary_invite_code: 's1', created_at: 1 }).execute()
      await db.destroy()

      const storage = await open()
      try {
        expect(await storage.branches.count()).toBe(1)
        expect(await storage.db.selectFrom('problems').selectAll().execute()).toEqual([])
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })
})
