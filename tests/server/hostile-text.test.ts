import type { FastifyInstance } from 'fastify'
import type { Member } from './support/api'
import type { Backend } from './support/backends'
import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { branchWith, checkin, expectError, freshIp, pullAll, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, problemChange, serviceChange } from './support/branch'

/**
 * Text no database keeps as sent: U+0000 (PostgreSQL refuses it: `invalid byte sequence for
 * encoding "UTF8": 0x00`, a 500 that took the whole push down) and lone surrogates (stored as
 * U+FFFD, so the copy pulled back is not the one written). Every text the server accepts refuses
 * them with `validation_failed` at the field, on both databases, and the rest of the request
 * still goes through. A change that fails in the database anyway is rejected alone.
 */

const HOSTILE = ['\u0000', 'a\u0000b', '\uD800', 'x\uDC00', '学\uDBFF'] as const

// JSON.stringify writes a lone surrogate as `\ud800`, so it reaches the server's JSON.parse as one.
const json = (body: unknown) => JSON.stringify(body)

function material(overrides: Record<string, unknown> = {}) {
  return { title: '学习资料', category: 'speech', body: '# 标题\n正文', studyBy: null, publishedAt: 1, ...overrides }
}

function note(overrides: Record<string, unknown> = {}) {
  return { title: '共产党宣言', source: '第一章', excerpt: '摘抄', reflection: '心得', ...overrides }
}

/** Every text field of every table a member (or secretary) pushes, with a valid change of the table. */
const TEXT_FIELDS: { table: string, field: string, valid: (id: string, data?: Record<string, unknown>) => object }[] = [
  ...['topic', 'note'].map(field => ({ table: 'studyCheckins', field, valid: (id: string, data = {}) => ({ table: 'studyCheckins', id, updatedAt: 1, data: checkin(data) }) })),
  ...['community', 'description'].map(field => ({ table: 'serviceLogs', field, valid: (id: string, data = {}) => serviceChange(id, 1, data) })),
  ...['title', 'source', 'excerpt', 'reflection'].map(field => ({ table: 'readingNotes', field, valid: (id: string, data = {}) => ({ table: 'readingNotes', id, updatedAt: 1, data: note(data) }) })),
  ...['community', 'title', 'detail'].map(field => ({ table: 'problems', field, valid: (id: string, data = {}) => problemChange(id, 1, data) })),
  ...['title', 'body'].map(field => ({ table: 'materials', field, valid: (id: string, data = {}) => ({ table: 'materials', id, updatedAt: 1, data: material(data) }) })),
]

async function post(app: FastifyInstance, url: string, body: unknown, token?: string) {
  return app.inject({
    method: 'POST',
    url,
    remoteAddress: freshIp(),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: json(body),
  })
}

function expectRefusedAt(res: { statusCode: number, body: string, headers: Record<string, unknown> }, path: string) {
  const error = expectError(res, 400, 'validation_failed')
  expect(error.details?.map(d => d.path), res.body).toContain(path)
}

describeEachBackend('hostile text', (backend: Backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  let secretary: Member
  let member: Member
  let memberInviteCode: string

  beforeAll(async () => {
    const branch = await branchWith(app(), ctx.storage, ['张三'])
    secretary = branch.secretary
    member = branch.members[0]!
    memberInviteCode = branch.memberInviteCode
  })

  it('rejects a change with U+0000 or a lone surrogate in any text field at its path and applies the valid changes beside it', async () => {
    const changes: object[] = []
    const expected: { id: string, path: string | null }[] = []
    for (const { field, valid } of TEXT_FIELDS) {
      for (const bad of HOSTILE) {
        const goodId = uuid()
        changes.push(valid(goodId, { [field]: `好${field}` }))
        expected.push({ id: goodId, path: null })
        const badId = uuid()
        changes.push(valid(badId, { [field]: bad }))
        expected.push({ id: badId, path: `data.${field}` })
      }
    }
    const res = await post(app(), '/api/v1/sync', { clientId: 'device-a', cursor: null, changes }, secretary.token)
    expect(res.statusCode, res.body).toBe(200)
    const { results } = res.json() as { results: { id: string, status: string, error?: { code: string, details: { path: string }[] } }[] }
    expected.forEach(({ id, path }, i) => {
      const result = results[i]!
      expect(result.id).toBe(id)
      if (path === null) {
        expect(result, JSON.stringify(result)).toMatchObject({ status: 'applied' })
      }
      else {
        expect(result, JSON.stringify(changes[i])).toMatchObject({ status: 'rejected', error: { code: 'validation_failed' } })
        expect(result.error!.details.map(d => d.path)).toContain(path)
      }
    })
    // The valid ones are stored as written; none of the hostile ones is.
    const pulled = new Map((await pullAll(app(), secretary.token)).changes.map(c => [c.id, c]))
    for (const [i, { id, path }] of expected.entries()) {
      if (path === null) {
        const sent = (changes[i] as { data: Record<string, unknown> }).data
        const field = Object.keys(sent).find(k => typeof sent[k] === 'string' && String(sent[k]).startsWith('好'))!
        // A material's body is not in the pull: it is read from its own endpoint.
        const stored = field === 'body'
          ? (await call(app(), secretary.token, 'GET', `/api/v1/materials/${id}`)).json().body
          : (pulled.get(id)?.data as Record<string, unknown> | undefined)?.[field]
        expect(stored).toBe(sent[field])
      }
      else {
        expect(pulled.has(id)).toBe(false)
      }
    }
  })

  it('refuses U+0000 or a lone surrogate in clientId', async () => {
    for (const bad of HOSTILE) {
      const res = await post(app(), '/api/v1/sync', { clientId: `device${bad}`, cursor: null, changes: [{ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin() }] }, member.token)
      expectRefusedAt(res, 'clientId')
    }
  })

  it('refuses it in join\'s name and inviteCode, with no login', async () => {
    for (const bad of HOSTILE) {
      expectRefusedAt(await post(app(), '/api/v1/join', { inviteCode: memberInviteCode, name: `李${bad}` }), 'name')
      expectRefusedAt(await post(app(), '/api/v1/join', { inviteCode: `${memberInviteCode}${bad}`, name: '李四' }), 'inviteCode')
    }
  })

  it('refuses it in setup\'s fields and in its query string', async () => {
    for (const bad of HOSTILE) {
      for (const field of ['code', 'branchName', 'name'])
        expectRefusedAt(await post(app(), '/api/v1/setup', { code: 'abc', branchName: '支部', name: '书记', [field]: `x${bad}` }), field)
    }
    const res = await app().inject({ method: 'GET', url: '/api/v1/setup?code=%00', remoteAddress: freshIp() })
    expectRefusedAt(res, 'code')
  })

  it('refuses it in a problem\'s owner and resolution, and the valid update then goes through', async () => {
    const id = uuid()
    expect((await post(app(), '/api/v1/sync', { clientId: 'device-a', cursor: null, changes: [problemChange(id, 1)] }, member.token)).statusCode).toBe(200)
    for (const bad of HOSTILE) {
      for (const field of ['ownerName', 'resolution']) {
        const res = await app().inject({ method: 'PATCH', url: `/api/v1/branch/problems/${id}`, headers: { 'authorization': `Bearer ${secretary.token}`, 'content-type': 'application/json' }, payload: json({ status: 'solved', [field]: `修${bad}` }) })
        expectRefusedAt(res, field)
      }
    }
    const ok = await call(app(), secretary.token, 'PATCH', `/api/v1/branch/problems/${id}`, { status: 'solved', ownerName: '王五', resolution: '已修好' })
    expect(ok.statusCode, ok.body).toBe(200)
  })

  it('refuses it in a 代录 entry\'s text', async () => {
    for (const bad of HOSTILE) {
      const res = await post(app(), `/api/v1/branch/members/${member.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ topic: `代${bad}` }) }, secretary.token)
      expectRefusedAt(res, 'data.topic')
      const service = await post(app(), `/api/v1/branch/members/${member.id}/records`, { table: 'serviceLogs', id: uuid(), updatedAt: 1, data: { date: today(), community: `社${bad}`, activity: 'visit', hours: 1 } }, secretary.token)
      expectRefusedAt(service, 'data.community')
    }
  })

  it('refuses U+0000 in any query string, naming the parameter', async () => {
    const urls: [string, string][] = [
      ['/api/v1/branch/problems?community=%00', 'community'],
      ['/api/v1/branch/problems?community=%E4%B8%9C%00', 'community'],
      ['/api/v1/branch/problems?status=%00', 'status'],
      ['/api/v1/branch/problems?category=open&community=a&community=%00', 'community'],
      ['/api/v1/branch/completion?week=%00', 'week'],
      ['/api/v1/branch/grid?from=%00', 'from'],
      ['/api/v1/branch/service-months?to=%00', 'to'],
      ['/api/v1/branch/summary?month=%00', 'month'],
      ['/api/v1/branch/summary/records?figure=%00', 'figure'],
      [`/api/v1/branch/members/${member.id}/records?table=%00`, 'table'],
    ]
    for (const [url, path] of urls) {
      const res = await app().inject({ method: 'GET', url, headers: { authorization: `Bearer ${secretary.token}` } })
      expectRefusedAt(res, path)
    }
    const fine = await app().inject({ method: 'GET', url: '/api/v1/branch/problems?community=%E4%B8%9C%E5%9F%8E%E7%A4%BE%E5%8C%BA', headers: { authorization: `Bearer ${secretary.token}` } })
    expect(fine.statusCode, fine.body).toBe(200)
  })

  it('counts characters, not UTF-16 units: 200 emoji are a topic, 201 are not; a name takes 40 emoji, not 41', async () => {
    const emoji = (n: number) => '😀'.repeat(n)
    const [ok, over] = [uuid(), uuid()]
    const res = await post(app(), '/api/v1/sync', { clientId: 'device-a', cursor: null, changes: [
      { table: 'studyCheckins', id: ok, updatedAt: 1, data: checkin({ topic: emoji(200) }) },
      { table: 'studyCheckins', id: over, updatedAt: 1, data: checkin({ topic: emoji(201) }) },
    ] }, member.token)
    expect(res.statusCode, res.body).toBe(200)
    const [first, second] = res.json().results
    expect(first).toMatchObject({ id: ok, status: 'applied' })
    expect(second).toMatchObject({ id: over, status: 'rejected', error: { details: [{ path: 'data.topic' }] } })
    const stored = (await pullAll(app(), member.token)).changes.find(c => c.id === ok)
    expect((stored?.data as { topic?: string } | undefined)?.topic).toBe(emoji(200))

    const joined = await post(app(), '/api/v1/join', { inviteCode: memberInviteCode, name: emoji(40) })
    expect(joined.statusCode, joined.body).toBe(201)
    expect(joined.json().member.name).toBe(emoji(40))
    expectRefusedAt(await post(app(), '/api/v1/join', { inviteCode: memberInviteCode, name: emoji(41) }), 'name')

    const proxied = await post(app(), `/api/v1/branch/members/${member.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ topic: emoji(200) }) }, secretary.token)
    expect(proxied.statusCode, proxied.body).toBe(201)
    expectRefusedAt(await post(app(), `/api/v1/branch/members/${member.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ topic: emoji(201) }) }, secretary.token), 'data.topic')
  })

  describe('a change the database refuses anyway', () => {
    // A real database error for one change only: a trigger that refuses one topic, on each database.
    beforeAll(async () => {
      if (backend.name === 'postgres') {
        await sql`CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN IF NEW.topic = '毒药' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '22021'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(ctx.storage.db)
        await sql`CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON study_checkins FOR EACH ROW EXECUTE FUNCTION refuse_poison()`.execute(ctx.storage.db)
      }
      else {
        await sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON study_checkins FOR EACH ROW WHEN NEW.topic = '毒药' BEGIN SELECT RAISE(ABORT, 'poison'); END`.execute(ctx.storage.db)
      }
    })

    it('is rejected alone, and the other changes of the push are applied', async () => {
      const ids = [uuid(), uuid(), uuid()]
      const changes = [
        { table: 'studyCheckins', id: ids[0], updatedAt: 1, data: checkin({ topic: '前一条' }) },
        { table: 'studyCheckins', id: ids[1], updatedAt: 1, data: checkin({ topic: '毒药' }) },
        { table: 'studyCheckins', id: ids[2], updatedAt: 1, data: checkin({ topic: '后一条' }) },
      ]
      const res = await post(app(), '/api/v1/sync', { clientId: 'device-a', cursor: null, changes }, member.token)
      expect(res.statusCode, res.body).toBe(200)
      const { results } = res.json() as { results: { id: string, status: string, error?: { code: string, message: string } }[] }
      expect(results.map(r => r.status)).toEqual(['applied', 'rejected', 'applied'])
      expect(results[1]!.error!.message.length).toBeGreaterThan(0)
      expect(res.body).not.toMatch(/poison|SQLITE|22021/i)
      const pulled = (await pullAll(app(), member.token)).changes.map(c => c.id)
      expect(pulled).toContain(ids[0])
      expect(pulled).toContain(ids[2])
      expect(pulled).not.toContain(ids[1])
    })

    it('is rejected when it is the only change of the push', async () => {
      const res = await post(app(), '/api/v1/sync', { clientId: 'device-a', cursor: null, changes: [{ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ topic: '毒药' }) }] }, member.token)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().results[0]).toMatchObject({ status: 'rejected' })
    })
  })
})
