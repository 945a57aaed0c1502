import type { CompletionResponse, JoinResponse, MeResponse, SetupResponse } from '../../src/domain/wire'
import { Buffer } from 'node:buffer'
import { expect, it } from 'vitest'
import { shiftWeek, weekKey } from '../../src/domain/week'
import { buildApp } from '../../src/server/app'
import { branchWith, checkin, completion, daysAgo, expectError, freshIp, joinAs, syncOk, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { joinedOn } from './support/history'

describeEachBackend('health, join, me, auth', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }

  it('reports health and version', async () => {
    const res = await appOf.app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
  })

  it('joins with the member code as member and with the secretary code as secretary', async () => {
    const branch = await ctx.storage.createBranch('第一支部')
    const member = await appOf.app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: branch.memberInviteCode, name: ' 张三 ' }, remoteAddress: freshIp() })
    expect(member.statusCode).toBe(201)
    const joined = member.json<JoinResponse>()
    expect(joined.member).toEqual({ id: expect.any(String), name: '张三', role: 'member', branchId: branch.branchId, branchName: '第一支部', idSeed: expect.stringMatching(/^[0-9a-f]{32}$/) })
    // At least 128 random bits, opaque.
    expect(Buffer.from(joined.token, 'base64url').length).toBeGreaterThanOrEqual(16)

    // Codes are typed on phones: case and spaces do not matter.
    const typed = branch.secretaryInviteCode.toLowerCase().replace(/(.{4})/, '$1 ')
    const secretary = await appOf.app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: typed, name: '李书记' }, remoteAddress: freshIp() })
    expect(secretary.statusCode).toBe(201)
    expect(secretary.json<JoinResponse>().member.role).toBe('secretary')
  })

  it('stores only a hash of the token', async () => {
    const branch = await ctx.storage.createBranch('哈希支部')
    const member = await joinAs(appOf.app, branch.memberInviteCode, '王五')
    const rows = await ctx.storage.db.selectFrom('member_tokens').selectAll().where('member_id', '=', member.id).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0]!.token_hash).not.toContain(member.token)
    expect(JSON.stringify(rows)).not.toContain(member.token)
  })

  it('rejects a wrong invite code with 403 invalid_invite', async () => {
    const res = await appOf.app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: 'ZZZZZZZZ', name: '张三' }, remoteAddress: freshIp() })
    expectError(res, 403, 'invalid_invite')
  })

  it('limits names to 1–40 characters and says which field is wrong', async () => {
    const branch = await ctx.storage.createBranch('名字支部')
    for (const name of ['', '   ', '张'.repeat(41), 42, null]) {
      const res = await appOf.app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: branch.memberInviteCode, name }, remoteAddress: freshIp() })
      const error = expectError(res, 400, 'validation_failed')
      expect(error.details).toEqual([{ path: 'name', message: '请填写姓名（1–40 字）' }])
    }
    // 40 characters (counted as people count them, not UTF-16 units) is fine.
    const forty = await appOf.app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: branch.memberInviteCode, name: '𠀀'.repeat(40) }, remoteAddress: freshIp() })
    expect(forty.statusCode).toBe(201)
  })

  it('answers /me for a token, and 401 for a missing, unknown, malformed or revoked one', async () => {
    const branch = await ctx.storage.createBranch('认证支部')
    const member = await joinAs(appOf.app, branch.memberInviteCode, '赵六')
    const me = await appOf.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${member.token}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json<MeResponse>().member).toEqual({ id: member.id, name: '赵六', role: 'member', branchId: branch.branchId, branchName: '认证支部', idSeed: expect.stringMatching(/^[0-9a-f]{32}$/) })

    const variants: Record<string, string | undefined> = {
      missing: undefined,
      unknown: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      noScheme: member.token,
      basic: `Basic ${member.token}`,
      empty: 'Bearer ',
    }
    for (const [, authorization] of Object.entries(variants)) {
      const headers = authorization === undefined ? {} : { authorization }
      expectError(await appOf.app.inject({ method: 'GET', url: '/api/v1/me', headers }), 401, 'unauthorized')
      expectError(await appOf.app.inject({ method: 'POST', url: '/api/v1/sync', headers, payload: { clientId: 'x', cursor: null, changes: [] } }), 401, 'unauthorized')
    }

    // The scheme is case-insensitive (RFC 9110); the token is not.
    expect((await appOf.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `bearer ${member.token}` } })).statusCode).toBe(200)
    expectError(await appOf.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${member.token.toUpperCase()}` } }), 401, 'unauthorized')

    await ctx.storage.memberTokens.revoke(member.token)
    expectError(await appOf.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${member.token}` } }), 401, 'unauthorized')
  })

  it('speaks English when Accept-Language prefers it, Chinese otherwise', async () => {
    const wrong = { method: 'POST' as const, url: '/api/v1/join', payload: { inviteCode: 'ZZZZZZZZ', name: '张三' } }
    const zh = expectError(await appOf.app.inject({ ...wrong, remoteAddress: freshIp() }), 403, 'invalid_invite')
    expect(zh.message).toMatch(/邀请码/)
    const en = expectError(await appOf.app.inject({ ...wrong, remoteAddress: freshIp(), headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' } }), 403, 'invalid_invite')
    expect(en.message).toMatch(/invite code/)

    // Field messages from the shared schemas come in the same language.
    const branch = await ctx.storage.createBranch('语言支部')
    const member = await joinAs(appOf.app, branch.memberInviteCode, 'Lang')
    const res = await appOf.app.inject({
      method: 'POST',
      url: '/api/v1/sync',
      headers: { 'authorization': `Bearer ${member.token}`, 'accept-language': 'en' },
      payload: { clientId: 'x', cursor: null, changes: [{ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ minutes: 0 }) }] },
    })
    const result = res.json().results[0]
    expect(result.error.details).toEqual([{ path: 'data.minutes', message: 'Minutes must be a whole number from 1 to 600' }])
    expect(result.error.message).toContain('Minutes must be a whole number')
  })

  it('answers unknown API paths with a 404 protocol body', async () => {
    for (const url of ['/api/v1/nope', '/api/v2/sync', '/api', '/anything']) {
      expectError(await appOf.app.inject({ method: 'GET', url }), 404, 'not_found')
    }
    expectError(await appOf.app.inject({ method: 'DELETE', url: '/api/v1/sync' }), 404, 'not_found')
  })
})

describeEachBackend('server faults', (backend) => {
  it('answers a real fault with 500 server_error and a generic message, never the fault\'s text', async () => {
    const created = await backend.create()
    const branch = await created.storage.createBranch('故障支部')
    const app = await buildApp({ storage: created.storage, rateLimits: { join: 100 } })
    try {
      const member = await joinAs(app, branch.memberInviteCode, '张三')
      // The database goes away under the running app.
      await created.dispose()
      for (const headers of [{}, { 'accept-language': 'en' }]) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { ...headers, authorization: `Bearer ${member.token}` } })
        const error = expectError(res, 500, 'server_error')
        expect(error).toEqual({ code: 'server_error', message: 'accept-language' in headers ? 'Something went wrong on the server; try again later' : '服务器出错了，请稍后再试' })
      }
    }
    finally {
      await app.close()
    }
  })
})

describeEachBackend('rate limits', (backend) => {
  const ctx = useStorage(backend)

  it('limits join attempts per client address with 429 rate_limited', async () => {
    const app = await buildApp({ storage: ctx.storage, rateLimits: { join: 3 } })
    try {
      const attempt = (ip: string) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: 'WRONGONE', name: '猜码' }, remoteAddress: ip })
      for (let i = 0; i < 3; i++)
        expectError(await attempt('192.0.2.1'), 403, 'invalid_invite')
      const limited = await attempt('192.0.2.1')
      const error = expectError(limited, 429, 'rate_limited')
      expect(error.message).toMatch(/^操作太频繁，请 \d+ 秒后再试$/)
      expect(limited.headers['retry-after']).toBeDefined()
      // Another address is not affected.
      expectError(await attempt('192.0.2.2'), 403, 'invalid_invite')
      // Setup guesses share the rule.
      const setup = (ip: string) => app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'guess', branchName: 'x', name: 'y' }, remoteAddress: ip })
      for (let i = 0; i < 3; i++)
        expectError(await setup('192.0.2.3'), 403, 'invalid_invite')
      expectError(await setup('192.0.2.3'), 429, 'rate_limited')
    }
    finally {
      await app.close()
    }
  })

  it('limits sync per member token, never below 300 a minute', async () => {
    // Asking for 5 still allows the protocol's 300.
    const app = await buildApp({ storage: ctx.storage, rateLimits: { join: 100, sync: 5 } })
    try {
      const branch = await ctx.storage.createBranch('限流支部')
      const a = await joinAs(app, branch.memberInviteCode, '甲')
      const b = await joinAs(app, branch.memberInviteCode, '乙')
      const pull = (token: string) => app.inject({ method: 'POST', url: '/api/v1/sync', headers: { authorization: `Bearer ${token}` }, payload: { clientId: 'c', cursor: null, changes: [] } })
      for (let i = 0; i < 300; i++)
        expect((await pull(a.token)).statusCode).toBe(200)
      expectError(await pull(a.token), 429, 'rate_limited')
      // Another member on the same address still syncs.
      expect((await pull(b.token)).statusCode).toBe(200)
    }
    finally {
      await app.close()
    }
  })
})

describeEachBackend('first-run setup', (backend) => {
  const ctx = useStorage(backend)

  it('creates the branch and its secretary once; the link is dead afterwards', async () => {
    const app = await buildApp({ storage: ctx.storage, setupCode: 'first-run-code-123', rateLimits: { join: 100 } })
    try {
      const check = async (code: string) => (await app.inject({ method: 'GET', url: `/api/v1/setup?code=${code}` })).json()
      expect(await check('first-run-code-123')).toEqual({ valid: true })
      expect(await check('another')).toEqual({ valid: false })
      expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ valid: false })

      const missing = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'first-run-code-123', branchName: '', name: '' } })
      const error = expectError(missing, 400, 'validation_failed')
      expect(error.details!.map(d => d.path)).toEqual(['branchName', 'name'])
      // A rejected attempt does not consume the code.
      expect(await check('first-run-code-123')).toEqual({ valid: true })

      const res = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'first-run-code-123', branchName: '城关第一支部', name: '王书记' } })
      expect(res.statusCode, res.body).toBe(201)
      const setup = res.json<SetupResponse>()
      expect(setup.member).toMatchObject({ name: '王书记', role: 'secretary', branchName: '城关第一支部' })
      expect(setup.memberInviteCode).toMatch(/^[A-Z2-9]{8}$/)
      expect(setup.secretaryInviteCode).toMatch(/^[A-Z2-9]{8}$/)
      expect(setup.memberInviteCode).not.toBe(setup.secretaryInviteCode)

      const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${setup.token}` } })
      expect(me.json<MeResponse>().member.role).toBe('secretary')
      const joined = await app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: setup.memberInviteCode, name: '新党员' } })
      expect(joined.json<JoinResponse>().member.branchId).toBe(setup.member.branchId)

      expect(await check('first-run-code-123')).toEqual({ valid: false })
      const again = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'first-run-code-123', branchName: '第二支部', name: '冒名者' } })
      expectError(again, 403, 'invalid_invite')
      expect(await ctx.storage.branches.count()).toBe(1)
    }
    finally {
      await app.close()
    }
  })

  it('lets exactly one of two simultaneous setups win', async () => {
    const app = await buildApp({ storage: ctx.storage, setupCode: 'race-code', rateLimits: { join: 100 } })
    try {
      const attempt = (name: string) => app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'race-code', branchName: `支部${name}`, name } })
      const results = await Promise.all([attempt('甲'), attempt('乙'), attempt('丙')])
      expect(results.map(r => r.statusCode).sort()).toEqual([201, 403, 403])
    }
    finally {
      await app.close()
    }
  })
})

describeEachBackend('branch completion', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }

  it('counts live check-ins of the week per active member, not-studied first then by name', async () => {
    const { secretary, members } = await branchWith(appOf.app, ctx.storage, ['张三', '李四', '王五', '赵六'], '书记')
    const [zhang, li, wang, zhao] = members as [typeof members[0], typeof members[0], typeof members[0], typeof members[0]]
    const date = today()
    const week = weekKey(date)
    const lastWeekDate = daysAgo(7)
    // In the branch since before last week (their phones joined today), so last week lists them too.
    await joinedOn(appOf.app, secretary.token, [secretary, ...members].map(m => m.id), daysAgo(30))

    await syncOk(appOf.app, zhang.token, { changes: [
      { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ date, minutes: 90 }) },
      { table: 'studyCheckins', id: uuid(), updatedAt: 2, data: checkin({ date, minutes: 30 }) },
    ] })
    // 李四's only check-in this week is deleted; the one last week does not count for this week.
    const liId = uuid()
    await syncOk(appOf.app, li.token, { changes: [{ table: 'studyCheckins', id: liId, updatedAt: 1, data: checkin({ date, minutes: 45 }) }] })
    await syncOk(appOf.app, li.token, { changes: [
      { table: 'studyCheckins', id: liId, updatedAt: 2, deleted: true },
      { table: 'studyCheckins', id: uuid(), updatedAt: 3, data: checkin({ date: lastWeekDate, minutes: 20 }) },
    ] })
    await syncOk(appOf.app, wang.token, { changes: [{ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin({ date, minutes: 15 }) }] })
    // Service logs are not study.
    await syncOk(appOf.app, zhao.token, { changes: [{ table: 'serviceLogs', id: uuid(), updatedAt: 1, data: { date, community: '东城社区', activity: 'volunteer', hours: 2 } }] })

    const res = await completion(appOf.app, secretary.token, week)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json<CompletionResponse>()
    expect(body.week).toBe(week)
    expect(body.total).toBe(5)
    expect(body.completed).toBe(2)
    const collator = new Intl.Collator('zh-CN')
    const notStudied = ['书记', '李四', '赵六'].sort(collator.compare)
    const studied = ['王五', '张三'].sort(collator.compare)
    expect(body.members.map(m => m.name)).toEqual([...notStudied, ...studied])
    const byName = Object.fromEntries(body.members.map(m => [m.name, m]))
    expect(byName['张三']).toMatchObject({ id: zhang.id, role: 'member', studied: true, checkins: 2, minutes: 120 })
    expect(byName['李四']).toMatchObject({ studied: false, checkins: 0, minutes: 0 })
    expect(byName['王五']).toMatchObject({ studied: true, checkins: 1, minutes: 15 })
    expect(byName['书记']).toMatchObject({ id: secretary.id, role: 'secretary', studied: false })

    // Last week: only 李四's check-in.
    const last = (await completion(appOf.app, secretary.token, shiftWeek(week, -1))).json<CompletionResponse>()
    expect(last.completed).toBe(1)
    expect(last.members.find(m => m.name === '李四')).toMatchObject({ studied: true, checkins: 1, minutes: 20 })

    // No week: the current week.
    expect((await completion(appOf.app, secretary.token)).json<CompletionResponse>().week).toBe(week)
  })

  it('never counts other branches', async () => {
    const a = await branchWith(appOf.app, ctx.storage, ['甲'])
    const b = await branchWith(appOf.app, ctx.storage, ['乙'])
    await syncOk(appOf.app, b.members[0]!.token, { changes: [{ table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin() }] })
    const body = (await completion(appOf.app, a.secretary.token)).json<CompletionResponse>()
    expect(body.total).toBe(2)
    expect(body.completed).toBe(0)
  })

  it('forbids members and rejects malformed weeks', async () => {
    const { secretary, members } = await branchWith(appOf.app, ctx.storage, ['普通党员'])
    expectError(await completion(appOf.app, members[0]!.token), 403, 'forbidden')
    for (const week of ['2026-W54', '2027-W53', '2026-48', 'now', '2026-W00']) {
      const error = expectError(await completion(appOf.app, secretary.token, week), 400, 'validation_failed')
      expect(error.details).toEqual([{ path: 'week', message: expect.stringContaining('ISO') }])
    }
    expect((await completion(appOf.app, secretary.token, '2026-W53')).statusCode).toBe(200)
    expectError(await appOf.app.inject({ method: 'GET', url: '/api/v1/branch/completion' }), 401, 'unauthorized')
  })
})
