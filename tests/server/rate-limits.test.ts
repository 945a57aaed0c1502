import type { FastifyInstance, InjectOptions } from 'fastify'
import type { BuildAppOptions } from '../../src/server/app'
import type { ServerProcess } from './support/process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app'
import { ApiError } from '../../src/server/errors'
import { addressKey, FailureLimiter } from '../../src/server/rate-limits'
import { expectError, freshIp, joinAs } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { fakeStaticDir, startServerProcess } from './support/process'

/**
 * Rate limits against hostile input: sync is limited per member however the token is spelled;
 * wrong tokens and wrong invite/setup codes are limited per client address, and right ones do
 * not count, so a whole branch can join at a meeting from one Wi-Fi or through one proxy.
 */

/** Every spelling of the scheme BEARER_RE accepts: the 64 cases of `Bearer`, some padded with blanks. */
function bearerSpellings(token: string): string[] {
  const word = 'bearer'
  return Array.from({ length: 64 }, (_, mask) => {
    const scheme = [...word].map((c, i) => (mask >> i) & 1 ? c.toUpperCase() : c).join('')
    const pad = ['', ' ', '\t', '  \t'][mask % 4]!
    return `${pad}${scheme} ${token}${pad}`
  })
}

async function withApp<T>(opts: BuildAppOptions, run: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const app = await buildApp(opts)
  try {
    return await run(app)
  }
  finally {
    await app.close()
  }
}

const statusesOf = (responses: { statusCode: number }[]) => responses.map(r => r.statusCode).sort((a, b) => a - b)

describeEachBackend('rate limits', (backend) => {
  const ctx = useStorage(backend)

  it('gives a member one sync allowance however `Bearer` is spelled', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 10_000, sync: 300, auth: 10_000 } }, async (app) => {
      const branch = await ctx.storage.createBranch('拼写支部')
      const a = await joinAs(app, branch.memberInviteCode, '甲')
      const b = await joinAs(app, branch.memberInviteCode, '乙')
      const spellings = bearerSpellings(a.token)
      expect(new Set(spellings.map(s => s.trim())).size).toBe(64)
      const pull = (authorization: string) => app.inject({ method: 'POST', url: '/api/v1/sync', headers: { authorization }, payload: { clientId: 'c', cursor: null, changes: [] } })
      // 300 a minute (the protocol's floor), spread over every spelling, in bursts of 30 at once.
      for (let round = 0; round < 10; round++) {
        const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => pull(spellings[(round * 30 + i) % 64]!)))
        expect(statusesOf(burst)).toEqual(Array.from({ length: 30 }, () => 200))
      }
      for (const spelling of [spellings[0]!, spellings[37]!, spellings[63]!])
        expectError(await pull(spelling), 429, 'rate_limited')
      // The allowance is the member's, not the address's: another member on it still syncs.
      expect((await pull(`Bearer ${b.token}`)).statusCode).toBe(200)
    })
  })

  it('limits wrong tokens per client address on every route that needs a token', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 10_000, auth: 5 } }, async (app) => {
      const branch = await ctx.storage.createBranch('令牌支部')
      const secretary = await joinAs(app, branch.secretaryInviteCode, '书记')
      const routes: InjectOptions[] = [
        { method: 'GET', url: '/api/v1/me' },
        { method: 'POST', url: '/api/v1/sync', payload: { clientId: 'c', cursor: null, changes: [] } },
        { method: 'GET', url: '/api/v1/branch/members' },
        { method: 'GET', url: '/api/v1/branch/completion' },
        { method: 'GET', url: '/api/v1/materials/00000000-0000-4000-8000-000000000000' },
      ]
      const call = (route: InjectOptions, ip: string, token: string | null) => app.inject({
        ...route,
        remoteAddress: ip,
        headers: { 'accept-language': 'en', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      })

      // Right tokens never count: 40 good calls first, then exactly 5 failures are answered.
      const guesser = freshIp()
      for (let i = 0; i < 40; i++)
        expect((await call(routes[i % 2]!, guesser, secretary.token)).statusCode).toBe(200)
      for (let i = 0; i < 5; i++)
        expectError(await call(routes[i]!, guesser, i === 0 ? null : `wrong-${i}`), 401, 'unauthorized')
      for (const route of routes) {
        const limited = await call(route, guesser, 'wrong-again')
        const error = expectError(limited, 429, 'rate_limited')
        expect(error.message).toMatch(/^Too many requests; try again in \d+ seconds$/)
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
        // A right token is 256 random bits, nothing to guess: it always passes, so 30 bad calls
        // from a meeting's Wi-Fi (or the proxy) never lock every member behind it out.
        // (The material does not exist: 404 is the route's own answer, past authentication.)
        expect((await call(route, guesser, secretary.token)).statusCode).toBe(String(route.url).includes('/materials/') ? 404 : 200)
      }
      // The right ones did not reopen the door: wrong ones are still refused.
      expectError(await call(routes[0]!, guesser, null), 429, 'rate_limited')
      // Another address is not affected.
      const other = freshIp()
      expectError(await call(routes[0]!, other, 'wrong'), 401, 'unauthorized')
      expect((await call(routes[0]!, other, secretary.token)).statusCode).toBe(200)

      // Guesses sent all at once are not all judged before the first failure is counted.
      const burst = freshIp()
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => call(routes[i % routes.length]!, burst, `guess-${i}`)))
      expect(statusesOf(answers)).toEqual([...Array.from({ length: 5 }, () => 401), ...Array.from({ length: 25 }, () => 429)])
      for (const answer of answers)
        expectError(answer, answer.statusCode, answer.statusCode === 401 ? 'unauthorized' : 'rate_limited')
    })
  })

  it('lets 40 members join at once from one address; only wrong codes count', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 10 } }, async (app) => {
      const branch = await ctx.storage.createBranch('会议支部')
      const meeting = freshIp()
      const attempt = (inviteCode: string, name: string, ip = meeting) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode, name }, remoteAddress: ip })

      const joined = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(i === 0 ? branch.secretaryInviteCode : branch.memberInviteCode, `党员${i}`)))
      expect(statusesOf(joined)).toEqual(Array.from({ length: 40 }, () => 201))
      expect(new Set(joined.map(r => r.json<{ token: string }>().token)).size).toBe(40)

      // Mistyped codes: nine of them still leave room for the right one.
      for (let i = 0; i < 9; i++)
        expectError(await attempt(`WRONG${i}`, '猜码'), 403, 'invalid_invite')
      expect((await attempt(branch.memberInviteCode, '第四十一位')).statusCode).toBe(201)
      expectError(await attempt('WRONG9', '猜码'), 403, 'invalid_invite')
      // The tenth failure is the limit: past it every code is refused, or a 429 would tell a
      // guesser which guess was right.
      const limited = await attempt('WRONG10', '猜码')
      expect(expectError(limited, 429, 'rate_limited').message).toMatch(/^操作太频繁，请 \d+ 秒后再试$/)
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      expectError(await attempt(branch.memberInviteCode, '迟到者'), 429, 'rate_limited')
      expect((await attempt(branch.memberInviteCode, '别处的人', freshIp())).statusCode).toBe(201)
    })
  })

  it('limits wrong codes per address, all at once too, and join and setup guesses share the count', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 10 } }, async (app) => {
      const join = (inviteCode: string, ip: string) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode, name: '猜码' }, remoteAddress: ip })
      const setup = (code: string, ip: string) => app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code, branchName: '冒名支部', name: '冒名者' }, remoteAddress: ip })
      const check = (code: string, ip: string) => app.inject({ method: 'GET', url: `/api/v1/setup?code=${code}`, remoteAddress: ip })

      const burst = freshIp()
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => join(`GUESS${i}`, burst)))
      expect(statusesOf(answers)).toEqual([...Array.from({ length: 10 }, () => 403), ...Array.from({ length: 20 }, () => 429)])

      // Wrong joins, wrong setups and dead setup links all spend one allowance of guesses.
      const mixed = freshIp()
      for (let i = 0; i < 4; i++)
        expectError(await join(`GUESS${i}`, mixed), 403, 'invalid_invite')
      for (let i = 0; i < 3; i++)
        expectError(await setup(`guess-${i}`, mixed), 403, 'invalid_invite')
      for (let i = 0; i < 3; i++)
        expect((await check(`guess-${i}`, mixed)).json()).toEqual({ valid: false })
      expectError(await join('GUESS9', mixed), 429, 'rate_limited')
      expectError(await setup('guess-9', mixed), 429, 'rate_limited')
      expectError(await check('guess-9', mixed), 429, 'rate_limited')
    })
  })

  it('lets a right setup link be opened again and again, and used, from an address under the limit', async () => {
    await withApp({ storage: ctx.storage, setupCode: 'rate-limit-setup-code', rateLimits: { join: 10 } }, async (app) => {
      const ip = freshIp()
      for (let i = 0; i < 15; i++) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/setup?code=rate-limit-setup-code', remoteAddress: ip })
        expect(res.json(), `check ${i}`).toEqual({ valid: true })
      }
      for (let i = 0; i < 9; i++)
        expectError(await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: `typo-${i}`, branchName: '城关支部', name: '王书记' }, remoteAddress: ip }), 403, 'invalid_invite')
      const res = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'rate-limit-setup-code', branchName: '城关支部', name: '王书记' }, remoteAddress: ip })
      expect(res.statusCode, res.body).toBe(201)
    })
  })

  it('keeps right tokens working for everyone behind an address that sent many wrong ones, at once too', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 10_000, auth: 3 } }, async (app) => {
      const branch = await ctx.storage.createBranch('同网支部')
      const wifi = freshIp()
      const members = await Promise.all(['甲', '乙', '丙'].map(name => joinAs(app, branch.memberInviteCode, name)))
      const me = (authorization: string | null) => app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: wifi, headers: authorization === null ? {} : { authorization } })
      // Someone on the same Wi-Fi floods wrong and missing tokens while the members sync.
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => i % 3 === 0
        ? me(`Bearer ${members[i % members.length]!.token}`)
        : me(i % 2 === 0 ? null : `Bearer junk-${i}`)))
      answers.forEach((answer, i) => {
        if (i % 3 === 0)
          expect(answer.statusCode, answer.body).toBe(200)
        else
          expectError(answer, answer.statusCode, answer.statusCode === 401 ? 'unauthorized' : 'rate_limited')
      })
      expect(answers.filter(a => a.statusCode === 401)).toHaveLength(3)
      for (const member of members)
        expect((await me(`Bearer ${member.token}`)).statusCode).toBe(200)
    })
  })

  it('limits an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 address', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 3, auth: 3 } }, async (app) => {
      const join = (remoteAddress: string) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: 'WRONGONE', name: '猜码' }, remoteAddress })
      // Every address of one /64 is one client: a new address per guess does not buy guesses.
      for (const address of ['2001:db8:aa:1::1', '2001:db8:aa:1:ffff:ffff:ffff:fffe', '2001:0DB8:00aa:0001:0:0:0:77'])
        expectError(await join(address), 403, 'invalid_invite')
      expectError(await join('2001:db8:aa:1:1234::5'), 429, 'rate_limited')
      // The next /64 is another client.
      expectError(await join('2001:db8:aa:2::1'), 403, 'invalid_invite')
      // A dual-stack socket's ::ffff:a.b.c.d is the IPv4 client a.b.c.d, in either spelling.
      expectError(await join('198.51.100.77'), 403, 'invalid_invite')
      expectError(await join('::ffff:198.51.100.77'), 403, 'invalid_invite')
      expectError(await join('::ffff:c633:644d'), 403, 'invalid_invite')
      expectError(await join('198.51.100.77'), 429, 'rate_limited')
      // Tokens too.
      const me = (remoteAddress: string) => app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress, headers: { authorization: 'Bearer wrong' } })
      for (let i = 1; i <= 3; i++)
        expectError(await me(`2001:db8:bb:1::${i}`), 401, 'unauthorized')
      expectError(await me('2001:db8:bb:1::99'), 429, 'rate_limited')
      expectError(await me('2001:db8:bb:2::1'), 401, 'unauthorized')
    })
  })

  it('bounds wrong codes of all addresses together at 10× the per-address limit', async () => {
    await withApp({ storage: ctx.storage, rateLimits: { join: 2 } }, async (app) => {
      const branch = await ctx.storage.createBranch('众址支部')
      const join = (inviteCode: string, remoteAddress: string) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode, name: '猜码' }, remoteAddress })
      // 20 addresses with one guess each, at once: each under its own limit, together at the ceiling.
      const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => join(`GUESS${i}`, freshIp())))
      expect(statusesOf(guesses)).toEqual(Array.from({ length: 20 }, () => 403))
      // Past it every code from every address waits out the minute, the right one too (or a
      // 429-or-not would tell a guesser spread over many addresses which guess was right).
      expectError(await join('GUESS20', freshIp()), 429, 'rate_limited')
      const limited = await join(branch.memberInviteCode, freshIp())
      expectError(limited, 429, 'rate_limited')
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      // Setup links share the codes' ceiling.
      const setupCheck = await app.inject({ method: 'GET', url: '/api/v1/setup?code=nothing', remoteAddress: freshIp() })
      expectError(setupCheck, 429, 'rate_limited')
    })
    // A burst of guesses from many addresses is judged at most the ceiling at a time.
    await withApp({ storage: ctx.storage, rateLimits: { join: 2, codesGlobal: 5 } }, async (app) => {
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: `GUESS${i}`, name: '猜码' }, remoteAddress: freshIp() })))
      expect(statusesOf(answers)).toEqual([...Array.from({ length: 5 }, () => 403), ...Array.from({ length: 25 }, () => 429)])
    })
  })

  it('caps successful joins per address at 200 a minute', async () => {
    await withApp({ storage: ctx.storage }, async (app) => {
      const branch = await ctx.storage.createBranch('批量支部')
      const script = freshIp()
      const join = (name: string, remoteAddress = script) => app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: branch.memberInviteCode, name }, remoteAddress })
      for (let round = 0; round < 4; round++) {
        const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => join(`成员${round * 50 + i}`)))
        expect(statusesOf(batch)).toEqual(Array.from({ length: 50 }, () => 201))
      }
      expectError(await join('第二百零一位'), 429, 'rate_limited')
      // The cap is the address's: another one joins.
      expect((await join('别处的人', freshIp())).statusCode).toBe(201)
    })
  })

  describe('behind a reverse proxy', () => {
    const viaProxy = (app: FastifyInstance, forwardedFor: string, inviteCode = 'WRONGONE') => app.inject({
      method: 'POST',
      url: '/api/v1/join',
      payload: { inviteCode, name: '猜码' },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': forwardedFor },
    })

    it('limits each X-Forwarded-For address on its own when the proxy is trusted', async () => {
      await withApp({ storage: ctx.storage, rateLimits: { join: 3, auth: 3 }, trustProxy: ['127.0.0.1'] }, async (app) => {
        for (let i = 0; i < 3; i++)
          expectError(await viaProxy(app, '198.51.100.1'), 403, 'invalid_invite')
        expectError(await viaProxy(app, '198.51.100.1'), 429, 'rate_limited')
        // A phone behind the same proxy is its own client.
        expectError(await viaProxy(app, '198.51.100.2'), 403, 'invalid_invite')
        // Caddy appends the address it saw: a forged first entry does not make a new client.
        for (let i = 0; i < 5; i++)
          expectError(await viaProxy(app, `203.0.113.${i}, 198.51.100.1`), 429, 'rate_limited')
        // Tokens follow the same address.
        const me = (forwardedFor: string) => app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': forwardedFor, 'authorization': 'Bearer wrong' } })
        for (let i = 0; i < 3; i++)
          expectError(await me('198.51.100.7'), 401, 'unauthorized')
        expectError(await me('198.51.100.7'), 429, 'rate_limited')
        expectError(await me('198.51.100.8'), 401, 'unauthorized')
      })
    })

    it('ignores X-Forwarded-For when no proxy is trusted, so a client cannot forge new addresses', async () => {
      await withApp({ storage: ctx.storage, rateLimits: { join: 3 } }, async (app) => {
        for (let i = 0; i < 3; i++)
          expectError(await viaProxy(app, `198.51.100.${i}`), 403, 'invalid_invite')
        expectError(await viaProxy(app, '198.51.100.99'), 429, 'rate_limited')
      })
    })
  })
})

describeEachBackend('TRUST_PROXY in a running server', (backend) => {
  const ctx = useStorage(backend)
  let staticDir: string
  let server: ServerProcess | undefined

  beforeAll(() => {
    staticDir = fakeStaticDir(mkdtempSync(join(tmpdir(), 'study-log-static-')))
  })
  afterEach(() => {
    server?.kill('SIGKILL')
  })
  afterAll(async () => {
    await server?.exited
  })

  it('reads TRUST_PROXY from the environment and limits forwarded addresses apart over real HTTP', async () => {
    server = await startServerProcess({ ...ctx.env, STATIC_DIR: staticDir, TRUST_PROXY: 'loopback', RATE_LIMIT_JOIN: '2' })
    const join = async (forwardedFor: string) => {
      const res = await fetch(`${server!.baseUrl}/api/v1/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ inviteCode: 'WRONGONE', name: '猜码' }),
      })
      return { status: res.status, body: await res.json() as { error: { code: string } } }
    }
    expect((await join('198.51.100.1')).status).toBe(403)
    expect((await join('198.51.100.1')).status).toBe(403)
    const limited = await join('198.51.100.1')
    expect(limited).toEqual({ status: 429, body: { error: { code: 'rate_limited', message: expect.any(String) } } })
    expect((await join('198.51.100.2')).body.error.code).toBe('invalid_invite')
  })
})

describe('the address a limit keys on', () => {
  it('is an IPv4 address as it is, an IPv6 address\'s /64, and an IPv4-mapped address\'s IPv4', () => {
    expect(addressKey('198.51.100.7')).toBe('198.51.100.7')
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:DB8:0001:0002::')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7')
    expect(addressKey('::FFFF:c633:6407')).toBe('198.51.100.7')
    expect(addressKey('0:0:0:0:0:ffff:198.51.100.7')).toBe('198.51.100.7')
    // An IPv4 tail that is not the mapped prefix is an IPv6 address like any other.
    expect(addressKey('64:ff9b::198.51.100.7')).toBe('64:ff9b:0:0::/64')
    expect(addressKey('not an address')).toBe('not an address')
  })
})

describe('the failed-attempt counter', () => {
  const fail = async () => false
  const succeed = async () => true
  const failed = (ok: boolean) => !ok
  const refusal = async (run: Promise<unknown>) => {
    const error = await run.then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }

  it('lifts an address\'s limit when its window is over', async () => {
    const limiter = new FailureLimiter(2, 300)
    await limiter.attempt('a', fail, failed)
    await limiter.attempt('a', fail, failed)
    const error = await refusal(limiter.attempt('a', succeed, failed))
    expect(error.code).toBe('rate_limited')
    expect(error.params.seconds).toBe(1)
    await new Promise(resolve => setTimeout(resolve, 350))
    expect(await limiter.attempt('a', succeed, failed)).toBe(true)
    await limiter.attempt('a', fail, failed)
    expect(await limiter.attempt('a', succeed, failed)).toBe(true)
  })

  it('does not count a thrown error (a database fault) as a failure', async () => {
    const limiter = new FailureLimiter(2)
    for (let i = 0; i < 5; i++)
      expect((await refusal(limiter.attempt('a', async () => { throw new ApiError('server_error', 'serverError') }, failed))).code).toBe('server_error')
    expect(await limiter.attempt('a', succeed, failed)).toBe(true)
  })

  it('counts a known failure (a wrong token) and refuses past the limit without counting', async () => {
    const limiter = new FailureLimiter(2, 300)
    limiter.fail('2001:db8:5:6::1')
    limiter.fail('2001:db8:5:6::2')
    expect(() => limiter.fail('2001:db8:5:6::3')).toThrow(ApiError)
    limiter.fail('2001:db8:5:7::1')
    await new Promise(resolve => setTimeout(resolve, 350))
    limiter.fail('2001:db8:5:6::3')
  })

  it('bounds the failures of all addresses together when given a global limit', async () => {
    const limiter = new FailureLimiter(5, 60_000, 10_000, 1_000, 3)
    for (const key of ['a', 'b', 'c'])
      await limiter.attempt(key, fail, failed)
    expect((await refusal(limiter.attempt('d', succeed, failed))).code).toBe('rate_limited')
  })

  it('keeps a bounded number of addresses, forgetting the oldest idle ones', async () => {
    const limiter = new FailureLimiter(1, 60_000, 2)
    await limiter.attempt('old', fail, failed)
    expect((await refusal(limiter.attempt('old', succeed, failed))).code).toBe('rate_limited')
    await limiter.attempt('b', fail, failed)
    await limiter.attempt('c', fail, failed)
    // 'old' made room for 'c'; 'c' is still remembered.
    expect(await limiter.attempt('old', succeed, failed)).toBe(true)
    expect((await refusal(limiter.attempt('c', succeed, failed))).code).toBe('rate_limited')
  })
})
