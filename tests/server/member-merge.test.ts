import type { BranchMember, GridResponse, MemberMergeResponse, SummaryRecordsResponse, SummaryResponse } from '../../src/domain/branch'
import type { CompletionResponse, MeResponse, SyncChangeIn, SyncResponse } from '../../src/domain/wire'
import type { Member } from './support/api'
import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { homeStudyCheckinId, readingProgressId } from '../../src/domain/homeStudy'
import { monthOf, shiftMonth } from '../../src/domain/summary'
import { addDays, currentWeek, weekKey } from '../../src/domain/week'
import { branchWith, completion, expectError, joinAs, pullAll, resolvable, studyChange, syncOk, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, callOk, problemChange, push, serviceChange } from './support/branch'
import { historyOf, joinedOn, leaves, statusFrom } from './support/history'

/**
 * 合并到… (issue #12): a duplicate merged into the real member counts as if it had never existed.
 *
 * Two branches get the same month M (last month) of records. In X, 王芳 (R, retired, in the branch
 * from the month before M) changed phones on M-10 and joined again as a second 王芳 (D, 在职 by
 * default) who then logged part of her records; 刘奶奶 (E) has had a phone since before M and the
 * secretary later added her again without one (F, retired, today). In Y the duplicates never
 * existed: R' logged everything, and F' is E' (joined before M, retired from today). Counted by hand, M in X:
 *   completion, week of M-03: S, A, R, E studied of S, A, B, R, E (D not yet in) → 4/5;
 *   week of M-10: A and D of S, A, B, R, E, D → 2/6 before the merge; A and R of 5 after (= Y).
 *   home study of material K in the week of M-17: R and D each (the same week's home study on two
 *   accounts) → 2 rows, 1 retired (D is 在职) before; after, R's alone (D's is a tombstone) plus D's
 *   self_study with K on M-18, which is R's now and R is retired then → homeStudy.retired 2 (= Y).
 *   studied in M: S, A, E, R, D → 5 members before, 4 after (B did not);
 *   service: R on M-05, D on M-12 → 2 members before, 1 after (= Y); notes: R and D one each → 2, then 1.
 *   members at M's end: 6 (S, A, B, R, D, E) before, 5 after; F (added today) is in neither month
 *   before the merge; after, F spans E's history: in M, 在职 (E's status), retired from today.
 */

describeEachBackend('member merge', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  const M = shiftMonth(monthOf(today()), -1)
  const before = `${shiftMonth(M, -1)}-01`
  const day = (d: number) => `${M}-${String(d).padStart(2, '0')}`
  const instant = (d: number) => Date.parse(`${day(d)}T10:00:00+08:00`)
  const K = uuid()

  /** One branch's month: `dup` is the account D's records are logged under (R itself in Y). */
  async function fill(names: { secretary: string }, twoAccounts: boolean) {
    const home = await branchWith(app(), ctx.storage, ['甲', '乙', '王芳', '刘奶奶'], names.secretary)
    const [A, B, R, E] = home.members as [Member, Member, Member, Member]
    const S = home.secretary
    await joinedOn(app(), S.token, [S, A, B, R, E].map(m => m.id), before)
    await statusFrom(app(), S.token, R.id, true, before)
    let D = R
    if (twoAccounts) {
      D = await joinAs(app(), home.memberInviteCode, '王芳')
      await joinedOn(app(), S.token, [D.id], day(10))
    }
    const rows = { homeR: '', homeD: '', progressR: '', progressD: '', selfD: uuid(), noteD: uuid(), serviceD: uuid(), problemD: uuid(), studyD: uuid() }
    const seedOf = async (m: Member) => (await callOk<MeResponse>(app(), m.token, 'GET', '/api/v1/me')).member.idSeed
    const seedR = await seedOf(R)
    const seedD = await seedOf(D)
    const study = (date: string, form: string, extra: Record<string, unknown> = {}, id = uuid()) => studyChange(id, 1000, { date, form: form as never, ...extra })
    await push(app(), S.token, [study(day(3), 'branch_study')])
    await push(app(), A.token, [study(day(3), 'branch_study'), study(day(10), 'branch_study')])
    await push(app(), E.token, [study(day(3), 'branch_study')])
    const homeR = homeStudyCheckinId(seedR, R.id, K, weekKey(day(17)))
    const homeD = homeStudyCheckinId(seedD, D.id, K, weekKey(day(17)))
    const progressR = readingProgressId(seedR, R.id, K)
    const progressD = readingProgressId(seedD, D.id, K)
    await push(app(), R.token, [
      study(day(3), 'branch_study'),
      study(day(17), 'home_study', { materialId: K, minutes: 20 }, homeR),
      serviceChange(uuid(), 1000, { date: day(5), hours: 1 }),
      { table: 'readingNotes', id: uuid(), updatedAt: instant(6), data: { title: '读原著', reflection: '心得' } },
      { table: 'readingProgress', id: progressR, updatedAt: instant(17), data: { materialId: K, position: 400, percent: 40, secondsSpent: 300, finishedAt: null } },
    ], 'phone-old')
    const duplicateRows: SyncChangeIn[] = [
      study(day(10), 'branch_study', {}, rows.studyD),
      serviceChange(rows.serviceD, 1000, { date: day(12), hours: 2 }),
      { table: 'readingNotes', id: rows.noteD, updatedAt: instant(13), data: { title: '学原文', reflection: '体会' } },
      problemChange(rows.problemD, 1000, { date: day(14), title: '路灯不亮' }),
      study(day(18), 'self_study', { materialId: K }, rows.selfD),
    ]
    if (twoAccounts) {
      duplicateRows.push(
        study(day(17), 'home_study', { materialId: K, minutes: 30 }, homeD),
        { table: 'readingProgress', id: progressD, updatedAt: instant(18), data: { materialId: K, position: 800, percent: 80, secondsSpent: 200, finishedAt: null } },
      )
    }
    else {
      // R' read on: the furthest position of both phones, both reading times.
      duplicateRows.push({ table: 'readingProgress', id: progressR, updatedAt: instant(18), data: { materialId: K, position: 800, percent: 80, secondsSpent: 500, finishedAt: null } })
    }
    await push(app(), D.token, duplicateRows, 'phone-new')
    Object.assign(rows, { homeR, homeD, progressR, progressD })
    // 刘奶奶: in X the secretary adds her again, retired, today (F); in Y she retires from today.
    let F = E
    if (twoAccounts)
      F = { ...E, id: (await callOk<BranchMember>(app(), S.token, 'POST', '/api/v1/branch/members', { name: '刘奶奶', retired: true }, 201)).id, token: '' }
    else
      await callOk(app(), S.token, 'PATCH', `/api/v1/branch/members/${E.id}`, { retired: true })
    return { S, A, B, R, D, E, F, home, rows }
  }

  let X: Awaited<ReturnType<typeof fill>>
  let Y: Awaited<ReturnType<typeof fill>>
  beforeAll(async () => {
    X = await fill({ secretary: '书记' }, true)
    Y = await fill({ secretary: '书记' }, false)
  })

  const summary = (token: string, month: string) => callOk<SummaryResponse>(app(), token, 'GET', `/api/v1/branch/summary?month=${month}`)
  const value = (s: SummaryResponse, key: string) => s.figures.find(f => f.key === key)
  const gridOf = async (token: string) => {
    const grid = await callOk<GridResponse>(app(), token, 'GET', `/api/v1/branch/grid?from=${weekKey(day(1))}&to=${currentWeek()}`)
    return { totals: grid.totals, members: grid.members.map(({ id: _id, ...rest }) => rest) }
  }
  const weekOf = async (token: string, week: string) => {
    const body = (await completion(app(), token, week)).json<CompletionResponse>()
    return { ...body, members: body.members.map(({ id: _id, ...rest }) => rest) }
  }
  const merge = (token: string, duplicate: string, into: string) => call(app(), token, 'POST', `/api/v1/branch/members/${duplicate}/merge`, { into })

  it('counts every month as if the duplicate never existed: summary, completion, grid and the rows behind a figure', async () => {
    const rows = X.rows
    const weeks = [weekKey(day(3)), weekKey(day(10)), weekKey(day(17)), currentWeek()]
    const beforeMerge = await summary(X.S.token, M)
    expect(value(beforeMerge, 'study.members')?.value).toBe(5)
    expect(await weekOf(X.S.token, weeks[1]!)).toMatchObject({ total: 6, completed: 2 })
    expect(value(beforeMerge, 'service.members')?.value).toBe(2)
    expect(value(beforeMerge, 'members.total')?.value).toBe(6)
    // The pull cursors of R's old phone and D's phone, before the merge.
    const cursorR = (await pullAll(app(), X.R.token)).cursor
    const cursorD = (await pullAll(app(), X.D.token)).cursor

    const merged = await merge(X.S.token, X.D.id, X.R.id)
    expect(merged.statusCode, merged.body).toBe(200)
    const body = merged.json<MemberMergeResponse>()
    expect(body.member).toMatchObject({ id: X.R.id, name: '王芳', role: 'member', retired: true, activeDevices: 2 })
    expect(body.moved).toMatchObject({ studyCheckins: 3, serviceLogs: 1, readingNotes: 1, readingProgress: 1, problems: 1, materials: 0 })
    expect(body.reconciled).toEqual({ homeStudy: 1, readingProgress: 1 })
    const mergedF = await merge(X.S.token, X.E.id, X.F.id)
    expect(mergedF.statusCode, mergedF.body).toBe(200)

    for (const month of [M, monthOf(today())]) {
      const [x, y] = [await summary(X.S.token, month), await summary(Y.S.token, month)]
      expect(x.figures, month).toEqual(y.figures)
      expect(x.sentences, month).toEqual(y.sentences)
    }
    const after = await summary(X.S.token, M)
    expect(value(after, 'study.members')?.value).toBe(4)
    expect(await weekOf(X.S.token, weeks[1]!)).toMatchObject({ total: 5, completed: 2 })
    expect(await weekOf(X.S.token, weeks[0]!)).toMatchObject({ total: 5, completed: 4 })
    expect(value(after, 'homeStudy.retired')?.value).toBe(2)
    expect(value(after, 'members.total')?.value).toBe(5)
    for (const week of weeks)
      expect(await weekOf(X.S.token, week), week).toEqual(await weekOf(Y.S.token, week))
    expect(await gridOf(X.S.token)).toEqual(await gridOf(Y.S.token))
    const namesBehind = async (token: string, figure: string) => (await callOk<SummaryRecordsResponse>(app(), token, 'GET', `/api/v1/branch/summary/records?month=${M}&figure=${figure}`)).records.map(r => r.memberName).sort()
    for (const figure of ['homeStudy.retired', 'service.members', 'notes.count', 'problems.collected'])
      expect(await namesBehind(X.S.token, figure), figure).toEqual(await namesBehind(Y.S.token, figure))

    // The merged member's history spans both: F from E's joining day, 在职 then, retired from today.
    expect((await historyOf(app(), X.S.token, X.F.id)).statuses.map(s => [s.retired, s.from])).toEqual([[false, before], [true, today()]])
    expect((await historyOf(app(), X.S.token, X.R.id)).joinedOn).toBe(before)
    // The duplicates are gone from every list.
    const list = await callOk<{ members: BranchMember[] }>(app(), X.S.token, 'GET', '/api/v1/branch/members')
    expect(list.members.map(m => m.name).sort()).toEqual(['书记', '乙', '刘奶奶', '王芳', '甲'].sort())
    expect((await call(app(), X.S.token, 'GET', `/api/v1/branch/members/${X.D.id}/history`)).statusCode).toBe(404)
    expect((await callOk<{ members: unknown[] }>(app(), X.S.token, 'GET', '/api/v1/branch/former-members')).members).toEqual([])

    // D's phone is 王芳 now: GET /me, and its next sync pulls R's records (and its own, now R's).
    expect((await callOk<MeResponse>(app(), X.D.token, 'GET', '/api/v1/me')).member.id).toBe(X.R.id)
    const phoneD = await syncOk(app(), X.D.token, { cursor: cursorD })
    expect(phoneD.memberId).toBe(X.R.id)
    const pulledD = await pullAll(app(), X.D.token, cursorD)
    const live = (changes: typeof pulledD.changes) => changes.filter(c => !c.deleted && c.table !== 'problems' && c.table !== 'materials' && c.table !== 'sessions')
    expect(live(pulledD.changes).every(c => c.data.memberId === X.R.id)).toBe(true)
    expect(live(pulledD.changes).map(c => c.id)).toEqual(expect.arrayContaining([rows.homeR, rows.progressR, rows.studyD, rows.noteD]))
    expect(pulledD.changes.find(c => c.id === rows.homeD)?.deleted).toBe(true)
    expect(pulledD.changes.find(c => c.id === rows.progressD)?.deleted).toBe(true)
    // R's old phone pulls D's rows, now R's, and the reconciled progress: the furthest position, both reading times.
    const pulledR = await pullAll(app(), X.R.token, cursorR)
    expect(live(pulledR.changes).map(c => c.id)).toEqual(expect.arrayContaining([rows.studyD, rows.noteD, rows.serviceD, rows.selfD]))
    expect(pulledR.changes.find(c => c.id === rows.progressR)?.data).toMatchObject({ percent: 80, position: 800, secondsSpent: 500 })
    expect(pulledR.changes.find(c => c.id === rows.problemD)?.data).toMatchObject({ reporterName: '王芳', memberId: X.R.id })
    // A pull from scratch holds each of R's rows once, none of D's.
    const fresh = await pullAll(app(), X.D.token)
    expect(live(fresh.changes).filter(c => c.table === 'readingProgress')).toHaveLength(1)
    expect(live(fresh.changes).filter(c => c.table === 'studyCheckins' && (c.data as { form: string }).form === 'home_study')).toHaveLength(1)
  })

  it('refuses a member, another branch, a self-merge, a left or merged member, in Chinese', async () => {
    const home = await branchWith(app(), ctx.storage, ['张三', '李四', '王五', '赵六'])
    const [a, b, c, d] = home.members as [Member, Member, Member, Member]
    const other = await branchWith(app(), ctx.storage, ['外支部'])
    expectError(await merge(a.token, b.id, c.id), 403, 'forbidden')
    expectError(await merge(other.secretary.token, b.id, c.id), 404, 'not_found')
    expectError(await merge(home.secretary.token, other.members[0]!.id, c.id), 404, 'not_found')
    const self = await merge(home.secretary.token, b.id, b.id)
    expectError(self, 400, 'validation_failed')
    expect(self.json().error.details[0].message).toBe('不能把一名党员合并到他自己：请选择另一名党员')
    await joinedOn(app(), home.secretary.token, [d.id], addDays(today(), -10))
    await leaves(app(), home.secretary.token, d.id, today(), 'transfer')
    const intoLeft = await merge(home.secretary.token, b.id, d.id)
    expectError(intoLeft, 400, 'validation_failed')
    expect(intoLeft.json().error.details[0].message).toContain('已转出/离开支部')
    expectError(await merge(home.secretary.token, b.id, other.members[0]!.id), 400, 'validation_failed')
    const bad = await call(app(), home.secretary.token, 'POST', `/api/v1/branch/members/${b.id}/merge`, { into: 'x' })
    expectError(bad, 400, 'validation_failed')
    expect(bad.json().error.details[0]).toMatchObject({ path: 'into', message: expect.stringContaining('into 必须是') })
    expect((await merge(home.secretary.token, b.id, c.id)).statusCode).toBe(200)
    // Merged once, b is no member any more: neither to merge again nor to merge into.
    expectError(await merge(home.secretary.token, b.id, c.id), 404, 'not_found')
    expect((await merge(home.secretary.token, a.id, b.id)).json().error.details[0].message).toBe('本支部没有要合并到的这名党员，请刷新成员列表')
    // A secretary's duplicate makes the merged member a secretary (its phone keeps its role).
    const secretaryTwin = await joinAs(app(), (await ctx.storage.branches.byId(home.branchId))!.secretary_invite_code, '张三')
    const promoted = await callOk<MemberMergeResponse>(app(), home.secretary.token, 'POST', `/api/v1/branch/members/${secretaryTwin.id}/merge`, { into: a.id })
    expect(promoted.member).toMatchObject({ id: a.id, role: 'secretary' })
  })

  describe('while the duplicate\'s phone pushes', () => {
    it('loses no push and writes none to the merged member', async () => {
      const home = await branchWith(app(), ctx.storage, ['孙七'])
      const real = home.members[0]!
      const twin = await joinAs(app(), home.memberInviteCode, '孙七')
      // Enough rows that the merge takes a while: pushes sent after it began are authenticated as
      // the twin and write while (or after) it holds the branch's lock.
      const existing = Array.from({ length: 1000 }, () => uuid())
      await push(app(), twin.token, existing.map(id => studyChange(id, 1000, { date: addDays(today(), -1) })), 'twin-phone')
      // Pushes of new rows and edits of existing ones, in flight on both sides of the merge.
      const pushes = Array.from({ length: 24 }, (_, i) => [
        ...Array.from({ length: 10 }, () => studyChange(uuid(), 2000 + i)),
        studyChange(existing[i % existing.length]!, 5000 + i, { topic: `改 ${i}` }),
      ])
      const send = (i: number) => syncOk(app(), twin.token, { clientId: `twin-${i}`, changes: pushes[i]! })
      let sent: Promise<SyncResponse>[]
      let merging: Promise<{ statusCode: number }>
      if (ctx.storage.dialect === 'postgres') {
        // Made certain on PostgreSQL: a transaction holds the branch's revision counter while the
        // merge queues for it first and then 6 pushes of the twin's phone (the pool has 10
        // connections), authenticated as the twin, queue behind it: they write after the merge committed.
        const held = resolvable()
        const isLocked = resolvable()
        const holder = ctx.storage.db.transaction().execute(async (trx) => {
          await sql`select value from counters where name = ${`rev:${home.branchId}`} for update`.execute(trx)
          isLocked.resolve()
          await held.promise
        })
        await isLocked.promise
        const waiting = async (n: number) => {
          for (;;) {
            const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(ctx.storage.db)
            if (rows[0]!.n >= n)
              return
            await new Promise(resolve => setTimeout(resolve, 5))
          }
        }
        merging = merge(home.secretary.token, twin.id, real.id)
        await waiting(1)
        sent = pushes.slice(0, 6).map((_, i) => send(i))
        await waiting(7)
        held.resolve()
        await holder
        sent.push(...pushes.slice(6).map((_, i) => send(6 + i)))
      }
      else {
        sent = pushes.slice(0, 8).map((_, i) => send(i))
        merging = merge(home.secretary.token, twin.id, real.id)
        sent.push(...pushes.slice(8).map((_, i) => send(8 + i)))
      }
      const answers = await Promise.all(sent)
      expect((await merging).statusCode).toBe(200)
      for (const answer of answers)
        expect(answer.results.filter(r => r.status !== 'applied')).toEqual([])
      const ids = pushes.flat().map(c => c.id)
      const stored = await ctx.storage.db.selectFrom('study_checkins').select(['id', 'member_id', 'topic']).where('id', 'in', ids).execute()
      expect(new Set(stored.map(r => r.id)).size).toBe(new Set(ids).size)
      expect(stored.filter(r => r.member_id !== real.id)).toEqual([])
      expect(await ctx.storage.db.selectFrom('study_checkins').select('id').where('member_id', '=', twin.id).execute()).toEqual([])
      // The edits landed: each existing row edited holds its last topic.
      const edited = stored.filter(r => existing.slice(0, 24).includes(r.id))
      expect(edited.every(r => r.topic?.startsWith('改'))).toBe(true)
      // The twin's phone, synced again, is the real member and holds every row once.
      const all = await pullAll(app(), twin.token)
      const mine = all.changes.filter(c => c.table === 'studyCheckins' && !c.deleted)
      expect(mine.every(c => c.data.memberId === real.id)).toBe(true)
      expect(new Set(mine.map(c => c.id)).size).toBe(new Set([...ids, ...existing]).size)
    })
  })
})
