import type { FastifyInstance } from 'fastify'
import type { Buffer } from 'node:buffer'
import type { OrganisationGridResponse, OrganisationProblemsResponse, OrganisationSignInResponse } from '../../src/domain/organisation'
import type { SetupResponse } from '../../src/domain/wire'
import { spawn } from 'node:child_process'
import { expect, it } from 'vitest'
import { currentWeek, shiftWeek } from '../../src/domain/week'
import { expectError, freshIp, joinAs, studyChange, today, useApp } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { call, callOk, problemChange, push, uuid } from './support/branch'
import { REPO_ROOT, TSX } from './support/process'

/**
 * The organisation secretary's grid and problem register across branches, the organisation's own
 * invite code (migration 0017) and the first-run setup that makes an organisation (issue #14).
 */

function admin(args: string[], env: Record<string, string>): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/server/cli/admin.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.once('error', reject)
    child.once('exit', status => resolve({ status, stdout, stderr }))
  })
}

function orgJoin(app: FastifyInstance, inviteCode: string, name: string) {
  return app.inject({ method: 'POST', url: '/api/v1/organisation/join', payload: { inviteCode, name }, remoteAddress: freshIp() })
}

async function orgJoinOk(app: FastifyInstance, inviteCode: string, name: string): Promise<OrganisationSignInResponse> {
  const res = await orgJoin(app, inviteCode, name)
  expect(res.statusCode, res.body).toBe(201)
  return res.json<OrganisationSignInResponse>()
}

describeEachBackend('organisation views', (backend) => {
  const ctx = useStorage(backend)
  const served = useApp(() => ctx.storage)

  /*
   * The fixture, all this week (members joined today, so last week counts nobody):
   *   组织甲: 一支部 = 书记一 + 甲一 + 甲二; 二支部 = 书记二 + 乙一.   组织乙: 三支部 = 书记三 + 丙一.
   *   Check-ins: 甲一 and 甲二 (一支部), 乙一 (二支部), 丙一 (三支部), each one 自学.
   *   Problems: 甲一 reports 西城社区 楼道灯 (书记一 sets it 已解决); 乙一 reports 东城社区 停车;
   *   丙一 reports 南城社区 (组织乙's, shown nowhere in 组织甲).
   * Hand count for 组织甲's grid, last week and this week:
   *   一支部 0/0 (no rate), 2/3 = 66.7;  二支部 0/0, 1/2 = 50;  组织甲 0/0, 3/5 = 60 (not the average 58.3).
   *   Rows over the range: 一支部 2/3, 二支部 1/2, 组织甲 3/5.
   * Problems of 组织甲: total 2, open 1, solved 1; communities 东城社区, 西城社区.
   */
  async function fixture() {
    const app = served.app
    const orgA = await ctx.storage.organisations.create('组织甲', 'party_committee')
    const orgB = await ctx.storage.organisations.create('组织乙', 'leading_group')
    const b1 = await ctx.storage.createBranch('一支部')
    const b2 = await ctx.storage.createBranch('二支部')
    const b3 = await ctx.storage.createBranch('三支部')
    await ctx.storage.organisations.attach(orgA.organisationId, b1.branchId)
    await ctx.storage.organisations.attach(orgA.organisationId, b2.branchId)
    await ctx.storage.organisations.attach(orgB.organisationId, b3.branchId)
    const s1 = await joinAs(app, b1.secretaryInviteCode, '书记一')
    const a1 = await joinAs(app, b1.memberInviteCode, '甲一')
    const a2 = await joinAs(app, b1.memberInviteCode, '甲二')
    const s2 = await joinAs(app, b2.secretaryInviteCode, '书记二')
    const y1 = await joinAs(app, b2.memberInviteCode, '乙一')
    const s3 = await joinAs(app, b3.secretaryInviteCode, '书记三')
    const c1 = await joinAs(app, b3.memberInviteCode, '丙一')
    for (const member of [a1, a2, y1, c1])
      await push(app, member.token, [studyChange(uuid(), 1000, { form: 'self_study' })])
    const p1 = uuid()
    const p2 = uuid()
    const p3 = uuid()
    await push(app, a1.token, [problemChange(p1, 1000, { community: '西城社区', title: '楼道灯坏了' })])
    await push(app, y1.token, [problemChange(p2, 1000, { community: '东城社区', title: '停车难', category: 'other' })])
    await push(app, c1.token, [problemChange(p3, 1000, { community: '南城社区', title: '别处的问题' })])
    await callOk(app, s1.token, 'PATCH', `/api/v1/branch/problems/${p1}`, { status: 'solved', ownerName: '书记一', resolution: '已修好' })
    const tokenA = (await orgJoinOk(app, orgA.inviteCode, '组织管理员甲')).token
    const tokenB = (await orgJoinOk(app, orgB.inviteCode, '组织管理员乙')).token
    return { app, orgA, orgB, b1, b2, b3, s1, s2, s3, a1, a2, y1, c1, p1, p2, p3, tokenA, tokenB }
  }

  it('the grid has one row per branch, each its own /branch/grid totals, and the organisation\'s row by sums', async () => {
    const { app, b1, b2, b3, s1, s2, tokenA, tokenB } = await fixture()
    const week = currentWeek()
    const last = shiftWeek(week, -1)
    const grid = await callOk<OrganisationGridResponse>(app, tokenA, 'GET', `/api/v1/organisation/grid?from=${last}&to=${week}`)
    expect(grid.weeks).toEqual([last, week])
    expect(grid.branches.map(b => b.name)).toEqual(['二支部', '一支部'].sort(new Intl.Collator('zh-CN').compare))
    const row = (id: string) => grid.branches.find(b => b.branchId === id)!
    expect(row(b1.branchId)).toMatchObject({ name: '一支部', studied: 2, possible: 3, rate: 66.7 })
    expect(row(b1.branchId).cells).toEqual([{ week: last, studied: 0, total: 0, rate: null }, { week, studied: 2, total: 3, rate: 66.7 }])
    expect(row(b2.branchId).cells).toEqual([{ week: last, studied: 0, total: 0, rate: null }, { week, studied: 1, total: 2, rate: 50 }])
    expect(grid.organisation).toEqual({ cells: [{ week: last, studied: 0, total: 0, rate: null }, { week, studied: 3, total: 5, rate: 60 }], studied: 3, possible: 5, rate: 60 })
    // Each branch's row is what its own secretary's grid totals say.
    for (const [branch, secretary] of [[b1, s1], [b2, s2]] as const) {
      const own = await callOk(app, secretary.token, 'GET', `/api/v1/branch/grid?from=${last}&to=${week}`)
      expect(row(branch.branchId).cells).toEqual(own.totals)
    }
    // Figures, no member rows: not one member's id or name is in the answer.
    const body = JSON.stringify(grid)
    for (const name of ['书记一', '甲一', '甲二', '书记二', '乙一'])
      expect(body).not.toContain(name)
    // Nobody is retired: 退休 counts nobody, 在职 everybody.
    const retired = await callOk<OrganisationGridResponse>(app, tokenA, 'GET', `/api/v1/organisation/grid?from=${week}&to=${week}&group=retired`)
    expect(retired.organisation).toEqual({ cells: [{ week, studied: 0, total: 0, rate: null }], studied: 0, possible: 0, rate: null })
    const active = await callOk<OrganisationGridResponse>(app, tokenA, 'GET', `/api/v1/organisation/grid?to=${week}&group=active`)
    expect(active.weeks).toHaveLength(12)
    expect(active.organisation.cells.at(-1)).toEqual({ week, studied: 3, total: 5, rate: 60 })
    // Refusals are 400 with the field named.
    for (const query of ['group=x', 'from=2026-W60', `from=${week}&to=${last}`, 'from=2024-W01&to=2026-W10'])
      expectError(await call(app, tokenA, 'GET', `/api/v1/organisation/grid?${query}`), 400, 'validation_failed')
    // 组织乙 sees 三支部 alone.
    const other = await callOk<OrganisationGridResponse>(app, tokenB, 'GET', `/api/v1/organisation/grid?from=${week}&to=${week}`)
    expect(other.branches.map(b => b.branchId)).toEqual([b3.branchId])
    expect(other.organisation).toMatchObject({ studied: 1, possible: 2 })
  })

  it('the problem register across branches names each problem\'s branch, filters, and is read only', async () => {
    const { app, b1, b2, b3, s1, p1, p2, p3, tokenA, tokenB } = await fixture()
    const all = await callOk<OrganisationProblemsResponse>(app, tokenA, 'GET', '/api/v1/organisation/problems')
    expect(all.counts).toEqual({ open: 1, in_progress: 0, solved: 1, total: 2 })
    expect(all.communities).toEqual(['东城社区', '西城社区'].sort(new Intl.Collator('zh-CN').compare))
    expect(all.problems.map(p => [p.id, p.branchName]).sort()).toEqual([[p1, '一支部'], [p2, '二支部']].sort())
    expect(Object.fromEntries(all.branches.map(b => [b.name, b.counts]))).toEqual({ 一支部: { open: 0, in_progress: 0, solved: 1, total: 1 }, 二支部: { open: 1, in_progress: 0, solved: 0, total: 1 } })
    // Each problem is the branch register's own row, with its branch beside it.
    const own = await callOk(app, s1.token, 'GET', '/api/v1/branch/problems')
    expect(all.problems.find(p => p.id === p1)).toEqual({ ...own.problems[0], branchId: b1.branchId, branchName: '一支部' })
    expect(all.problems.find(p => p.id === p1)).toMatchObject({ status: 'solved', ownerName: '书记一', resolution: '已修好', reporterName: '甲一' })

    const ids = async (query: string) => (await callOk<OrganisationProblemsResponse>(app, tokenA, 'GET', `/api/v1/organisation/problems?${query}`)).problems.map(p => p.id)
    expect(await ids('status=solved')).toEqual([p1])
    expect(await ids('status=open')).toEqual([p2])
    expect(await ids('category=other')).toEqual([p2])
    expect(await ids(`community=${encodeURIComponent('西城社区')}`)).toEqual([p1])
    expect(await ids(`branchId=${b2.branchId}`)).toEqual([p2])
    expect(await ids(`branchId=${b1.branchId}&status=open`)).toEqual([])
    expect(await ids(`community=${encodeURIComponent('南城社区')}`)).toEqual([])
    for (const query of ['status=done', 'category=x', 'branchId=not-a-uuid'])
      expectError(await call(app, tokenA, 'GET', `/api/v1/organisation/problems?${query}`), 400, 'validation_failed')
    // Another organisation's branch is no branch here: 404 either way.
    expectError(await call(app, tokenA, 'GET', `/api/v1/organisation/problems?branchId=${b3.branchId}`), 404, 'not_found')
    expectError(await call(app, tokenB, 'GET', `/api/v1/organisation/problems?branchId=${b1.branchId}`), 404, 'not_found')
    expect((await callOk<OrganisationProblemsResponse>(app, tokenB, 'GET', '/api/v1/organisation/problems')).problems.map(p => p.id)).toEqual([p3])
    // Read only: the organisation token sets no status (the branch route refuses it as no member's).
    expect((await call(app, tokenA, 'PATCH', `/api/v1/branch/problems/${p2}`, { status: 'solved' })).statusCode).toBe(401)
    expect((await call(app, tokenA, 'PATCH', `/api/v1/organisation/problems/${p2}`, { status: 'solved' })).statusCode).toBe(404)
    const stored = await ctx.storage.db.selectFrom('problems').select('status').where('id', '=', p2).executeTakeFirstOrThrow()
    expect(stored.status).toBe('open')
  })

  it('a secretary of another organisation gets 403 or 404 for everything of this one, and members and branch secretaries 403', async () => {
    const { app, orgA, b1, b2, s1, a1, s3, tokenA, tokenB } = await fixture()
    // Every read of 组织乙's secretary shows 组织乙 alone: none of 组织甲's branches, members or codes.
    const reads = ['/api/v1/organisation', '/api/v1/organisation/completion', '/api/v1/organisation/summary', '/api/v1/organisation/grid', '/api/v1/organisation/problems', '/api/v1/organisation/invite-code']
    for (const url of reads) {
      const body = (await call(app, tokenB, 'GET', url)).body
      for (const secret of [b1.branchId, b2.branchId, '一支部', '二支部', '甲一', '书记一', orgA.organisationId, orgA.inviteCode])
        expect(body, `${url} ${secret}`).not.toContain(secret)
    }
    for (const id of [b1.branchId, b2.branchId]) {
      expectError(await call(app, tokenB, 'GET', `/api/v1/organisation/branches/${id}/summary`), 404, 'not_found')
      expectError(await call(app, tokenB, 'GET', `/api/v1/organisation/branches/${id}/summary/records?figure=study.checkins`), 404, 'not_found')
      expectError(await call(app, tokenB, 'GET', `/api/v1/organisation/problems?branchId=${id}`), 404, 'not_found')
    }
    // Rotating its own code leaves 组织甲's as it was.
    await callOk(app, tokenB, 'POST', '/api/v1/organisation/invite-code')
    expect((await callOk(app, tokenA, 'GET', '/api/v1/organisation/invite-code')).inviteCode).toBe(orgA.inviteCode)
    // Members and branch secretaries: 403 on every organisation route; no token or a wrong one: 401.
    const every: ['GET' | 'POST', string][] = [...reads.map(url => ['GET', url] as ['GET', string]), ['GET', `/api/v1/organisation/branches/${b1.branchId}/summary`], ['GET', `/api/v1/organisation/branches/${b1.branchId}/summary/records?figure=study.checkins`], ['POST', '/api/v1/organisation/invite-code']]
    for (const [method, url] of every) {
      for (const member of [s1, a1, s3])
        expectError(await call(app, member.token, method, url), 403, 'forbidden')
      expectError(await call(app, null, method, url), 401, 'unauthorized')
      expectError(await call(app, 'wrong-token', method, url), 401, 'unauthorized')
    }
    // A branch invite code is no organisation invite, nor the other way round.
    expectError(await orgJoin(app, b1.secretaryInviteCode, '冒充者'), 403, 'invalid_invite')
    expectError(await app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: orgA.inviteCode, name: '冒充者' }, remoteAddress: freshIp() }), 403, 'invalid_invite')
  })

  it('the organisation invite code: printed by the admin command, joins as many secretaries as type it, rotated by a secretary', async () => {
    const app = served.app
    const created = await admin(['create-organisation', '区委组织部机关党委', '机关党委'], ctx.env)
    expect(created.status, created.stderr).toBe(0)
    const org = JSON.parse(created.stdout.trim()) as { organisationId: string, inviteCode: string }
    expect(org.inviteCode).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
    const shown = await admin(['organisation-invite-code', org.organisationId], ctx.env)
    expect(JSON.parse(shown.stdout.trim())).toEqual({ organisationId: org.organisationId, inviteCode: org.inviteCode })

    // Typed as people type it: lower case, with a dash and spaces.
    const typed = `${org.inviteCode.slice(0, 4).toLowerCase()}- ${org.inviteCode.slice(4)}`
    const first = await orgJoinOk(app, typed, ' 张书记 ')
    expect(first.secretary).toMatchObject({ organisationId: org.organisationId, name: '张书记' })
    expect((await callOk(app, first.token, 'GET', '/api/v1/organisation')).secretary).toEqual({ id: first.secretary.id, name: '张书记' })
    expect(await callOk(app, first.token, 'GET', '/api/v1/organisation/invite-code')).toEqual({ inviteCode: org.inviteCode })

    // Eight phones joining with the code at once: eight secretaries, each its own token.
    const joined = await Promise.all(Array.from({ length: 8 }, (_, i) => orgJoin(app, org.inviteCode, `同时加入${i}`)))
    expect(joined.map(r => r.statusCode)).toEqual(Array.from({ length: 8 }, () => 201))
    const signIns = joined.map(r => r.json<OrganisationSignInResponse>())
    expect(new Set(signIns.map(s => s.secretary.id)).size).toBe(8)
    expect(new Set(signIns.map(s => s.token)).size).toBe(8)
    for (const signIn of signIns)
      expect((await callOk(app, signIn.token, 'GET', '/api/v1/organisation')).organisation.id).toBe(org.organisationId)
    const rows = await ctx.storage.db.selectFrom('organisation_secretaries').select('id').where('organisation_id', '=', org.organisationId).execute()
    expect(rows).toHaveLength(9)

    // A secretary rotates it: the old code stops working at once, the new one works.
    const rotated = (await callOk(app, first.token, 'POST', '/api/v1/organisation/invite-code')).inviteCode as string
    expect(rotated).not.toBe(org.inviteCode)
    expectError(await orgJoin(app, org.inviteCode, '来晚了'), 403, 'invalid_invite')
    await orgJoinOk(app, rotated, '新来的')
    // The admin command sees the new one, and --new rotates it again.
    expect(JSON.parse((await admin(['organisation-invite-code', org.organisationId], ctx.env)).stdout.trim()).inviteCode).toBe(rotated)
    const again = JSON.parse((await admin(['organisation-invite-code', org.organisationId, '--new'], ctx.env)).stdout.trim()).inviteCode as string
    expectError(await orgJoin(app, rotated, '又来晚了'), 403, 'invalid_invite')
    // Rotations at once: each answers a code, and exactly the one stored opens the organisation.
    const rotations = await Promise.all(Array.from({ length: 5 }, () => callOk(app, first.token, 'POST', '/api/v1/organisation/invite-code')))
    const codes = rotations.map(r => r.inviteCode as string)
    const stored = await ctx.storage.organisations.inviteCode(org.organisationId)
    expect([...codes, again]).toContain(stored)
    for (const code of new Set([...codes, again])) {
      const res = await orgJoin(app, code, '试码')
      expect(res.statusCode, code).toBe(code === stored ? 201 : 403)
    }

    // Refusals: 400 with the field, an unknown organisation exits 1, bad arguments 2.
    expectError(await orgJoin(app, '', '某人'), 400, 'validation_failed')
    expectError(await orgJoin(app, stored!, ''), 400, 'validation_failed')
    expectError(await orgJoin(app, stored!, '名'.repeat(41)), 400, 'validation_failed')
    expectError(await app.inject({ method: 'POST', url: '/api/v1/organisation/join', payload: 'not json', headers: { 'content-type': 'application/json' }, remoteAddress: freshIp() }), 400, 'validation_failed')
    const unknown = await admin(['organisation-invite-code', '00000000-0000-4000-8000-000000000000'], ctx.env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no organisation/)
    for (const args of [['organisation-invite-code', 'x'], ['organisation-invite-code', org.organisationId, '--old']]) {
      const bad = await admin(args, ctx.env)
      expect(bad.status, args.join(' ')).toBe(2)
      expect(bad.stderr).toMatch(/usage: npm run admin/)
    }
  })

  it('the records behind a branch\'s figure are the ones its secretary reads, one figure at a time', async () => {
    const { app, b1, b3, s1, tokenA } = await fixture()
    const month = today().slice(0, 7)
    const url = (branchId: string, query: string) => `/api/v1/organisation/branches/${branchId}/summary/records?${query}`
    const own = await callOk(app, s1.token, 'GET', `/api/v1/branch/summary/records?month=${month}&figure=study.checkins`)
    const read = await callOk(app, tokenA, 'GET', url(b1.branchId, `month=${month}&figure=study.checkins`))
    expect(read).toEqual(own)
    // 一支部's check-ins this month: 甲一 and 甲二, one each.
    expect(read.records.map((r: { memberName: string }) => r.memberName).sort()).toEqual(['甲一', '甲二'].sort())
    expectError(await call(app, tokenA, 'GET', url(b1.branchId, 'figure=nope')), 400, 'validation_failed')
    expectError(await call(app, tokenA, 'GET', url(b1.branchId, 'month=2026-13&figure=study.checkins')), 400, 'validation_failed')
    expectError(await call(app, tokenA, 'GET', url(b3.branchId, 'figure=study.checkins')), 404, 'not_found')
    expectError(await call(app, tokenA, 'GET', url('not-a-uuid', 'figure=study.checkins')), 404, 'not_found')
  })

  it('concurrent claims of one admin sign-in code: exactly one phone wins', async () => {
    const app = served.app
    const org = await ctx.storage.organisations.create('组织丙', 'general_branch')
    const added = (await ctx.storage.organisationSecretaries.add(org.organisationId, '管理员丙'))!
    const claims = await Promise.all(Array.from({ length: 8 }, () => app.inject({ method: 'POST', url: '/api/v1/organisation/claim', payload: { code: added.code }, remoteAddress: freshIp() })))
    expect(claims.filter(r => r.statusCode === 201)).toHaveLength(1)
    for (const lost of claims.filter(r => r.statusCode !== 201))
      expectError(lost, 403, 'invalid_invite')
    const tokens = await ctx.storage.db.selectFrom('organisation_tokens').select('token_hash').where('secretary_id', '=', added.secretaryId).execute()
    expect(tokens).toHaveLength(1)
  })

  it('the first-run setup can make an organisation with the first branch, its maker the first organisation secretary', async () => {
    const app = served.app
    const setup = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/setup', payload, remoteAddress: freshIp() })
    await ctx.storage.setupCodes.add('setup-with-org')
    // Refused before the code is spent: a kind that is none, a name too long, a name of the wrong type.
    for (const bad of [{ organisationName: '市直机关党委', organisationKind: '支部' }, { organisationName: '市直机关党委' }, { organisationName: '名'.repeat(101), organisationKind: '党委' }, { organisationName: 7, organisationKind: '党委' }]) {
      const res = await setup({ code: 'setup-with-org', branchName: '第一支部', name: '王书记', ...bad })
      expectError(res, 400, 'validation_failed')
      expect(res.json<{ error: { details: { path: string }[] } }>().error.details.map(d => d.path)[0]).toMatch(/^organisation(Name|Kind)$/)
    }
    const res = await setup({ code: 'setup-with-org', branchName: '第一支部', name: '王书记', organisationName: ' 市直机关党委 ', organisationKind: '机关党委' })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json<SetupResponse>()
    expect(body.organisation).toMatchObject({ name: '市直机关党委', kind: 'organ_committee' })
    expect(body.organisation!.inviteCode).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
    const overview = await callOk(app, body.organisationSignIn!.token, 'GET', '/api/v1/organisation')
    expect(overview).toEqual({ organisation: { id: body.organisation!.id, name: '市直机关党委', kind: 'organ_committee' }, secretary: { id: body.organisationSignIn!.secretary.id, name: '王书记' }, branches: [{ id: body.member.branchId, name: '第一支部' }] })
    // The member token is the branch secretary's as before; the two never stand in for each other.
    expect((await callOk(app, body.token, 'GET', '/api/v1/me')).member).toMatchObject({ role: 'secretary', branchName: '第一支部' })
    expect((await call(app, body.token, 'GET', '/api/v1/organisation')).statusCode).toBe(403)
    expect((await call(app, body.organisationSignIn!.token, 'GET', '/api/v1/me')).statusCode).toBe(401)
    await orgJoinOk(app, body.organisation!.inviteCode, '李副书记')

    // Without the organisation fields (or blank), setup is as before: no organisation.
    await ctx.storage.setupCodes.add('setup-plain')
    const plain = await setup({ code: 'setup-plain', branchName: '第二支部', name: '赵书记', organisationName: ' ' })
    expect(plain.statusCode, plain.body).toBe(201)
    expect(plain.json<SetupResponse>().organisation).toBeUndefined()
    expect(plain.json<SetupResponse>().organisationSignIn).toBeUndefined()
    const branch = await ctx.storage.db.selectFrom('branches').select('organisation_id').where('id', '=', plain.json<SetupResponse>().member.branchId).executeTakeFirstOrThrow()
    expect(branch.organisation_id).toBeNull()
  })

  it('migration 0017 keeps every organisation and gives each an invite code of its own', async () => {
    const older = await databaseMigratedTo(backend, '0016_organisation_secretaries')
    try {
      for (const id of ['o1', 'o2'])
        await older.db.insertInto('organisations').values({ id, name: `党委${id}`, kind: 'party_committee', created_at: 1 }).execute()
      await older.db.insertInto('branches').values({ id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M1', secretary_invite_code: 'S1', created_at: 1, organisation_id: 'o1' }).execute()
      await older.db.destroy()
      const storage = await older.open()
      try {
        const rows = await storage.db.selectFrom('organisations').select(['id', 'name', 'invite_code']).orderBy('id').execute()
        expect(rows.map(r => [r.id, r.name])).toEqual([['o1', '党委o1'], ['o2', '党委o2']])
        expect(rows.every(r => /^[A-HJ-NP-Z2-9]{8}$/.test(r.invite_code ?? ''))).toBe(true)
        expect(rows[0]!.invite_code).not.toBe(rows[1]!.invite_code)
        expect(await storage.db.selectFrom('branches').select(['id', 'organisation_id']).execute()).toEqual([{ id: 'b1', organisation_id: 'o1' }])
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await older.dispose()
    }
  })
})
