import type { FastifyInstance } from 'fastify'
import type { Member } from './support/api'
import { Buffer } from 'node:buffer'
import { beforeAll, expect, it } from 'vitest'
import { branchWith, checkin, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

/**
 * Generated hostile input: broken JSON, wrong content types, wrong types, nulls, huge numbers,
 * deep nesting, bad UUIDs and dates, prototype-pollution keys. None may cause a 5xx; every
 * refusal is the protocol's error body; nothing malformed is ever stored.
 */

interface Attempt { label: string, url: string, body?: string | Buffer, contentType?: string }

const BROKEN_BODIES: (string | Buffer)[] = [
  '',
  ' ',
  '{',
  '{"clientId":',
  '}',
  'null',
  'true',
  '42',
  '"text"',
  '[]',
  '[1,2,3]',
  '{"a":1,}',
  '{\'single\':1}',
  'NaN',
  '{"n": 1e400}',
  '{"n": -Infinity}',
  '\u0000',
  '\uFEFF{}',
  Buffer.from([0xFF, 0xFE, 0xFD, 0x00, 0x7B]),
  `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  `{"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
  `${'['.repeat(100_000)}`,
  '{"__proto__":{"polluted":true},"clientId":"x","cursor":null,"changes":[]}',
  '{"constructor":{"prototype":{"polluted":true}},"clientId":"x","cursor":null,"changes":[]}',
  '{"inviteCode":{"__proto__":{"polluted":true}},"name":"x"}',
]

const CONTENT_TYPES = [
  undefined,
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'image/png',
]

const BAD_ENVELOPES: unknown[] = [
  {},
  { clientId: null, cursor: null, changes: [] },
  { clientId: 'x' },
  { clientId: 'x', cursor: null },
  { clientId: 'x', cursor: 1, changes: [] },
  { clientId: 'x', cursor: '-1', changes: [] },
  { clientId: 'x', cursor: '9'.repeat(400), changes: [] },
  { clientId: 'x', cursor: { $gt: 0 }, changes: [] },
  { clientId: 'x', cursor: null, changes: 'all' },
  { clientId: 'x', cursor: null, changes: { 0: {} } },
  { clientId: ['x'], cursor: null, changes: [] },
  { clientId: 'x'.repeat(101), cursor: null, changes: [] },
  { clientId: 1e308, cursor: null, changes: [] },
]

const BAD_VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e308, -1e308, '', ' ', 'x'.repeat(10_000), [], {}, [[[[[]]]]], { a: { b: { c: { d: {} } } } }]

/** Changes that must each be rejected, never applied. */
function badChanges(): unknown[] {
  const changes: unknown[] = []
  const base = () => ({ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin() })
  // Envelope fields with wrong types (a boolean `deleted` of false would be fine, so skip it).
  for (const field of ['table', 'id', 'updatedAt', 'deleted', 'data'] as const) {
    for (const value of BAD_VALUES) {
      if ((field === 'deleted' && typeof value === 'boolean') || (field === 'updatedAt' && value === 0))
        continue
      changes.push({ ...base(), [field]: value })
    }
  }
  for (const id of ['', 'abc', '7D0C5A36-4A8F-4B59-9B8A-2F0D8C1E9A11', '7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a1', '7d0c5a364a8f4b599b8a2f0d8c1e9a11', '{7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a11}', ' 7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a11', '../../etc/passwd', '\' OR 1=1 --'])
    changes.push({ ...base(), id })
  for (const updatedAt of [-1, 0.5, Number.MAX_SAFE_INTEGER + 2, '1764000000000', null])
    changes.push({ ...base(), updatedAt })
  for (const table of ['members', 'member_tokens', 'StudyCheckins', 'study_checkins', '__proto__', 'constructor', 'materials', ''])
    changes.push({ ...base(), table })
  const badData: Record<string, unknown[]> = {
    date: [null, '2026-02-30', '2026-13-01', '2026-00-10', '20261124', '2026-11-24T00:00:00Z', '2026-1-2', '9999-12-31', '', 20261124, '２０２６-11-24'],
    form: [null, 'other', '', 0, 'BRANCH_STUDY', ['branch_study']],
    topic: [null, 0, '', '   ', 'x'.repeat(201), [], {}],
    minutes: [null, '60', 0, 601, 1.5, -1, 1e308, [], true, -0.5],
    note: ['x'.repeat(2001), 5, {}, []],
    materialId: ['abc', '7D0C5A36-4A8F-4B59-9B8A-2F0D8C1E9A11', 5, {}],
  }
  for (const [field, values] of Object.entries(badData)) {
    for (const value of values)
      changes.push({ ...base(), data: { ...checkin(), [field]: value } })
  }
  const service = { date: checkin().date, community: '社区', activity: 'visit', hours: 1 }
  for (const [field, value] of [['hours', 0], ['hours', 0.3], ['hours', 24.5], ['hours', '2'], ['activity', 'party'], ['community', ''], ['community', 'x'.repeat(101)], ['peopleServed', -1], ['peopleServed', 10_001], ['peopleServed', 1.5], ['description', 'x'.repeat(2001)], ['description', null]] as const)
    changes.push({ table: 'serviceLogs', id: uuid(), updatedAt: 1, data: { ...service, [field]: value } })
  for (const data of [{ title: '', reflection: 'x' }, { title: 'x', reflection: '' }, { title: 'x' }, { reflection: 'x' }, { title: 'x', reflection: 'y', excerpt: 'x'.repeat(5001) }, { title: 'x', reflection: 'x'.repeat(10_001) }])
    changes.push({ table: 'readingNotes', id: uuid(), updatedAt: 1, data })
  const problem = { date: checkin().date, community: '社区', category: 'livelihood', title: '问题' }
  for (const [field, value] of [['category', 'noise'], ['category', null], ['title', ''], ['title', 'x'.repeat(101)], ['community', 5], ['detail', 'x'.repeat(2001)], ['detail', null], ['date', '2026-02-30']] as const)
    changes.push({ table: 'problems', id: uuid(), updatedAt: 1, data: { ...problem, [field]: value } })
  for (const data of ['string', 5, [], [checkin()]])
    changes.push({ ...base(), data })
  changes.push(null, 5, 'change', [], [base()])
  return changes
}

function expectProtocolError(status: number, body: string, label: string): void {
  expect(status, `${label}: ${body}`).toBeGreaterThanOrEqual(400)
  expect(status, `${label}: ${body}`).toBeLessThan(500)
  const parsed = JSON.parse(body) as { error?: { code?: unknown, message?: unknown } }
  expect(typeof parsed.error?.code, label).toBe('string')
  expect(typeof parsed.error?.message, label).toBe('string')
  expect(String(parsed.error?.message).length, label).toBeGreaterThan(0)
  // No stack traces or internals leak.
  expect(body, label).not.toMatch(/at .+\.(ts|js):\d+|node_modules|SQLITE|syntax error at/i)
}

describeEachBackend('malformed input', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  let member: Member
  let app: FastifyInstance

  beforeAll(async () => {
    app = appOf.app
    member = (await branchWith(app, ctx.storage, ['攻击者'])).members[0]!
  })

  it('refuses broken bodies and wrong content types on every POST with a protocol 4xx', async () => {
    const attempts: Attempt[] = []
    for (const url of ['/api/v1/join', '/api/v1/setup', '/api/v1/sync']) {
      for (const body of BROKEN_BODIES)
        attempts.push({ label: `${url} ${String(body).slice(0, 40)}`, url, body, contentType: 'application/json' })
      for (const contentType of CONTENT_TYPES)
        attempts.push({ label: `${url} as ${contentType}`, url, body: '{"inviteCode":"x","name":"y","clientId":"c","cursor":null,"changes":[]}', contentType })
      attempts.push({ label: `${url} without a body`, url })
    }
    for (const body of BAD_ENVELOPES)
      attempts.push({ label: `sync ${JSON.stringify(body).slice(0, 60)}`, url: '/api/v1/sync', body: JSON.stringify(body), contentType: 'application/json' })
    for (const body of [{ inviteCode: null, name: 'x' }, { inviteCode: 5, name: 'x' }, { inviteCode: 'x'.repeat(65), name: 'x' }, { inviteCode: 'x', name: ['x'] }, { inviteCode: 'x', name: { toString: 'x' } }, { name: 'x' }])
      attempts.push({ label: `join ${JSON.stringify(body)}`, url: '/api/v1/join', body: JSON.stringify(body), contentType: 'application/json' })

    expect(attempts.length).toBeGreaterThan(100)
    for (const attempt of attempts) {
      const res = await app.inject({
        method: 'POST',
        url: attempt.url,
        headers: {
          authorization: `Bearer ${member.token}`,
          ...(attempt.contentType ? { 'content-type': attempt.contentType } : {}),
        },
        ...(attempt.body === undefined ? {} : { payload: attempt.body }),
      })
      expectProtocolError(res.statusCode, res.body, attempt.label)
      expect(res.statusCode, attempt.label).not.toBe(415)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('rejects every malformed change alone and stores none of them', async () => {
    const changes = badChanges()
    expect(changes.length).toBeGreaterThan(150)
    for (const change of changes) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/sync',
        headers: { authorization: `Bearer ${member.token}` },
        payload: { clientId: 'fuzz', cursor: null, changes: [change] },
      })
      const label = JSON.stringify(change).slice(0, 120)
      expect(res.statusCode, `${label}: ${res.body}`).toBe(200)
      const body = res.json()
      expect(body.results, label).toHaveLength(1)
      expect(body.results[0], label).toMatchObject({ status: 'rejected', error: { code: 'validation_failed', message: expect.any(String) } })
      expect(body.results[0].error.details.length, label).toBeGreaterThan(0)
      expect(body.changes, label).toEqual([])
    }
    // All at once: still each rejected, in order.
    const batch = await app.inject({ method: 'POST', url: '/api/v1/sync', headers: { authorization: `Bearer ${member.token}` }, payload: { clientId: 'fuzz', cursor: null, changes: changes.slice(0, 500) } })
    expect(batch.statusCode).toBe(200)
    expect(batch.json().results.every((r: { status: string }) => r.status === 'rejected')).toBe(true)
    for (const table of ['study_checkins', 'service_logs', 'reading_notes', 'problems'] as const) {
      const rows = await ctx.storage.db.selectFrom(table).select('id').where('member_id', '=', member.id).execute()
      expect(rows, table).toEqual([])
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses prototype-pollution keys inside a change without storing or polluting', async () => {
    const raw = `{"clientId":"c","cursor":null,"changes":[{"table":"studyCheckins","id":"${uuid()}","updatedAt":1,"data":{"__proto__":{"minutes":60},"date":"${checkin().date}","form":"branch_study","topic":"t"}}]}`
    const res = await app.inject({ method: 'POST', url: '/api/v1/sync', headers: { 'authorization': `Bearer ${member.token}`, 'content-type': 'application/json' }, payload: raw })
    expectProtocolError(res.statusCode, res.body, 'proto in data')
    expect(({} as Record<string, unknown>).minutes).toBeUndefined()
  })

  it('answers odd query strings and headers without a 5xx', async () => {
    const secretary = (await branchWith(app, ctx.storage, [])).secretary
    const urls = [
      '/api/v1/branch/completion?week=2026-W48&week=2026-W47',
      '/api/v1/branch/completion?week[]=x',
      '/api/v1/branch/completion?week=%00',
      `/api/v1/branch/completion?week=${'9'.repeat(5000)}`,
      '/api/v1/branch/completion?week=2026-W5%33',
      '/api/v1/setup?code=a&code=b',
      `/api/v1/setup?code=${'x'.repeat(5000)}`,
      '/api/v1/setup?code[$ne]=1',
      '/api/v1/%E0%A4%A',
      '/api/v1/health/../sync',
    ]
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secretary.token}` } })
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500)
      if (res.statusCode >= 400)
        expectProtocolError(res.statusCode, res.body, url)
    }
    for (const authorization of ['Bearer', 'Bearer  x', `Bearer ${'x'.repeat(10_000)}`, 'Bearer \u00E9\u00E9', 'bearer', `Bearer ${member.token} extra`]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } })
      expectProtocolError(res.statusCode, res.body, authorization.slice(0, 30))
      expect(res.statusCode).toBe(401)
    }
  })
})
