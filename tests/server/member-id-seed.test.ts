import type { FastifyInstance } from 'fastify'
import type { JoinResponse, MeResponse, SetupResponse, SyncChangeIn } from '../../src/domain/wire'
import { expect, it } from 'vitest'
import { homeStudyCheckinId, readingProgressId } from '../../src/domain/homeStudy'
import { weekKey } from '../../src/domain/week'
import { buildApp } from '../../src/server/app'
import { checkin, freshIp, pullAll, syncOk, today, useApp, uuid } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { callOk, problemChange, push } from './support/branch'

/**
 * Derived ids (reading progress, home-study check-ins) are made with the member's secret id seed,
 * which only the member's own devices get: another member of the branch sees the memberId (on
 * every problem) but cannot compute the ids, so cannot push them first and own them.
 */

async function join(app: FastifyInstance, inviteCode: string, name: string): Promise<JoinResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode, name }, remoteAddress: freshIp() })
  expect(res.statusCode, res.body).toBe(201)
  return res.json<JoinResponse>()
}

async function me(app: FastifyInstance, token: string): Promise<MeResponse> {
  return callOk<MeResponse>(app, token, 'GET', '/api/v1/me')
}

function progressChange(id: string, materialId: string, updatedAt: number, secondsSpent: number): SyncChangeIn {
  return { table: 'readingProgress', id, updatedAt, data: { materialId, position: 1, percent: 40, secondsSpent, finishedAt: null } }
}

function homeStudyChange(id: string, materialId: string, updatedAt: number, topic: string): SyncChangeIn {
  return { table: 'studyCheckins', id, updatedAt, data: checkin({ form: 'home_study', topic, minutes: 5, materialId }) }
}

const SEED_RE = /^[0-9a-f]{32,}$/

describeEachBackend('member id seeds', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  it('a member who learns another\'s memberId from a problem cannot block the other\'s derived rows', async () => {
    const branch = await ctx.storage.createBranch(`种子支部-${uuid().slice(0, 6)}`)
    const secretary = await join(app(), branch.secretaryInviteCode, '王书记')
    const victim = await join(app(), branch.memberInviteCode, '张三')
    const attacker = await join(app(), branch.memberInviteCode, '李四')
    const materialId = uuid()
    await push(app(), secretary.token, [{ table: 'materials', id: materialId, updatedAt: 1, data: { title: '第一篇', category: 'classic', body: '正文', studyBy: null, publishedAt: 1 } }])

    // The victim reports a problem; every member of the branch pulls it, memberId included.
    await push(app(), victim.token, [problemChange(uuid(), 1)])
    const pulled = await pullAll(app(), attacker.token)
    const problem = pulled.changes.find(c => c.table === 'problems')!
    const victimId = (problem.data as { memberId: string }).memberId
    expect(victimId).toBe(victim.member.id)

    // The attacker pushes every id it can compute for the victim: the legacy ones, and ones with
    // guessed seeds (empty, the memberId, zeros, and its own seed).
    const week = weekKey(today())
    const guesses = [null, '', victimId, '0'.repeat(32), attacker.member.idSeed]
    const squatted = guesses.flatMap((seed, i) => [
      progressChange(readingProgressId(seed, victimId, materialId), materialId, 10 + i, 1),
      homeStudyChange(homeStudyCheckinId(seed, victimId, materialId, week), materialId, 10 + i, '抢占'),
    ])
    const squat = await syncOk(app(), attacker.token, { clientId: 'attacker', changes: squatted })
    expect(squat.results.map(r => r.status)).toEqual(squatted.map(() => 'applied'))

    // What the victim's phone made before seeds (the legacy ids) is now blocked: the attack works on those.
    const legacy = await syncOk(app(), victim.token, { clientId: 'victim-old', changes: [progressChange(readingProgressId(null, victimId, materialId), materialId, 100, 60)] })
    expect(legacy.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } })

    // The victim's ids, made with its own seed (the one its devices get), are applied.
    const seed = (await me(app(), victim.token)).member.idSeed
    expect(seed).toBe(victim.member.idSeed)
    expect(seed).toMatch(SEED_RE)
    const progressId = readingProgressId(seed, victimId, materialId)
    const checkinId = homeStudyCheckinId(seed, victimId, materialId, week)
    const own = await syncOk(app(), victim.token, { clientId: 'victim-phone', changes: [progressChange(progressId, materialId, 200, 120), homeStudyChange(checkinId, materialId, 200, '第一篇')] })
    expect(own.results).toEqual([
      { table: 'readingProgress', id: progressId, status: 'applied' },
      { table: 'studyCheckins', id: checkinId, status: 'applied' },
    ])

    const progress = await ctx.storage.db.selectFrom('reading_progress').selectAll().where('id', '=', progressId).executeTakeFirstOrThrow()
    expect(progress).toMatchObject({ member_id: victimId, seconds_spent: 120 })
    const stored = await ctx.storage.db.selectFrom('study_checkins').selectAll().where('id', '=', checkinId).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ member_id: victimId, form: 'home_study', topic: '第一篇', material_id: materialId, deleted: 0 })

    // The victim's other phone (same seed) derives the same ids: its push lands on the same rows.
    const tablet = await syncOk(app(), victim.token, { clientId: 'victim-tablet', changes: [homeStudyChange(homeStudyCheckinId(seed, victimId, materialId, week), materialId, 300, '第一篇')] })
    expect(tablet.results).toEqual([{ table: 'studyCheckins', id: checkinId, status: 'applied' }])
    const mine = (await pullAll(app(), victim.token)).changes.filter(c => c.table === 'studyCheckins' && !c.deleted)
    expect(mine.map(c => c.id)).toEqual([checkinId])
  })

  it('sends the seed only to the member\'s own devices: never in other members\' or the secretary\'s views', async () => {
    const branch = await ctx.storage.createBranch(`种子支部-${uuid().slice(0, 6)}`)
    const secretary = await join(app(), branch.secretaryInviteCode, '王书记')
    const member = await join(app(), branch.memberInviteCode, '张三')
    const other = await join(app(), branch.memberInviteCode, '李四')
    const seed = member.member.idSeed
    expect(seed).toMatch(SEED_RE)
    expect(new Set([secretary.member.idSeed, member.member.idSeed, other.member.idSeed]).size).toBe(3)
    expect((await me(app(), member.token)).member).toEqual(member.member)

    // The member leaves traces everywhere the others read: a problem, study, a proxy entry.
    await push(app(), member.token, [problemChange(uuid(), 1), { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin() }])
    await callOk(app(), secretary.token, 'POST', `/api/v1/branch/members/${member.member.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 2, data: checkin({ topic: '代录' }) }, 201)

    // Others' own GET /me carry their own seeds, never this member's.
    for (const who of [other, secretary]) {
      const own = await me(app(), who.token)
      expect(own.member.idSeed).toBe(who.member.idSeed)
      expect(JSON.stringify(own)).not.toContain(seed)
    }
    const month = today().slice(0, 7)
    const views = [
      JSON.stringify((await pullAll(app(), other.token)).changes),
      JSON.stringify((await pullAll(app(), secretary.token)).changes),
      ...await Promise.all([
        '/api/v1/branch',
        '/api/v1/branch/members',
        `/api/v1/branch/members/${member.member.id}/records`,
        '/api/v1/branch/completion',
        '/api/v1/branch/grid',
        '/api/v1/branch/problems',
        `/api/v1/branch/summary?month=${month}`,
        `/api/v1/branch/summary/records?month=${month}&figure=branchStudy.held`,
      ].map(async (url) => {
        const res = await app().inject({ method: 'GET', url, headers: { authorization: `Bearer ${secretary.token}` } })
        expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
        return res.body
      })),
      JSON.stringify(await callOk(app(), secretary.token, 'PATCH', `/api/v1/branch/members/${member.member.id}`, { retired: true })),
    ]
    for (const view of views) {
      expect(view).not.toContain(seed)
      expect(view).not.toMatch(/idSeed|id_seed/)
    }
  })

  it('gives the setup\'s secretary a seed too', async () => {
    const setupApp = await buildApp({ storage: ctx.storage, setupCode: 'seed-setup-code', rateLimits: { join: 10_000, sync: 100_000 } })
    try {
      const res = await setupApp.inject({ method: 'POST', url: '/api/v1/setup', payload: { code: 'seed-setup-code', branchName: '新支部', name: '赵书记' }, remoteAddress: freshIp() })
      expect(res.statusCode, res.body).toBe(201)
      const body = res.json<SetupResponse>()
      expect(body.member.idSeed).toMatch(SEED_RE)
      expect((await me(setupApp, body.token)).member.idSeed).toBe(body.member.idSeed)
    }
    finally {
      await setupApp.close()
    }
  })

  it('a database made before seeds gives every existing member a random seed of its own', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0007_query_indexes')
    try {
      await db.insertInto('branches').values({ id: 'b1', name: '老支部', time_zone: 'Asia/Shanghai', member_invite_code: 'm1', secretary_invite_code: 's1', created_at: 1 }).execute()
      for (const id of ['m1', 'm2', 'm3'])
        await db.insertInto('members').values({ id, branch_id: 'b1', name: `老党员${id}`, role: 'member', status: 'active', created_at: 1 }).execute()
      await db.destroy()

      const storage = await open()
      try {
        const rows = await storage.db.selectFrom('members').select(['id', 'id_seed']).orderBy('id').execute()
        expect(rows.map(row => row.id)).toEqual(['m1', 'm2', 'm3'])
        for (const row of rows)
          expect(row.id_seed).toMatch(SEED_RE)
        expect(new Set(rows.map(row => row.id_seed)).size).toBe(3)
        expect(await storage.members.idSeed('m2')).toBe(rows[1]!.id_seed)
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })

  it('a member row written without a seed gets one on its first GET /me, the same for concurrent calls', async () => {
    const branch = await ctx.storage.createBranch(`种子支部-${uuid().slice(0, 6)}`)
    const member = await join(app(), branch.memberInviteCode, '钱七')
    await ctx.storage.db.updateTable('members').set({ id_seed: null }).where('id', '=', member.member.id).execute()
    const answers = await Promise.all(Array.from({ length: 5 }, () => me(app(), member.token)))
    const seeds = new Set(answers.map(answer => answer.member.idSeed))
    expect(seeds.size).toBe(1)
    expect([...seeds][0]).toMatch(SEED_RE)
    expect([...seeds][0]).not.toBe(member.member.idSeed)
  })
})
