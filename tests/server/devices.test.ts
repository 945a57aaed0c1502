import type { BranchMember, BranchMembersResponse, MemberRecordsResponse } from '../../src/domain/branch'
import type { AddMemberResponse, MemberDevicesResponse, MyDevicesResponse, SignInCodeResponse } from '../../src/domain/devices'
import type { JoinResponse } from '../../src/domain/wire'
import type { Member } from './support/api'
import { expect, it } from 'vitest'
import { CLAIM_CODE_TTL_MS, DEVICE_CODE_TTL_MS } from '../../src/domain/devices'
import { DEMO_SHAPE, fillBranch } from '../../src/server/demo'
import { sha256Hex } from '../../src/server/storage/secrets'
import { branchWith, checkin, expectError, freshIp, pullAll, syncOk, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, callOk } from './support/branch'

/**
 * Members as the branch knows them (issue #12, part 1): a member without a phone (添加成员), 代录
 * for them, a 认领码 that makes a phone that member, each phone its own device (我的设备, 添加新设备),
 * 停用设备 one or all; who may call what, used/expired codes, hashing, rate limits and races.
 */

const B = '/api/v1/branch'
const ANDROID = 'Mozilla/5.0 (Linux; Android 13; SM-G9910) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1'

describeEachBackend('devices and members without a phone', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  async function claim(code: string, ua = IPHONE, ip = freshIp(), lang?: string) {
    return app().inject({ method: 'POST', url: '/api/v1/claim', payload: { code }, remoteAddress: ip, headers: { 'user-agent': ua, ...(lang ? { 'accept-language': lang } : {}) } })
  }

  async function claimOk(code: string, ua = IPHONE): Promise<Member> {
    const res = await claim(code, ua)
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json<JoinResponse>()
    return { token: body.token, id: body.member.id, branchId: body.member.branchId, name: body.member.name }
  }

  async function addMember(token: string, body: Record<string, unknown>): Promise<AddMemberResponse> {
    return callOk<AddMemberResponse>(app(), token, 'POST', `${B}/members`, body, 201)
  }

  async function branchMembers(token: string): Promise<BranchMember[]> {
    return (await callOk<BranchMembersResponse>(app(), token, 'GET', `${B}/members`)).members
  }

  it('adds a member without a phone, whom the secretary 代录s for at once', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, ['赵一'])
    const added = await addMember(secretary.token, { name: ' 王奶奶 ', retired: true, partyJoinDate: '1965-07-01' })
    expect(added).toMatchObject({ name: '王奶奶', role: 'member', retired: true, partyJoinDate: '1965-07-01', activeDevices: 0, lastSyncAt: null })
    const plain = await addMember(secretary.token, { name: '李爷爷' })
    expect(plain).toMatchObject({ retired: false, partyJoinDate: null, activeDevices: 0 })
    expect((await branchMembers(secretary.token)).map(m => m.name)).toEqual(expect.arrayContaining(['王奶奶', '李爷爷', '赵一']))

    const id = uuid()
    const entered = await callOk(app(), secretary.token, 'POST', `${B}/members/${added.id}/records`, { table: 'studyCheckins', id, updatedAt: Date.now(), data: checkin({ form: 'home_study' }) }, 201)
    expect(entered).toMatchObject({ result: 'applied' })
    const records = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${added.id}/records?table=studyCheckins`)
    expect(records.records.map(r => r.id)).toEqual([id])
  })

  it('refuses a bad new member field by field, in Chinese or English', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, [])
    const res = await call(app(), secretary.token, 'POST', `${B}/members`, { name: '', retired: 'yes', partyJoinDate: '2999-01-01' })
    expectError(res, 400, 'validation_failed')
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'partyJoinDate', 'retired'])
    expect(res.json().error.message).toContain('请填写姓名')
    const en = await call(app(), secretary.token, 'POST', `${B}/members`, { name: 'x'.repeat(41) }, { 'accept-language': 'en' })
    expectError(en, 400, 'validation_failed')
    expect(en.json().error.message).toContain('Enter a name')
    expectError(await call(app(), secretary.token, 'POST', `${B}/members`, [1]), 400, 'validation_failed')
  })

  it('makes a phone the no-phone member with a 认领码: no second member, every record pulled', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, ['赵一'])
    const added = await addMember(secretary.token, { name: '王奶奶' })
    const recordId = uuid()
    await callOk(app(), secretary.token, 'POST', `${B}/members/${added.id}/records`, { table: 'studyCheckins', id: recordId, updatedAt: Date.now(), data: checkin() }, 201)
    const before = (await branchMembers(secretary.token)).length

    const issued = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${added.id}/claim-code`, {}, 201)
    expect(issued.kind).toBe('claim')
    expect(issued.code).toMatch(/^[A-HJ-NP-Z2-9]{10}$/)
    expect(Math.abs(issued.expiresAt - (Date.now() + CLAIM_CODE_TTL_MS))).toBeLessThan(60_000)

    // Typed as a person would: lower case, with spaces and a dash.
    const typed = `${issued.code.slice(0, 5).toLowerCase()} - ${issued.code.slice(5)}`
    const res = await claim(typed)
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json<JoinResponse>()
    expect(body.member).toMatchObject({ id: added.id, name: '王奶奶', role: 'member', branchId: secretary.branchId })
    expect(body.member.idSeed).toMatch(/^[0-9a-f]{32}$/)
    expect((await pullAll(app(), body.token)).changes.map(c => c.id)).toContain(recordId)

    const after = await branchMembers(secretary.token)
    expect(after.length).toBe(before)
    expect(after.find(m => m.id === added.id)).toMatchObject({ activeDevices: 1 })
    const devices = await callOk<MemberDevicesResponse>(app(), secretary.token, 'GET', `${B}/members/${added.id}/devices`)
    expect(devices.devices).toHaveLength(1)
    expect(devices.devices[0]).toEqual({ id: expect.any(String), name: 'iPhone · Safari', createdAt: expect.any(Number), lastSeenAt: expect.anything() })

    // Used once: the second phone is told so, in Chinese by default and in English when asked.
    const again = await claim(issued.code)
    expectError(again, 403, 'invalid_invite')
    expect(again.json().error.message).toContain('已经用过')
    const againEn = await claim(issued.code, IPHONE, freshIp(), 'en')
    expect(againEn.json().error.message).toContain('already been used')
  })

  it('keeps codes hashed only, and refuses unknown, expired and replaced codes with their own message', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, [])
    const added = await addMember(secretary.token, { name: '孙三' })
    const first = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${added.id}/claim-code`, {}, 201)
    const rows = await ctx.storage.db.selectFrom('sign_in_codes').selectAll().where('member_id', '=', added.id).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.code_hash).toBe(sha256Hex(first.code))
    expect(JSON.stringify(rows)).not.toContain(first.code)

    // A new code replaces the old one: the old one is refused as expired (replaced).
    const second = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${added.id}/claim-code`, {}, 201)
    const replaced = await claim(first.code)
    expectError(replaced, 403, 'invalid_invite')
    expect(replaced.json().error.message).toContain('已过期')

    // Past its time the code is refused as expired.
    await ctx.storage.db.updateTable('sign_in_codes').set({ expires_at: Date.now() - 1 }).where('code_hash', '=', sha256Hex(second.code)).execute()
    const expired = await claim(second.code)
    expectError(expired, 403, 'invalid_invite')
    expect(expired.json().error.message).toContain('已过期')

    const unknown = await claim('ZZZZZZZZZZ')
    expectError(unknown, 403, 'invalid_invite')
    expect(unknown.json().error.message).toContain('不正确')
    expectError(await claim(''), 400, 'validation_failed')
    expectError(await app().inject({ method: 'POST', url: '/api/v1/claim', payload: { code: 42 } }), 400, 'validation_failed')
    expect((await branchMembers(secretary.token)).find(m => m.id === added.id)).toMatchObject({ activeDevices: 0 })
  })

  it('answers a member 403 and no token 401 on the secretary endpoints; another branch finds nothing', async () => {
    const home = await branchWith(app(), ctx.storage, ['赵一'])
    const other = await branchWith(app(), ctx.storage, ['钱二'])
    const added = await addMember(home.secretary.token, { name: '周四' })
    const deviceId = (await callOk<MyDevicesResponse>(app(), home.members[0]!.token, 'GET', '/api/v1/me/devices')).devices[0]!.id
    const secretaryEndpoints: ['GET' | 'POST', string, unknown?][] = [
      ['POST', `${B}/members`, { name: '吴五' }],
      ['GET', `${B}/members/${added.id}/devices`],
      ['POST', `${B}/members/${home.members[0]!.id}/devices/${deviceId}/revoke`, {}],
      ['POST', `${B}/members/${added.id}/claim-code`, {}],
    ]
    for (const [method, url, payload] of secretaryEndpoints) {
      expectError(await call(app(), home.members[0]!.token, method, url, payload), 403, 'forbidden')
      expectError(await call(app(), null, method, url, payload), 401, 'unauthorized')
    }
    for (const [method, url] of [['GET', '/api/v1/me/devices'], ['POST', '/api/v1/me/devices/code'], ['POST', `/api/v1/me/devices/${deviceId}/revoke`]] as const)
      expectError(await call(app(), null, method, url, method === 'POST' ? {} : undefined), 401, 'unauthorized')
    // Another branch's secretary: the member and the device are not found, and no code is made.
    for (const [method, url, payload] of secretaryEndpoints.slice(1))
      expectError(await call(app(), other.secretary.token, method, url, payload), 404, 'not_found')
    expect(await ctx.storage.db.selectFrom('sign_in_codes').select('code_hash').where('member_id', '=', added.id).execute()).toEqual([])
    expect((await branchMembers(other.secretary.token)).map(m => m.name)).not.toContain('周四')
    // A member cannot stop another member's device, of this branch or another.
    expectError(await call(app(), other.members[0]!.token, 'POST', `/api/v1/me/devices/${deviceId}/revoke`, {}), 404, 'not_found')
    expectError(await call(app(), home.secretary.token, 'POST', `/api/v1/me/devices/${deviceId}/revoke`, {}), 404, 'not_found')
    expectError(await call(app(), home.secretary.token, 'POST', `/api/v1/me/devices/not-a-uuid/revoke`, {}), 404, 'not_found')
    expect((await syncOk(app(), home.members[0]!.token, {})).results).toEqual([])
  })

  it('lists a member\'s devices, adds one with a ten-minute code, and stops others', async () => {
    const { memberInviteCode } = await branchWith(app(), ctx.storage, [])
    // The first phone joins with an Android browser; its name comes from the User-Agent.
    const joined = await app().inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: memberInviteCode, name: '郑六' }, headers: { 'user-agent': ANDROID }, remoteAddress: freshIp() })
    expect(joined.statusCode, joined.body).toBe(201)
    const phone1 = joined.json<JoinResponse>()
    const recordId = uuid()
    await syncOk(app(), phone1.token, { changes: [{ table: 'studyCheckins', id: recordId, updatedAt: Date.now(), data: checkin() }] })

    const mine = await callOk<MyDevicesResponse>(app(), phone1.token, 'GET', '/api/v1/me/devices')
    expect(mine.devices).toEqual([{ id: expect.any(String), name: 'Android · SM-G9910 · Chrome', createdAt: expect.any(Number), lastSeenAt: expect.any(Number), current: true }])

    const code = await callOk<SignInCodeResponse>(app(), phone1.token, 'POST', '/api/v1/me/devices/code', {}, 201)
    expect(code.kind).toBe('device')
    expect(Math.abs(code.expiresAt - (Date.now() + DEVICE_CODE_TTL_MS))).toBeLessThan(10_000)
    const phone2 = await claimOk(code.code, IPHONE)
    expect(phone2.id).toBe(phone1.member.id)
    expect((await pullAll(app(), phone2.token)).changes.map(c => c.id)).toContain(recordId)

    const seen = await callOk<MyDevicesResponse>(app(), phone2.token, 'GET', '/api/v1/me/devices')
    expect(seen.devices.map(d => [d.name, d.current])).toEqual([['iPhone · Safari', true], ['Android · SM-G9910 · Chrome', false]])
    expect(JSON.stringify(seen)).not.toMatch(/token|hash/i)

    // The new phone stops the old (lost) one: the old one is signed out at its next call.
    const old = seen.devices.find(d => !d.current)!
    expect(await callOk(app(), phone2.token, 'POST', `/api/v1/me/devices/${old.id}/revoke`, {})).toEqual({ revoked: 1 })
    expectError(await call(app(), phone1.token, 'GET', '/api/v1/me'), 401, 'unauthorized')
    expectError(await call(app(), phone2.token, 'POST', `/api/v1/me/devices/${old.id}/revoke`, {}), 404, 'not_found')
    expect((await callOk<MyDevicesResponse>(app(), phone2.token, 'GET', '/api/v1/me/devices')).devices).toHaveLength(1)

    // A device code expires after ten minutes.
    const late = await callOk<SignInCodeResponse>(app(), phone2.token, 'POST', '/api/v1/me/devices/code', {}, 201)
    await ctx.storage.db.updateTable('sign_in_codes').set({ expires_at: Date.now() - 1 }).where('code_hash', '=', sha256Hex(late.code)).execute()
    expect((await claim(late.code)).json().error.message).toContain('已过期')
  })

  it('lets the secretary stop one device, or all of them (停用设备 as before)', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['冯七'])
    const phone1 = members[0]!
    const code = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${phone1.id}/claim-code`, {}, 201)
    const phone2 = await claimOk(code.code)
    const code3 = await callOk<SignInCodeResponse>(app(), phone1.token, 'POST', '/api/v1/me/devices/code', {}, 201)
    const phone3 = await claimOk(code3.code, ANDROID)
    const listed = (await callOk<MemberDevicesResponse>(app(), secretary.token, 'GET', `${B}/members/${phone1.id}/devices`)).devices
    expect(listed).toHaveLength(3)
    expect(listed.every(d => !('current' in d) && !('tokenHash' in d))).toBe(true)

    const iphone = listed.find(d => d.name === 'iPhone · Safari')!
    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${phone1.id}/devices/${iphone.id}/revoke`, {})).toEqual({ revoked: 1 })
    expectError(await call(app(), phone2.token, 'GET', '/api/v1/me'), 401, 'unauthorized')
    await callOk(app(), phone1.token, 'GET', '/api/v1/me')
    expectError(await call(app(), secretary.token, 'POST', `${B}/members/${phone1.id}/devices/${iphone.id}/revoke`, {}), 404, 'not_found')
    // A device id of another member of the branch is not this member's.
    const secretaryDevice = (await callOk<MyDevicesResponse>(app(), secretary.token, 'GET', '/api/v1/me/devices')).devices[0]!
    expectError(await call(app(), secretary.token, 'POST', `${B}/members/${phone1.id}/devices/${secretaryDevice.id}/revoke`, {}), 404, 'not_found')

    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${phone1.id}/revoke-devices`, {})).toEqual({ revoked: 2 })
    expectError(await call(app(), phone1.token, 'GET', '/api/v1/me'), 401, 'unauthorized')
    expectError(await call(app(), phone3.token, 'GET', '/api/v1/me'), 401, 'unauthorized')
    // A lost phone without a backup: the secretary's 认领码 brings the member back on a new phone.
    const back = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${phone1.id}/claim-code`, {}, 201)
    expect((await claimOk(back.code)).id).toBe(phone1.id)
  })

  it('gives one code to exactly one of many phones sending it at once', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, [])
    const added = await addMember(secretary.token, { name: '陈八' })
    const issued = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${added.id}/claim-code`, {}, 201)
    // Warm the connection pool first, so the claims really overlap instead of queueing for connections.
    await Promise.all(Array.from({ length: 12 }, () => callOk(app(), secretary.token, 'GET', `${B}/members/${added.id}/devices`)))
    const answers = await Promise.all(Array.from({ length: 12 }, () => claim(issued.code)))
    expect(answers.map(a => a.statusCode).sort()).toEqual([201, ...Array.from({ length: 11 }, () => 403)])
    for (const refused of answers.filter(a => a.statusCode === 403))
      expect(refused.json().error.message).toContain('已经用过')
    expect((await callOk<MemberDevicesResponse>(app(), secretary.token, 'GET', `${B}/members/${added.id}/devices`)).devices).toHaveLength(1)
  })

  it('writes a device\'s last-seen time at most once a minute', async () => {
    const { members } = await branchWith(app(), ctx.storage, ['褚九'])
    const a = members[0]!
    await callOk(app(), a.token, 'GET', '/api/v1/me')
    const first = (await callOk<MyDevicesResponse>(app(), a.token, 'GET', '/api/v1/me/devices')).devices[0]!.lastSeenAt
    expect(first).toEqual(expect.any(Number))
    await new Promise(resolve => setTimeout(resolve, 20))
    await callOk(app(), a.token, 'GET', '/api/v1/me')
    expect((await callOk<MyDevicesResponse>(app(), a.token, 'GET', '/api/v1/me/devices')).devices[0]!.lastSeenAt).toBe(first)
  })
})

describeEachBackend('the demo\'s member without a phone', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  it('has no device but 代录 records and a live 认领码 that makes a phone them; everyone else has a phone', async () => {
    const filled = await fillBranch(ctx.storage, { ...DEMO_SHAPE, members: 10, retiredShare: 0.5, weeks: 8 })
    const elder = filled.noPhoneMember!
    expect(elder).toEqual({ id: expect.any(String), name: expect.any(String), claimCode: expect.stringMatching(/^[A-HJ-NP-Z2-9]{10}$/) })
    const secretary = (await ctx.storage.db.selectFrom('members').select('id').where('id', '=', filled.secretaryId).executeTakeFirstOrThrow()).id
    const token = await ctx.storage.memberTokens.issue(secretary)
    const members = await branchMembers(token)
    expect(members.find(m => m.id === elder.id)).toMatchObject({ activeDevices: 0, lastSyncAt: null })
    // One phone each; the member a duplicate was merged into (合并到…, in the demo since 6bb059a) has the duplicate's too.
    const others = members.filter(m => m.id !== elder.id && m.id !== secretary)
    expect(others.filter(m => !(m.activeDevices >= 1 && m.lastSyncAt !== null)).map(m => m.name)).toEqual([])
    expect(others.filter(m => m.activeDevices > 1).length).toBeLessThanOrEqual(1)
    const entered = await callOk<MemberRecordsResponse>(app(), token, 'GET', `${B}/members/${elder.id}/records?table=serviceLogs`)
    expect(entered.records.length).toBeGreaterThan(0)

    const res = await app().inject({ method: 'POST', url: '/api/v1/claim', payload: { code: elder.claimCode }, remoteAddress: freshIp() })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json<JoinResponse>().member.id).toBe(elder.id)
    const pulled = (await pullAll(app(), res.json<JoinResponse>().token)).changes.map(c => c.id)
    expect(pulled).toEqual(expect.arrayContaining(entered.records.map(r => r.id)))
  })

  async function branchMembers(token: string): Promise<BranchMember[]> {
    return (await callOk<BranchMembersResponse>(app(), token, 'GET', `${B}/members`)).members
  }
})

describeEachBackend('sign-in codes under a tight limit', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage, { rateLimits: { join: 3, sync: 100_000, auth: 10_000 } }) }
  const app = () => appOf.app

  it('counts wrong, used and expired codes against the address, then refuses even a right one', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, [])
    const added = (await callOk<AddMemberResponse>(app(), secretary.token, 'POST', `${B}/members`, { name: '卫十' }, 201))
    const issued = await callOk<SignInCodeResponse>(app(), secretary.token, 'POST', `${B}/members/${added.id}/claim-code`, {}, 201)
    const ip = '10.250.0.1'
    const send = (code: string, from = ip) => app().inject({ method: 'POST', url: '/api/v1/claim', payload: { code }, remoteAddress: from })
    for (let i = 0; i < 3; i++)
      expectError(await send(`WRONG${i}CODE`), 403, 'invalid_invite')
    const limited = await send(issued.code)
    expectError(limited, 429, 'rate_limited')
    expect(limited.headers['retry-after']).toBeDefined()
    // Another address is not held back, and the right code still works there once.
    expect((await send(issued.code, '10.250.0.2')).statusCode).toBe(201)
  })
})
