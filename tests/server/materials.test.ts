import type { FastifyInstance } from 'fastify'
import type { MaterialData, MaterialServerFields, ReadingProgressData } from '../../src/domain/records'
import type { MaterialBodyResponse, SyncChangeIn, SyncChangeOut } from '../../src/domain/wire'
import type { Member } from './support/api'
import { Buffer } from 'node:buffer'
import { expect, it } from 'vitest'
import { materialChars } from '../../src/domain/materialText'
import { MATERIAL_BODY_MAX } from '../../src/domain/records'
import { BODY_LIMIT_BYTES } from '../../src/domain/wire'
import { buildApp } from '../../src/server/app'
import { branchWith, expectError, joinAs, pullAll, studyChange, syncOk, useApp, uuid } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'

/**
 * Study materials: only a secretary of the branch writes them, every member of the branch pulls
 * them without the body and downloads the body alone; nobody outside the branch sees any of it.
 * Reading progress is personal, like notes.
 */

function material(overrides: Partial<MaterialData> = {}): MaterialData {
  return { title: '学习《论党的自我革命》', category: 'classic', body: '# 第一章\n坚持党的自我革命。\n> 打铁必须自身硬。', studyBy: '2026-12-31', publishedAt: 1_764_000_000_000, ...overrides }
}

function materialChange(id: string, updatedAt: number, data: Partial<MaterialData> = {}): SyncChangeIn {
  return { table: 'materials', id, updatedAt, data: material(data) }
}

function progressChange(id: string, updatedAt: number, data: Partial<ReadingProgressData> & { materialId: string }): SyncChangeIn {
  return { table: 'readingProgress', id, updatedAt, data: { position: 3, percent: 12.5, secondsSpent: 90, finishedAt: null, ...data } }
}

type MaterialOut = Omit<MaterialData, 'body'> & MaterialServerFields & { memberId: string, branchId: string }

const materialsOf = (changes: SyncChangeOut[]) => changes.filter(c => c.table === 'materials')

/** A body of exactly `chars` characters: headings, quotes, items and paragraphs, with characters JSON must escape. */
function longBody(chars: number): string {
  const lines = ['# 总标题', '一、学习的重要意义', '（一）深刻领会', '> 引文："实事求是"\\ 与 /', '- 条目一', '1. 条目二', '\u3000\u3000全角空格开头的段落，含 emoji 之外的各种标点：；、——……《》。']
  let text = ''
  for (let i = 0; text.length < chars; i++)
    text += `${lines[i % lines.length]}第${i}段\n`
  return text.slice(0, chars)
}

async function getBody(app: FastifyInstance, token: string | null, id: string, lang?: string) {
  return app.inject({ method: 'GET', url: `/api/v1/materials/${id}`, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(lang ? { 'accept-language': lang } : {}) } })
}

describeEachBackend('materials', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  it('lets a secretary publish a material that every member of the branch pulls without its body', async () => {
    const { secretary, members, branchId } = await branchWith(app(), ctx.storage, ['王芳', '李明'], '张书记')
    const id = uuid()
    const published = await syncOk(app(), secretary.token, { changes: [{ ...materialChange(id, 1000), data: { ...material(), memberId: 'x', branchId: 'y', authorName: '别人', bodyChars: 1 } }] })
    expect(published.results).toEqual([{ table: 'materials', id, status: 'applied' }])

    const stored = await ctx.storage.db.selectFrom('materials').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ member_id: secretary.id, branch_id: branchId, title: material().title, body: material().body, study_by: '2026-12-31', deleted: 0 })

    const { body, ...withoutBody } = material()
    const expected: MaterialOut = { ...withoutBody, authorName: '张书记', bodyChars: materialChars(body), bodyBytes: Buffer.byteLength(body, 'utf8'), memberId: secretary.id, branchId }
    for (const reader of [...members, secretary]) {
      const { changes } = await pullAll(app(), reader.token)
      const [row] = materialsOf(changes) as [SyncChangeOut]
      expect(row, reader.name).toMatchObject({ table: 'materials', id, updatedAt: 1000, deleted: false })
      expect(row.data, reader.name).toEqual(expected)
      expect(JSON.stringify(changes), reader.name).not.toContain('打铁必须自身硬')
    }
  })

  it('rejects a member\'s publish, edit and withdrawal as forbidden, saying only the secretary may, and keeps the member\'s other changes', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['赵磊'])
    const member = members[0]!
    const id = uuid()
    await syncOk(app(), secretary.token, { changes: [materialChange(id, 1000, { title: '书记发布的资料' })] })
    const before = await ctx.storage.db.selectFrom('materials').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

    const fresh = uuid()
    const checkin = uuid()
    const attempt = await syncOk(app(), member.token, { changes: [
      materialChange(fresh, 1, { title: '党员自己发布' }),
      materialChange(id, 9_999_999, { title: '党员改的' }),
      { table: 'materials', id, updatedAt: 9_999_999, deleted: true },
      studyChange(checkin, 1),
    ] })
    const refusal = { status: 'rejected', error: { code: 'forbidden', message: '只有支部书记可以发布、修改或撤回学习资料' } }
    expect(attempt.results).toEqual([
      { table: 'materials', id: fresh, ...refusal },
      { table: 'materials', id, ...refusal },
      { table: 'materials', id, ...refusal },
      { table: 'studyCheckins', id: checkin, status: 'applied' },
    ])
    expect(await ctx.storage.db.selectFrom('materials').selectAll().where('id', '=', fresh).executeTakeFirst()).toBeUndefined()
    expect(await ctx.storage.db.selectFrom('materials').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before)

    const english = await app().inject({ method: 'POST', url: '/api/v1/sync', headers: { 'authorization': `Bearer ${member.token}`, 'accept-language': 'en' }, payload: { clientId: 'c', cursor: null, changes: [materialChange(uuid(), 1)] } })
    expect(english.json().results[0].error).toEqual({ code: 'forbidden', message: 'Only the branch secretary can publish, edit or withdraw study materials' })
  })

  it('lets any secretary of the branch edit a material, which keeps its first author; an older edit is stale', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['钱多'], '第一书记')
    const branch = await ctx.storage.branches.byId(secretary.branchId)
    const second = await joinAs(app(), branch!.secretary_invite_code, '第二书记')
    const id = uuid()
    await syncOk(app(), secretary.token, { clientId: 'phone-1', changes: [materialChange(id, 1000, { title: '初稿' })] })

    const edited = await syncOk(app(), second.token, { clientId: 'phone-2', changes: [materialChange(id, 2000, { title: '修订稿', category: 'guidance', body: '新的正文', studyBy: null })] })
    expect(edited.results[0]!.status).toBe('applied')
    expect(materialsOf(edited.changes)[0]!.data).toMatchObject({ title: '修订稿', category: 'guidance', studyBy: null, memberId: secretary.id, authorName: '第一书记', bodyChars: 4, bodyBytes: 12 })

    const stale = await syncOk(app(), secretary.token, { clientId: 'phone-1', cursor: edited.cursor, changes: [materialChange(id, 1500, { title: '迟到的修改' })] })
    expect(stale.results[0]!.status).toBe('stale')
    expect(materialsOf(stale.changes).map(c => (c.data as MaterialOut).title)).toEqual(['修订稿'])

    const res = await getBody(app(), members[0]!.token, id)
    expect(res.json<MaterialBodyResponse>()).toEqual({ id, updatedAt: 2000, body: '新的正文' })
  })

  it('serves the body to members of the branch as JSON with a Content-Length, and 404 to everyone else', async () => {
    const home = await branchWith(app(), ctx.storage, ['本支部党员'])
    const away = await branchWith(app(), ctx.storage, ['外支部党员'], '外支部书记')
    const id = uuid()
    await syncOk(app(), home.secretary.token, { changes: [materialChange(id, 1234)] })

    for (const reader of [home.members[0]!, home.secretary]) {
      const res = await getBody(app(), reader.token, id)
      expect(res.statusCode, reader.name).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body, 'utf8'))
      expect(res.json<MaterialBodyResponse>()).toEqual({ id, updatedAt: 1234, body: material().body })
    }

    for (const outsider of [away.members[0]!, away.secretary]) {
      const notFound = expectError(await getBody(app(), outsider.token, id), 404, 'not_found')
      expect(notFound.message).toBe('资料不存在或已被撤回，请同步后再试')
      expect(JSON.stringify(await pullAll(app(), outsider.token))).not.toContain(id)
      // Nor can another branch's secretary overwrite it, or withdraw it.
      const message = outsider === away.secretary ? '这份资料属于其他支部，不能修改' : '只有支部书记可以发布、修改或撤回学习资料'
      for (const change of [materialChange(id, 9_999_999, { title: '外支部改的' }), { table: 'materials', id, updatedAt: 9_999_999, deleted: true }]) {
        const attempt = await syncOk(app(), outsider.token, { clientId: 'zzzz', changes: [change] })
        expect(attempt.results[0], outsider.name).toMatchObject({ status: 'rejected', error: { code: 'forbidden', message } })
      }
    }
    expect((await getBody(app(), home.members[0]!.token, id)).json<MaterialBodyResponse>().body).toBe(material().body)
    expect((await getBody(app(), away.secretary.token, id, 'en')).json().error.message).toBe('This material does not exist or has been withdrawn; sync and try again')

    expectError(await getBody(app(), home.members[0]!.token, uuid()), 404, 'not_found')
    expectError(await getBody(app(), home.members[0]!.token, 'not-a-uuid'), 404, 'not_found')
    expectError(await getBody(app(), home.members[0]!.token, id.toUpperCase()), 404, 'not_found')
    expectError(await getBody(app(), null, id), 401, 'unauthorized')
  })

  it('round-trips a 50,000 and a 100,000-character material exactly, and refuses one character more', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['长文读者'])
    const reader = members[0]!
    for (const chars of [50_000, MATERIAL_BODY_MAX]) {
      const body = longBody(chars)
      expect(body.length).toBe(chars)
      const id = uuid()
      const push = await app().inject({ method: 'POST', url: '/api/v1/sync', headers: { authorization: `Bearer ${secretary.token}` }, payload: { clientId: 'pc', cursor: null, changes: [materialChange(id, 1, { body, title: `${chars} 字` })] } })
      expect(push.statusCode).toBe(200)
      expect(Number(push.headers['content-length'] ?? push.body.length)).toBeLessThan(BODY_LIMIT_BYTES)
      expect(push.json().results[0].status, `${chars}`).toBe('applied')
      // The pull reports the size and stays small: no body in it.
      const pulled = materialsOf((await pullAll(app(), reader.token)).changes).find(c => c.id === id)!
      // 字数 as the editor counts it (whitespace and line breaks not counted), the same function.
      expect(pulled.data).toMatchObject({ bodyChars: materialChars(body), bodyBytes: Buffer.byteLength(body, 'utf8') })
      expect(materialChars(body)).toBeLessThan(chars)
      expect(JSON.stringify(pulled).length).toBeLessThan(1000)

      const res = await getBody(app(), reader.token, id)
      expect(res.statusCode).toBe(200)
      expect(res.json<MaterialBodyResponse>().body === body, `${chars} characters come back exactly`).toBe(true)
    }
    const tooLong = await syncOk(app(), secretary.token, { changes: [materialChange(uuid(), 1, { body: longBody(MATERIAL_BODY_MAX + 1) })] })
    expect(tooLong.results[0]).toMatchObject({ status: 'rejected', error: { code: 'validation_failed', details: [{ path: 'data.body', message: '请填写资料正文（1–100000 字）' }] } })

    // The 1 MiB request limit still holds: four full-length Chinese texts (about 1.2 MB) are one request too many.
    const chinese = '学'.repeat(MATERIAL_BODY_MAX)
    const tooBig = await app().inject({ method: 'POST', url: '/api/v1/sync', headers: { authorization: `Bearer ${secretary.token}` }, payload: { clientId: 'pc', cursor: null, changes: Array.from({ length: 4 }, () => materialChange(uuid(), 1, { body: chinese })) } })
    expectError(tooBig, 413, 'payload_too_large')
    const oneFits = await syncOk(app(), secretary.token, { changes: [materialChange(uuid(), 1, { body: chinese })] })
    expect(oneFits.results[0]!.status).toBe('applied')
  })

  it('validates each field of a material with a message at the field', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, [])
    const cases: [Record<string, unknown>, string][] = [
      [{ title: ' ' }, 'data.title'],
      [{ title: 'x'.repeat(201) }, 'data.title'],
      [{ category: 'novel' }, 'data.category'],
      [{ body: '\n \n' }, 'data.body'],
      [{ studyBy: '2026-02-30' }, 'data.studyBy'],
      [{ publishedAt: -1 }, 'data.publishedAt'],
      [{ publishedAt: 1.5 }, 'data.publishedAt'],
    ]
    const body = await syncOk(app(), secretary.token, { changes: [
      ...cases.map(([data]) => ({ table: 'materials', id: uuid(), updatedAt: 1, data: { ...material(), ...data } })),
      // A study-by date far in the future is fine, and so is none at all.
      materialChange(uuid(), 1, { studyBy: '2030-01-01' }),
      { table: 'materials', id: uuid(), updatedAt: 1, data: { title: '无截止日期', category: 'notice', body: '通知', publishedAt: 0 } },
    ] })
    cases.forEach(([, path], i) => {
      expect(body.results[i], path).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } })
      expect(body.results[i]!.error!.details!.map(d => d.path), path).toEqual([path])
    })
    expect(body.results.slice(cases.length).map(r => r.status)).toEqual(['applied', 'applied'])
  })

  it('withdraws a material: every member pulls the tombstone, the text is gone and GET answers 404', async () => {
    const { secretary, members, branchId } = await branchWith(app(), ctx.storage, ['孙丽'])
    const member = members[0]!
    const id = uuid()
    await syncOk(app(), secretary.token, { changes: [materialChange(id, 1000)] })
    const first = await pullAll(app(), member.token)
    expect((await getBody(app(), member.token, id)).statusCode).toBe(200)

    const withdrawn = await syncOk(app(), secretary.token, { changes: [{ table: 'materials', id, updatedAt: 2000, deleted: true }] })
    expect(withdrawn.results[0]!.status).toBe('applied')
    const next = await pullAll(app(), member.token, first.cursor)
    expect(materialsOf(next.changes)).toEqual([{ table: 'materials', id, rev: expect.any(Number), updatedAt: 2000, deleted: true, data: { memberId: secretary.id, branchId } }])
    const stored = await ctx.storage.db.selectFrom('materials').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ deleted: 1, body: null, title: null, body_chars: null, member_id: secretary.id })
    expectError(await getBody(app(), member.token, id), 404, 'not_found')
    expectError(await getBody(app(), secretary.token, id), 404, 'not_found')
  })

  it('keeps reading progress to its owner: synced to the owner\'s other device, never sent to others or writable by them', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['甲', '乙'])
    const [a, b] = members as [Member, Member]
    const materialId = uuid()
    await syncOk(app(), secretary.token, { changes: [materialChange(materialId, 1)] })
    const progressId = uuid()
    const saved = await syncOk(app(), a.token, { clientId: 'phone', changes: [progressChange(progressId, 1000, { materialId, position: 7, percent: 40, secondsSpent: 75 })] })
    expect(saved.results[0]!.status).toBe('applied')

    const tablet = (await pullAll(app(), a.token)).changes.filter(c => c.table === 'readingProgress')
    expect(tablet).toEqual([expect.objectContaining({ id: progressId, updatedAt: 1000, deleted: false, data: { materialId, position: 7, percent: 40, secondsSpent: 75, finishedAt: null, memberId: a.id, branchId: a.branchId } })])
    const finished = await syncOk(app(), a.token, { clientId: 'tablet', changes: [progressChange(progressId, 2000, { materialId, position: 30, percent: 100, secondsSpent: 400, finishedAt: 1_764_000_000_000 })] })
    expect(finished.results[0]!.status).toBe('applied')
    expect(finished.changes.find(c => c.id === progressId)!.data).toMatchObject({ percent: 100, finishedAt: 1_764_000_000_000 })

    for (const other of [b, secretary]) {
      const pulled = await pullAll(app(), other.token)
      expect(pulled.changes.filter(c => c.table === 'readingProgress'), other.name).toEqual([])
      const attempt = await syncOk(app(), other.token, { clientId: 'zzzz', changes: [progressChange(progressId, 9_999_999, { materialId, percent: 0 })] })
      expect(attempt.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } })
    }
    const stored = await ctx.storage.db.selectFrom('reading_progress').selectAll().where('id', '=', progressId).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ member_id: a.id, position: 30, percent: 100, seconds_spent: 400, finished_at: 1_764_000_000_000 })

    const bad = await syncOk(app(), a.token, { changes: [progressChange(uuid(), 1, { materialId: 'x', percent: 101, position: -1, secondsSpent: 1.5 })] })
    expect(bad.results[0]!.error!.details!.map(d => d.path).sort()).toEqual(['data.materialId', 'data.percent', 'data.position', 'data.secondsSpent'])
  })

  it('upgrades a database made before materials existed, keeping its rows, and then syncs materials', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0002_problems')
    try {
      await db.insertInto('branches').values({ id: 'b1', name: '老支部', time_zone: 'Asia/Shanghai', member_invite_code: 'OLDMEMBER', secretary_invite_code: 'OLDSECRETARY', created_at: 1 }).execute()
      await db.insertInto('members').values({ id: 'm-old', branch_id: 'b1', name: '老党员', role: 'member', status: 'active', created_at: 1 }).execute()
      await db.insertInto('problems').values({ id: 'p1', member_id: 'm-old', branch_id: 'b1', updated_at: 1, client_id: 'c', deleted: 0, rev: 1, date: '2026-11-02', week: '2026-W45', title: '旧问题', community: '东城', category: 'other', detail: '' }).execute()
      await db.updateTable('counters').set({ value: 1 }).where('name', '=', 'rev').execute()
      await db.destroy()

      const storage = await open()
      const upgraded = await buildApp({ storage })
      try {
        expect(await storage.db.selectFrom('problems').select(['id', 'title']).execute()).toEqual([{ id: 'p1', title: '旧问题' }])
        const secretary = await joinAs(upgraded, 'OLDSECRETARY', '新书记')
        const member = await joinAs(upgraded, 'OLDMEMBER', '新党员')
        const id = uuid()
        const published = await syncOk(upgraded, secretary.token, { changes: [materialChange(id, 1)] })
        expect(published.results[0]!.status).toBe('applied')
        const pulled = await pullAll(upgraded, member.token)
        expect(pulled.changes.map(c => [c.table, c.id, c.rev])).toEqual([['problems', 'p1', 1], ['materials', id, 2]])
      }
      finally {
        await upgraded.close()
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })
})
