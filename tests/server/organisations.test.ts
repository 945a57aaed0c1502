import type { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import { expect, it } from 'vitest'
import { monthOf } from '../../src/domain/summary'
import { freshIp, joinAs, studyChange, sync, today, useApp } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { call, callOk, push, uuid } from './support/branch'
import { REPO_ROOT, TSX } from './support/process'
import { sessionChange } from './support/sessions'

/**
 * Organisations above the branches (issue #14), server side: migrations 0015 and 0016, the admin
 * commands that create one (党委, 党组, 机关党委, 党总支), attach branches to it and add its
 * secretary (组织管理员), and the organisation secretary's read endpoints.
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

describeEachBackend('organisations', (backend) => {
  const ctx = useStorage(backend)
  const served = useApp(() => ctx.storage)

  it('npm run admin creates an organisation and attaches branches to it, refusing bad input', async () => {
    const created = await admin(['create-organisation', '市民政局机关党委', '机关党委'], ctx.env)
    expect(created.status, created.stderr).toBe(0)
    const organisation = JSON.parse(created.stdout.trim()) as { organisationId: string, name: string, kind: string }
    expect(organisation).toMatchObject({ name: '市民政局机关党委', kind: 'organ_committee' })
    const first = await ctx.storage.createBranch('第一党支部')
    const second = await ctx.storage.createBranch('第二党支部')
    const alone = await ctx.storage.createBranch('不属于它的支部')
    expect((await admin(['attach-branch', organisation.organisationId, second.branchId], ctx.env)).status).toBe(0)
    const attached = await admin(['attach-branch', organisation.organisationId, first.branchId], ctx.env)
    expect(attached.status, attached.stderr).toBe(0)
    expect(JSON.parse(attached.stdout.trim())).toEqual({ organisationId: organisation.organisationId, branches: [{ id: first.branchId, name: '第一党支部' }, { id: second.branchId, name: '第二党支部' }].sort((a, b) => a.name.localeCompare(b.name)) })
    const rows = await ctx.storage.db.selectFrom('branches').select(['id', 'organisation_id']).where('id', 'in', [first.branchId, second.branchId, alone.branchId]).execute()
    expect(Object.fromEntries(rows.map(r => [r.id, r.organisation_id]))).toEqual({ [first.branchId]: organisation.organisationId, [second.branchId]: organisation.organisationId, [alone.branchId]: null })

    // The Chinese name or the code: 党组 is leading_group.
    const byCode = await admin(['create-organisation', '某某党组', 'leading_group'], ctx.env)
    expect(JSON.parse(byCode.stdout.trim())).toMatchObject({ kind: 'leading_group' })

    const unknown = await admin(['attach-branch', organisation.organisationId, '00000000-0000-4000-8000-000000000000'], ctx.env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no branch/)
    const badArgs = [['create-organisation', '名称'], ['create-organisation', '名称', '支部'], ['create-organisation', '', '党委'], ['attach-branch', 'x', first.branchId], ['attach-branch', organisation.organisationId]]
    const runs = await Promise.all(badArgs.map(args => admin(args, ctx.env)))
    runs.forEach((bad, i) => {
      expect(bad.status, badArgs[i]!.join(' ')).toBe(2)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toMatch(/usage: npm run admin/)
    })
  })

  it('migration 0015 keeps every branch, attached to none', async () => {
    const older = await databaseMigratedTo(backend, '0014_report_drafts')
    try {
      const branch = { id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M1', secretary_invite_code: 'S1', created_at: 1 }
      await older.db.insertInto('branches').values(branch).execute()
      await older.db.destroy()
      const storage = await older.open()
      try {
        const rows = await storage.db.selectFrom('branches').selectAll().execute()
        expect(rows.map(r => ({ ...r, created_at: Number(r.created_at) }))).toEqual([{ ...branch, organisation_id: null }])
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await older.dispose()
    }
  })

  /*
   * The fixture, all today (this month, this week):
   *   组织甲 (党委): 一支部 = 书记一 + 甲一 + 甲二; 二支部 = 书记二 + 乙一. 组织乙: 三支部 = 书记三 + 丙一.
   *   一支部: a 支部集中学习 today; 书记一 and 甲一 sign in to it; 甲二 checks in 自学.
   *   二支部: a 支部集中学习 today; 乙一 signs in; 书记二 does nothing.
   *   三支部: 丙一 checks in 自学 (it must show up nowhere in 组织甲).
   * Hand count for 组织甲 this month:
   *   branchStudy.held 1 + 1 = 2; attendance 2 + 1 = 3; members 2 + 1 = 3;
   *   branchStudy.rate 一支部 2/3 (66.7), 二支部 1/2 (50); the roll-up 3/5 = 60, not the average 58.3;
   *   study.checkins 3 + 1 = 4; study.members 3 + 1 = 4; members.total 3 + 2 = 5;
   *   members.withoutStudy 0 + 1 = 1 (书记二).
   *   This week: 一支部 3/3 missing nobody, 二支部 1/2 missing 书记二.
   */
  it('an organisation secretary sees its branches\' week and month, rolled up by sums, and nothing else', async () => {
    const app = served.app
    const month = monthOf(today())
    const orgA = await ctx.storage.organisations.create('组织甲', 'party_committee')
    const orgB = await ctx.storage.organisations.create('组织乙', 'general_branch')
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
    const session1 = uuid()
    const session2 = uuid()
    await push(app, s1.token, [sessionChange(session1, 1, { date: today() })])
    await push(app, s2.token, [sessionChange(session2, 1, { date: today() })])
    const signIn = (sessionId: string) => studyChange(uuid(), 1000, { form: 'branch_study', sessionId })
    await push(app, s1.token, [signIn(session1)])
    await push(app, a1.token, [signIn(session1)])
    await push(app, a2.token, [studyChange(uuid(), 1000, { form: 'self_study' })])
    await push(app, y1.token, [signIn(session2)])
    await push(app, c1.token, [studyChange(uuid(), 1000, { form: 'self_study' })])

    // The admin command makes 组织甲's secretary; its code signs in once.
    const added = await admin(['add-organisation-secretary', orgA.organisationId, '组织管理员甲'], ctx.env)
    expect(added.status, added.stderr).toBe(0)
    const secretaryA = JSON.parse(added.stdout.trim()) as { secretaryId: string, organisationId: string, name: string, code: string, expiresAt: number }
    expect(secretaryA).toMatchObject({ organisationId: orgA.organisationId, name: '组织管理员甲' })
    const claim = (code: string) => app.inject({ method: 'POST', url: '/api/v1/organisation/claim', payload: { code }, remoteAddress: freshIp() })
    const claimed = await claim(secretaryA.code)
    expect(claimed.statusCode, claimed.body).toBe(201)
    const tokenA = claimed.json<{ token: string }>().token
    const again = await claim(secretaryA.code)
    expect(again.statusCode).toBe(403)
    expect(again.json<{ error: { code: string } }>().error.code).toBe('invalid_invite')
    const addedB = (await ctx.storage.organisationSecretaries.add(orgB.organisationId, '组织管理员乙'))!
    const tokenB = (await claim(addedB.code)).json<{ token: string }>().token

    const overview = await callOk(app, tokenA, 'GET', '/api/v1/organisation')
    expect(overview.organisation).toEqual({ id: orgA.organisationId, name: '组织甲', kind: 'party_committee' })
    expect(overview.branches.map((b: { name: string }) => b.name).sort()).toEqual(['一支部', '二支部'].sort())

    const week = await callOk(app, tokenA, 'GET', '/api/v1/organisation/completion')
    const byBranch = Object.fromEntries(week.branches.map((b: { name: string }) => [b.name, b]))
    expect(Object.keys(byBranch).sort()).toEqual(['一支部', '二支部'].sort())
    expect(byBranch['一支部']).toMatchObject({ branchId: b1.branchId, total: 3, completed: 3, missing: [] })
    expect(byBranch['二支部']).toMatchObject({ branchId: b2.branchId, total: 2, completed: 1, missing: [{ id: s2.id, name: '书记二' }] })

    const summary = await callOk(app, tokenA, 'GET', `/api/v1/organisation/summary?month=${month}`)
    const value = (figures: { key: string, value: number | null }[], key: string) => figures.find(f => f.key === key)?.value
    const rolled = summary.organisation.figures
    expect(value(rolled, 'branchStudy.held')).toBe(2)
    expect(value(rolled, 'branchStudy.attendance')).toBe(3)
    expect(value(rolled, 'branchStudy.members')).toBe(3)
    expect(value(rolled, 'branchStudy.rate')).toBe(60)
    expect(rolled.find((f: { key: string }) => f.key === 'branchStudy.rate').detail).toBe('3/5')
    expect(value(rolled, 'study.checkins')).toBe(4)
    expect(value(rolled, 'study.members')).toBe(4)
    expect(value(rolled, 'members.total')).toBe(5)
    expect(value(rolled, 'members.withoutStudy')).toBe(1)
    expect(rolled.find((f: { key: string }) => f.key === 'members.withoutStudy').detail).toBe('二支部：书记二')
    // Each branch's column is exactly what its own secretary's summary says.
    for (const [branch, secretary] of [[b1, s1], [b2, s2]] as const) {
      const own = await callOk(app, secretary.token, 'GET', `/api/v1/branch/summary?month=${month}`)
      expect(summary.branches.find((b: { branchId: string }) => b.branchId === branch.branchId).summary).toEqual(own)
      expect(await callOk(app, tokenA, 'GET', `/api/v1/organisation/branches/${branch.branchId}/summary?month=${month}`)).toEqual(own)
    }
    // Every count of the roll-up is the sum of the branches' (rates excepted, recomputed above).
    for (const figure of rolled.filter((f: { unit: string }) => f.unit !== '%'))
      expect(figure.value, figure.key).toBe(summary.branches.reduce((n: number, b: { summary: { figures: { key: string, value: number }[] } }) => n + value(b.summary.figures, figure.key)!, 0))

    // 组织乙's secretary sees only 三支部; a branch of the other organisation is 404 either way.
    const otherWeek = await callOk(app, tokenB, 'GET', '/api/v1/organisation/completion')
    expect(otherWeek.branches.map((b: { name: string }) => b.name)).toEqual(['三支部'])
    const otherSummary = await callOk(app, tokenB, 'GET', `/api/v1/organisation/summary?month=${month}`)
    expect(value(otherSummary.organisation.figures, 'study.checkins')).toBe(1)
    expect(otherSummary.branches.map((b: { branchId: string }) => b.branchId)).toEqual([b3.branchId])
    expect((await call(app, tokenB, 'GET', `/api/v1/organisation/branches/${b1.branchId}/summary`)).statusCode).toBe(404)
    expect((await call(app, tokenA, 'GET', `/api/v1/organisation/branches/${b3.branchId}/summary`)).statusCode).toBe(404)
    expect((await call(app, tokenA, 'GET', '/api/v1/organisation/branches/not-a-uuid/summary')).statusCode).toBe(404)
    expect((await call(app, tokenA, 'GET', '/api/v1/organisation/summary?month=2026-13')).statusCode).toBe(400)

    // A branch secretary or member is 403 here; no token or a wrong one, 401.
    for (const url of ['/api/v1/organisation', '/api/v1/organisation/completion', `/api/v1/organisation/summary?month=${month}`, `/api/v1/organisation/branches/${b1.branchId}/summary`]) {
      for (const member of [s1, a1, s3])
        expect((await call(app, member.token, 'GET', url)).statusCode, url).toBe(403)
      expect((await call(app, null, 'GET', url)).statusCode, url).toBe(401)
      expect((await call(app, 'wrong-token', 'GET', url)).statusCode, url).toBe(401)
    }
    // The organisation secretary writes no branch data and reads no branch route: its token is no member's.
    expect((await sync(app, tokenA, { clientId: 'org', changes: [studyChange(uuid(), 1000)] })).statusCode).toBe(401)
    expect((await call(app, tokenA, 'GET', `/api/v1/branch/summary?month=${month}`)).statusCode).toBe(401)
    expect((await call(app, tokenA, 'POST', '/api/v1/branch/members', { name: '新党员' })).statusCode).toBe(401)
    // Nothing was written by it.
    expect(await ctx.storage.db.selectFrom('study_checkins').select('id').where('branch_id', 'in', [b1.branchId, b2.branchId]).execute()).toHaveLength(4)
  })

  it('add-organisation-secretary refuses an unknown organisation and bad arguments', async () => {
    const unknown = await admin(['add-organisation-secretary', '00000000-0000-4000-8000-000000000000', '某人'], ctx.env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no organisation/)
    for (const args of [['add-organisation-secretary', 'x', '某人'], ['add-organisation-secretary', '00000000-0000-4000-8000-000000000000', ' ']]) {
      const bad = await admin(args, ctx.env)
      expect(bad.status, args.join(' ')).toBe(2)
      expect(bad.stderr).toMatch(/usage: npm run admin/)
    }
  })

  it('member-transfer records a move between two of the organisation\'s branches, member-transfers lists them, refusals say why', async () => {
    const organisation = await ctx.storage.organisations.create('调动党委', 'party_committee')
    const from = await ctx.storage.createBranch('调出支部')
    const to = await ctx.storage.createBranch('调入支部')
    for (const b of [from, to])
      await ctx.storage.organisations.attach(organisation.organisationId, b.branchId)
    const app = served.app
    const secretary = await joinAs(app, from.secretaryInviteCode, '调出书记')
    const leaving = await joinAs(app, from.memberInviteCode, '调动党员')
    const arrived = await joinAs(app, to.memberInviteCode, '调动党员（新）')
    const stays = await joinAs(app, from.memberInviteCode, '留下的党员')
    const org = organisation.organisationId

    const notLeft = await admin(['member-transfer', org, leaving.id, arrived.id], ctx.env)
    expect(notLeft.status).toBe(1)
    expect(notLeft.stderr).toMatch(/has not left/)
    await callOk(app, secretary.token, 'PATCH', `/api/v1/branch/members/${leaving.id}/membership`, { joinedOn: '2025-09-01' })
    await callOk(app, secretary.token, 'PATCH', `/api/v1/branch/members/${leaving.id}/membership`, { leftOn: '2025-10-16', leftReason: 'transfer' })
    const same = await admin(['member-transfer', org, leaving.id, stays.id], ctx.env)
    expect(same.status).toBe(1)
    expect(same.stderr).toMatch(/same branch/)
    const elsewhere = await ctx.storage.organisations.create('别的党委', 'party_committee')
    const foreign = await admin(['member-transfer', elsewhere.organisationId, leaving.id, arrived.id], ctx.env)
    expect(foreign.status).toBe(1)
    expect(foreign.stderr).toMatch(/no such member/)

    const linked = await admin(['member-transfer', org, leaving.id, arrived.id], ctx.env)
    expect(linked.status, linked.stderr).toBe(0)
    const expected = { organisationId: org, transfers: [{ fromMemberId: leaving.id, fromName: '调动党员', fromBranchId: from.branchId, toMemberId: arrived.id, toName: '调动党员（新）', toBranchId: to.branchId, leftOn: '2025-10-16' }] }
    expect(JSON.parse(linked.stdout.trim())).toEqual(expected)
    const again = await admin(['member-transfer', org, leaving.id, arrived.id], ctx.env)
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/already in a recorded move/)
    const listed = await admin(['member-transfers', org], ctx.env)
    expect(listed.status, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout.trim())).toEqual(expected)
    // The organisation secretary's API sees the same move.
    expect((await ctx.storage.memberTransfers.list(org)).map(t => t.toMemberId)).toEqual([arrived.id])

    const unknown = await admin(['member-transfers', '00000000-0000-4000-8000-000000000000'], ctx.env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no organisation/)
    for (const args of [['member-transfer', org, leaving.id], ['member-transfer', 'x', leaving.id, arrived.id], ['member-transfer', org, 'y', arrived.id], ['member-transfers']]) {
      const bad = await admin(args, ctx.env)
      expect(bad.status, args.join(' ')).toBe(2)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toMatch(/usage: npm run admin/)
    }
  })

  it('migration 0016 keeps every organisation and branch', async () => {
    const older = await databaseMigratedTo(backend, '0015_organisations')
    try {
      await older.db.insertInto('organisations').values({ id: 'o1', name: '党委', kind: 'party_committee', created_at: 1 }).execute()
      await older.db.insertInto('branches').values({ id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M1', secretary_invite_code: 'S1', created_at: 1, organisation_id: 'o1' }).execute()
      await older.db.destroy()
      const storage = await older.open()
      try {
        expect((await storage.db.selectFrom('branches').select(['id', 'organisation_id']).execute())).toEqual([{ id: 'b1', organisation_id: 'o1' }])
        expect((await storage.db.selectFrom('organisations').select('id').execute())).toEqual([{ id: 'o1' }])
        expect(await storage.db.selectFrom('organisation_secretaries').selectAll().execute()).toEqual([])
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
