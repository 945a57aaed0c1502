import type { SummaryRecordsResponse, SummaryResponse } from '../../src/domain/branch'
import type { BranchSessionDetailResponse, BranchSessionsResponse, LinkCheckinsResponse, MergeCheckinsResponse } from '../../src/domain/sessions'
import type { SyncResponse } from '../../src/domain/wire'
import type { Member } from './support/api'
import { beforeAll, expect, it } from 'vitest'
import { matchAttendance } from '../../src/domain/sessions'
import { branchWith, expectError, pullAll, studyChange, syncOk, useApp, uuid } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { call, callOk, push } from './support/branch'
import { joinedOn, leaves, statusFrom } from './support/history'
import { sessionChange } from './support/sessions'

/**
 * 组织生活 (issue #13): the branch's sessions, sign-ins by id or 签到码, and the figures counted from
 * them, against October 2026 counted by hand.
 *
 * Members: 书记 S, 甲 A, 乙 B, 丙 C, 退 R (retired), all in the branch from Sep 1; 离 L left on Oct 10.
 * Another branch: its 外书记 X and 外党员 Y, with its own session x1 on Oct 14 (code 555555).
 *
 * Sessions (expected on each first day: S, A, B, C, R = 5; 在职 4 without R):
 *   s1 branch_study Oct 14, code 111111
 *     A by code on Oct 14; B by sessionId, logged late on Oct 16; R 代签 by S (代录 with sessionId);
 *     L by code (left Oct 10: not expected, not counted); C with a wrong code 999999 (unlinked);
 *     A with the other branch's code 555555 (unlinked); Y (other branch) by s1's code and by its id
 *     (never counts)                                   → attended A, B, R = 3; absent S, C = 2; 在职 2/4
 *   s2 reading_class Oct 20–21 (two days: ONE session), code 222222
 *     A on Oct 20 and again Oct 21 (one attendee); B on Oct 21; C on Oct 23 (expired: unlinked)
 *                                                      → attended A, B = 2; absent S, C, R = 3; 在职 2/4
 *   s3 branch_study Oct 28, code 333333: A and B sign in, then S cancels it → not held; A and B unlinked
 *   s4 party_lecture Oct 30, code 444444, 请假 B (出差) and L (not expected); C by sessionId
 *                                                      → attended C = 1; leave B = 1; absent S, A, R = 3
 * October: branchStudy held 1, attendance 3, members 3, rate 3/5 = 60%, 在职 2/4 = 50%, leaves 0,
 * absent 2; readingClass.held 1; partyLecture.held 1; sessions held 3, attendance 3+2+1 = 6, rate
 * 6/15 = 40%, leaves 1, absent 2+3+3 = 8; weeks without branch study: W40 (Sep 28–Oct 4), W41, W43,
 * W44 (s3 cancelled) = 4, only W42 has s1; unlinked check-ins: C's wrong code, C's expired, A's other
 * branch's code, A's and B's on s3 = 5.
 */

const MONTH = '2026-10'

describeEachBackend('sessions (组织生活)', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  let S: Member, A: Member, B: Member, C: Member, R: Member, L: Member, X: Member, Y: Member
  const s = { s1: uuid(), s2: uuid(), s3: uuid(), s4: uuid(), x1: uuid() }
  const c = { wrongCode: uuid(), expired: uuid(), otherCode: uuid(), cancelledA: uuid(), cancelledB: uuid(), lateB: uuid(), proxyR: uuid(), leaverL: uuid() }

  beforeAll(async () => {
    const home = await branchWith(app(), ctx.storage, ['甲', '乙', '丙', '退', '离'], '书记')
    S = home.secretary
    ;[A, B, C, R, L] = home.members as [Member, Member, Member, Member, Member]
    await joinedOn(app(), S.token, [S, A, B, C, R, L].map(m => m.id), '2026-09-01')
    await statusFrom(app(), S.token, R.id, true, '2026-09-01')
    const away = await branchWith(app(), ctx.storage, ['外党员'], '外书记')
    X = away.secretary
    Y = away.members[0]!

    const signIn = (date: string, form: string, link: { sessionId?: string, sessionCode?: string }, id = uuid()) => studyChange(id, 1000, { date, form: form as never, topic: '签到', ...link })
    // Members' phones sign in first (in the meeting room, offline); the secretary's phone syncs the
    // sessions afterwards: nothing is resolved at write time.
    await push(app(), A.token, [
      signIn('2026-10-14', 'branch_study', { sessionCode: '111111' }),
      signIn('2026-10-14', 'branch_study', { sessionCode: '555555' }, c.otherCode),
      signIn('2026-10-20', 'reading_class', { sessionCode: '222222' }),
      signIn('2026-10-21', 'reading_class', { sessionCode: '222222' }),
      signIn('2026-10-28', 'branch_study', { sessionCode: '333333' }, c.cancelledA),
    ])
    await push(app(), B.token, [
      signIn('2026-10-16', 'branch_study', { sessionId: s.s1 }, c.lateB),
      signIn('2026-10-21', 'reading_class', { sessionCode: '222222' }),
      signIn('2026-10-28', 'branch_study', { sessionCode: '333333' }, c.cancelledB),
    ])
    await push(app(), C.token, [
      signIn('2026-10-14', 'branch_study', { sessionCode: '999999' }, c.wrongCode),
      signIn('2026-10-23', 'reading_class', { sessionCode: '222222' }, c.expired),
      signIn('2026-10-30', 'party_lecture', { sessionId: s.s4 }),
    ])
    await push(app(), L.token, [signIn('2026-10-14', 'branch_study', { sessionCode: '111111' }, c.leaverL)])
    await leaves(app(), S.token, L.id, '2026-10-10', 'transfer')
    await push(app(), Y.token, [signIn('2026-10-14', 'branch_study', { sessionCode: '111111' }), signIn('2026-10-14', 'branch_study', { sessionId: s.s1 })])
    await push(app(), X.token, [sessionChange(s.x1, 1, { date: '2026-10-14', code: '555555' })])

    await push(app(), S.token, [
      sessionChange(s.s1, 1, { date: '2026-10-14', code: '111111', topic: '学习党的二十大报告', place: '党员活动室', host: '书记', minutes: '会议记录：与会党员交流发言。' }),
      sessionChange(s.s2, 1, { date: '2026-10-20', endDate: '2026-10-21', form: 'reading_class', code: '222222', topic: '读书班' }),
      sessionChange(s.s3, 1, { date: '2026-10-28', code: '333333' }),
      sessionChange(s.s4, 1, { date: '2026-10-30', form: 'party_lecture', code: '444444', topic: '专题党课', leaves: [{ memberId: B.id, reason: '出差' }, { memberId: L.id, reason: '已转出' }] }),
    ])
    // 代签: R has no phone at the meeting; the secretary enters the sign-in for her.
    await callOk(app(), S.token, 'POST', `/api/v1/branch/members/${R.id}/records`, { ...studyChange(c.proxyR, 1, { date: '2026-10-14', form: 'branch_study', topic: '签到', sessionId: s.s1 }), table: 'studyCheckins' }, 201)
    // The session is cancelled after A and B signed in.
    await push(app(), S.token, [{ table: 'sessions', id: s.s3, updatedAt: 2, deleted: true }])
  })

  const summary = async (month = MONTH) => {
    const body = await callOk<SummaryResponse>(app(), S.token, 'GET', `/api/v1/branch/summary?month=${month}`)
    return { values: Object.fromEntries(body.figures.map(f => [f.key, f.value])), details: Object.fromEntries(body.figures.map(f => [f.key, f.detail])), sentences: body.sentences }
  }

  it('counts October\'s sessions, attendance, 请假 and 缺席 as counted by hand', async () => {
    const { values, details, sentences } = await summary()
    expect(values).toMatchObject({
      'branchStudy.held': 1,
      'branchStudy.attendance': 3,
      'branchStudy.members': 3,
      'branchStudy.rate': 60,
      'branchStudy.rateActive': 50,
      'branchStudy.leaves': 0,
      'branchStudy.absent': 2,
      'branchStudy.weeksWithout': 4,
      'readingClass.held': 1,
      'partyLecture.held': 1,
      'exchange.held': 0,
      'sessions.held': 3,
      'sessions.attendance': 6,
      'sessions.rate': 40,
      'sessions.leaves': 1,
      'sessions.absent': 8,
      'sessions.unlinkedCheckins': 5,
    })
    expect(details['branchStudy.rate']).toBe('3/5')
    expect(details['branchStudy.rateActive']).toBe('2/4')
    expect(details['branchStudy.weeksWithout']).toBe('2026-W40、2026-W41、2026-W43、2026-W44')
    expect(sentences[0]).toBe('本月共开展支部集中学习1次，参学党员3人次，参学率60%（在职党员参学率50%）。')
    expect(sentences).toContain('举办专题党课1次、读书班1期。')

    const unlinked = await callOk<SummaryRecordsResponse>(app(), S.token, 'GET', `/api/v1/branch/summary/records?month=${MONTH}&figure=sessions.unlinkedCheckins`)
    expect(unlinked.records.map(r => r.id).sort()).toEqual([c.wrongCode, c.expired, c.otherCode, c.cancelledA, c.cancelledB].sort())
    const held = await callOk<SummaryRecordsResponse>(app(), S.token, 'GET', `/api/v1/branch/summary/records?month=${MONTH}&figure=branchStudy.attendance`)
    expect(held.records.map(r => r.memberName).sort()).toEqual(['乙', '甲', '退'])
    expect(held.records.find(r => r.memberName === '退')).toMatchObject({ data: { enteredByName: '书记', sessionId: s.s1 } })
  })

  it('lists the month\'s sessions with 出席/应到 and each session\'s 出席 (代签 marked), 请假 and 缺席', async () => {
    const month = await callOk<BranchSessionsResponse>(app(), S.token, 'GET', `/api/v1/branch/sessions?month=${MONTH}`)
    expect(month.sessions.map(x => [x.id, x.attended, x.expected, x.onLeave, x.absent])).toEqual([
      [s.s1, 3, 5, 0, 2],
      [s.s2, 2, 5, 0, 3],
      [s.s4, 1, 5, 1, 3],
    ])
    expect(month.sessions[0]).toMatchObject({ form: 'branch_study', topic: '学习党的二十大报告', code: '111111', place: '党员活动室', minutes: '会议记录：与会党员交流发言。', authorName: '书记', week: '2026-W42', rate: 60, expectedActive: 4, attendedActive: 2, rateActive: 50 })
    expect(month.sessions[1]).toMatchObject({ endDate: '2026-10-21', week: '2026-W43' })

    const s1 = await callOk<BranchSessionDetailResponse>(app(), S.token, 'GET', `/api/v1/branch/sessions/${s.s1}`)
    expect(s1.attended.map(a => [a.name, a.date, a.enteredByName, a.retired])).toEqual([['退', '2026-10-14', '书记', true], ['乙', '2026-10-16', null, false], ['甲', '2026-10-14', null, false]].sort((x, y) => new Intl.Collator('zh-CN').compare(x[0] as string, y[0] as string)))
    expect(s1.absent.map(a => a.name).sort()).toEqual(['丙', '书记'].sort())
    expect(s1.leaves).toEqual([])
    const s4 = await callOk<BranchSessionDetailResponse>(app(), S.token, 'GET', `/api/v1/branch/sessions/${s.s4}`)
    expect(s4.leaves).toEqual([{ memberId: B.id, name: '乙', reason: '出差' }])
    expect(s4.attended.map(a => a.name)).toEqual(['丙'])
    expect(s4.absent.map(a => a.name).sort()).toEqual(['书记', '甲', '退'].sort())
    // A cancelled session has no page.
    expectError(await call(app(), S.token, 'GET', `/api/v1/branch/sessions/${s.s3}`), 404, 'not_found')
    expectError(await call(app(), S.token, 'GET', '/api/v1/branch/sessions/not-a-uuid'), 404, 'not_found')
    const bad = expectError(await call(app(), S.token, 'GET', '/api/v1/branch/sessions?month=2026-13'), 400, 'validation_failed')
    expect(bad.details).toEqual([{ path: 'month', message: 'month 必须是存在的月份，如 2026-11' }])
  })

  it('the app\'s matchAttendance says why a check-in attends nothing, as the phone will tell the member', async () => {
    // What A's and C's phones hold after a pull: the branch's sessions (the tombstone too) and their own check-ins.
    const sessionsOf = async (m: Member) => (await pullAll(app(), m.token)).changes.filter(x => x.table === 'sessions').map(x => ({ id: x.id, deleted: x.deleted, ...(x.data as any) }))
    const checkinsOf = async (m: Member) => (await pullAll(app(), m.token)).changes.filter(x => x.table === 'studyCheckins').map(x => ({ id: x.id, deleted: x.deleted, ...(x.data as any) }))
    const sessions = await sessionsOf(C)
    expect(sessions.map(x => x.id).sort()).toEqual([s.s1, s.s2, s.s3, s.s4].sort())
    const verdicts = matchAttendance(sessions, [...await checkinsOf(C), ...await checkinsOf(A)]).verdicts
    expect(verdicts.get(c.wrongCode)).toEqual({ kind: 'unknownCode' })
    expect(verdicts.get(c.expired)).toEqual({ kind: 'expired', sessionId: s.s2 })
    // A tombstone keeps no content, so a sign-in by the code of a cancelled session is one by an
    // unknown code; one naming the session by id is told it was cancelled.
    expect(verdicts.get(c.cancelledA)).toEqual({ kind: 'unknownCode' })
    expect(matchAttendance(sessions, [{ id: 'x', memberId: A.id, date: '2026-10-28', form: 'branch_study', sessionId: s.s3 }]).verdicts.get('x')).toEqual({ kind: 'cancelled', sessionId: s.s3 })
    // The phone never has another branch's sessions: 555555 is simply unknown here (the server says no more).
    expect(verdicts.get(c.otherCode)).toEqual({ kind: 'unknownCode' })
    // A caller that knows the other branch's session (with branches) can tell 不是本支部的活动.
    expect(matchAttendance([{ id: s.x1, branchId: X.branchId, form: 'branch_study', date: '2026-10-14', code: '555555' }], [{ id: c.otherCode, memberId: A.id, branchId: A.branchId, date: '2026-10-14', form: 'branch_study', sessionCode: '555555' }]).verdicts.get(c.otherCode)).toEqual({ kind: 'otherBranch' })
  })

  it('keeps another branch out: its session id or code never counts, its sessions are not readable or writable, its secretary cannot link ours', async () => {
    // X's branch: Y's sign-ins with s1's code and id count nowhere, and x1 has no attendee.
    const away = await callOk<BranchSessionsResponse>(app(), X.token, 'GET', `/api/v1/branch/sessions?month=${MONTH}`)
    expect(away.sessions.map(x => [x.id, x.attended])).toEqual([[s.x1, 0]])
    expectError(await call(app(), X.token, 'GET', `/api/v1/branch/sessions/${s.s1}`), 404, 'not_found')
    expect((await summary()).values['sessions.held']).toBe(3)
    // Y pulls none of our sessions; X cannot write one; a member cannot write any.
    expect((await pullAll(app(), Y.token)).changes.filter(x => x.table === 'sessions').map(x => x.id)).toEqual([s.x1])
    const xs = await syncOk(app(), X.token, { changes: [sessionChange(s.s1, 99, { date: '2026-10-14', code: '555555' })] })
    expect(xs.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden', message: '这次活动属于其他支部，不能修改' } })
    const member = await syncOk(app(), A.token, { changes: [sessionChange(uuid(), 1, { date: '2026-10-14' })] })
    expect(member.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden', message: '只有支部书记可以新建、修改或取消组织生活' } })
    // Links across branches: our check-in to their session, their check-in to ours.
    expectError(await call(app(), X.token, 'POST', `/api/v1/branch/sessions/${s.x1}/link`, { checkinIds: [c.wrongCode] }), 400, 'validation_failed')
    expectError(await call(app(), S.token, 'POST', `/api/v1/branch/sessions/${s.x1}/link`, { checkinIds: [c.wrongCode] }), 404, 'not_found')
    const merged = await call(app(), X.token, 'POST', '/api/v1/branch/sessions/merge', { id: s.s1, form: 'branch_study', date: '2026-10-14', checkinIds: [c.wrongCode] })
    expectError(merged, 400, 'validation_failed')
    // Members get 403 on every sessions endpoint.
    for (const [method, url] of [['GET', `/api/v1/branch/sessions?month=${MONTH}`], ['GET', `/api/v1/branch/sessions/${s.s1}`], ['POST', `/api/v1/branch/sessions/${s.s1}/link`], ['POST', '/api/v1/branch/sessions/merge']] as const)
      expectError(await call(app(), A.token, method, url, method === 'POST' ? { checkinIds: [c.lateB] } : undefined), 403, 'forbidden')
    expect((await summary()).values).toMatchObject({ 'sessions.attendance': 6, 'sessions.unlinkedCheckins': 5 })
  })

  it('refuses bad link and merge bodies with Chinese messages at the field, never a 5xx', async () => {
    const bodies: unknown[] = [{}, { checkinIds: [] }, { checkinIds: 'x' }, { checkinIds: ['NOT-A-UUID'] }, { checkinIds: Array.from({ length: 501 }, () => uuid()) }, { checkinIds: [uuid()] }]
    for (const body of bodies) {
      const res = await call(app(), S.token, 'POST', `/api/v1/branch/sessions/${s.s1}/link`, body)
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400)
    }
    const unknown = expectError(await call(app(), S.token, 'POST', `/api/v1/branch/sessions/${s.s1}/link`, { checkinIds: [c.lateB, uuid()] }), 400, 'validation_failed')
    expect(unknown.details).toEqual([{ path: 'checkinIds[1]', message: '本支部没有这条签到记录，它可能已被删除' }])
    const merge = expectError(await call(app(), S.token, 'POST', '/api/v1/branch/sessions/merge', { id: 'x', form: 'self_study', date: '2026-02-30', topic: '', checkinIds: [] }), 400, 'validation_failed')
    expect(merge.details!.map(d => d.path)).toEqual(['id', 'form', 'date', 'topic', 'checkinIds'])
    expect(merge.details![1]!.message).toBe('请选择活动形式')
    // An invalid session from a phone: a clear message per field.
    const bad = await syncOk(app(), S.token, { changes: [sessionChange(uuid(), 1, { date: '2026-10-14', endDate: '2026-11-14', code: '12345', time: '25:00', leaves: [{ memberId: A.id, reason: '' }, { memberId: A.id, reason: '' }] })] })
    expect(bad.results[0]!.status).toBe('rejected')
    expect(bad.results[0]!.error!.details!.map(d => d.path).sort()).toEqual(['data.code', 'data.endDate', 'data.leaves', 'data.time'])
  })

  it('links unlinked check-ins to a session and merges others into one, idempotently, and a member\'s later edit keeps the link', async () => {
    const link = await callOk<LinkCheckinsResponse>(app(), S.token, 'POST', `/api/v1/branch/sessions/${s.s1}/link`, { checkinIds: [c.wrongCode] })
    expect(link).toEqual({ sessionId: s.s1, linked: 1, unchanged: 0 })
    expect(await callOk<LinkCheckinsResponse>(app(), S.token, 'POST', `/api/v1/branch/sessions/${s.s1}/link`, { checkinIds: [c.wrongCode, c.lateB] })).toEqual({ sessionId: s.s1, linked: 2, unchanged: 2 })
    // C's phone pulls the link: the row with sessionId and a new revision, the member's updatedAt.
    const pulled = (await pullAll(app(), C.token)).changes.find(x => x.id === c.wrongCode)!
    expect(pulled).toMatchObject({ updatedAt: 1000, data: { sessionId: s.s1, sessionCode: '999999' } })
    // C's other phone had not pulled it and edits the topic: the link stays, and the answer sends the row back.
    const edit = await syncOk(app(), C.token, { clientId: 'phone-2', changes: [studyChange(c.wrongCode, 5000, { date: '2026-10-14', form: 'branch_study', topic: '改了主题', sessionCode: '999999' })], omitApplied: true } as never)
    expect(edit.results[0]!.status).toBe('applied')
    expect(edit.changes.find(x => x.id === c.wrongCode)).toMatchObject({ data: { topic: '改了主题', sessionId: s.s1 } })

    // The secretary corrects R's 代签 from a form that does not carry the session: the link stays.
    await callOk(app(), S.token, 'POST', `/api/v1/branch/members/${R.id}/records`, { ...studyChange(c.proxyR, 2, { date: '2026-10-14', form: 'branch_study', topic: '签到（更正）' }), table: 'studyCheckins' }, 201)
    expect(await ctx.storage.db.selectFrom('study_checkins').select(['topic', 'session_id']).where('id', '=', c.proxyR).executeTakeFirstOrThrow()).toEqual({ topic: '签到（更正）', session_id: s.s1 })

    // 合并为一次活动: A's and B's sign-ins to the cancelled Oct 28 session become a session of their own.
    const m1 = uuid()
    const merged = await callOk<MergeCheckinsResponse>(app(), S.token, 'POST', '/api/v1/branch/sessions/merge', { id: m1, form: 'branch_study', date: '2026-10-28', checkinIds: [c.cancelledA, c.cancelledB] })
    expect(merged).toMatchObject({ sessionId: m1, linked: 2, unchanged: 0, session: { id: m1, date: '2026-10-28', topic: '签到', attended: 2, expected: 5 } })
    expect(merged.session.code).toMatch(/^\d{6}$/)
    const again = await callOk<MergeCheckinsResponse>(app(), S.token, 'POST', '/api/v1/branch/sessions/merge', { id: m1, form: 'branch_study', date: '2026-10-28', checkinIds: [c.cancelledA, c.cancelledB] })
    expect(again).toMatchObject({ linked: 2, unchanged: 2 })
    // The secretary's phone pulls the merged session like any other.
    expect((await pullAll(app(), S.token)).changes.filter(x => x.table === 'sessions' && x.id === m1)).toHaveLength(1)
    // October now: s1 has C too (4 of 5), the merged session holds W44; two unlinked check-ins are left.
    const { values } = await summary()
    expect(values).toMatchObject({ 'branchStudy.held': 2, 'branchStudy.attendance': 6, 'branchStudy.weeksWithout': 3, 'sessions.held': 4, 'sessions.unlinkedCheckins': 2 })
  })

  it('counts each member exactly once when sign-ins by code and the session arrive concurrently, in either order', async () => {
    const team = await branchWith(app(), ctx.storage, Array.from({ length: 8 }, (_, i) => `队员${i}`), '队书记')
    await joinedOn(app(), team.secretary.token, [team.secretary, ...team.members].map(m => m.id), '2026-09-01')
    const run = async (date: string, code: string, sessionFirst: boolean) => {
      const id = uuid()
      const session = () => syncOk(app(), team.secretary.token, { clientId: 'secretary-phone', changes: [sessionChange(id, 10, { date, code })] })
      // Each member's phone pushes its sign-in twice (a retry after a lost answer) and a second sign-in.
      const signIns = team.members.flatMap((m) => {
        const first = studyChange(uuid(), 20, { date, sessionCode: code })
        return [first, first, studyChange(uuid(), 21, { date, sessionCode: code })].map(change => () => syncOk(app(), m.token, { clientId: `phone-${m.id}`, changes: [change] }))
      })
      const all = sessionFirst ? [session, ...signIns] : [...signIns, session]
      const answers = await Promise.all(all.map(send => send()))
      expect(answers.every(a => a.results.every(r => r.status === 'applied'))).toBe(true)
      return id
    }
    const first = await run('2026-10-15', '700001', true)
    const second = await run('2026-10-22', '700002', false)
    const month = await callOk<BranchSessionsResponse>(app(), team.secretary.token, 'GET', `/api/v1/branch/sessions?month=${MONTH}`)
    expect(month.sessions.map(x => [x.id, x.attended, x.expected])).toEqual([[first, 8, 9], [second, 8, 9]])
    const figures = await callOk<SummaryResponse>(app(), team.secretary.token, 'GET', `/api/v1/branch/summary?month=${MONTH}`)
    expect(figures.figures.find(f => f.key === 'branchStudy.attendance')?.value).toBe(16)
    expect(figures.figures.find(f => f.key === 'sessions.unlinkedCheckins')?.value).toBe(0)
  })

  it('a link and the member\'s concurrent edit of the same check-in both hold, whichever commits first', async () => {
    const team = await branchWith(app(), ctx.storage, ['甲'], '书记')
    const sessionId = uuid()
    await push(app(), team.secretary.token, [sessionChange(sessionId, 1, { date: '2026-10-14' })])
    const member = team.members[0]!
    for (let round = 0; round < 6; round++) {
      const id = uuid()
      await push(app(), member.token, [studyChange(id, 1, { date: '2026-10-14', topic: '原来' })])
      const edit = () => syncOk(app(), member.token, { clientId: 'phone', changes: [studyChange(id, 2, { date: '2026-10-14', topic: `改过${round}` })] })
      const link = () => callOk<LinkCheckinsResponse>(app(), team.secretary.token, 'POST', `/api/v1/branch/sessions/${sessionId}/link`, { checkinIds: [id] })
      const [a, b] = round % 2 === 0 ? await Promise.all([edit(), link()]) : (await Promise.all([link(), edit()])).reverse() as [SyncResponse, LinkCheckinsResponse]
      expect((a as SyncResponse).results[0]!.status).toBe('applied')
      expect((b as LinkCheckinsResponse).linked).toBe(1)
      const row = await ctx.storage.db.selectFrom('study_checkins').select(['topic', 'session_id', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow()
      expect(row).toMatchObject({ topic: `改过${round}`, session_id: sessionId })
      expect(Number(row.updated_at)).toBe(2)
    }
  })
})

describeEachBackend('sessions upgrade (migration 0013)', (backend) => {
  it('keeps every check-in; existing session-form check-ins become unlinked and hold no session', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0011_membership_history')
    try {
      await db.insertInto('branches').values({ id: 'b1', name: '老支部', time_zone: 'Asia/Shanghai', member_invite_code: 'm1', secretary_invite_code: 's1', created_at: 1 }).execute()
      await db.insertInto('members').values({ id: 'm1', branch_id: 'b1', name: '老书记', role: 'secretary', status: 'active', created_at: 1, retired: 0, joined_on: '2026-09-01' }).execute()
      const row = (id: string, date: string, form: string, rev: number) => ({ id, member_id: 'm1', branch_id: 'b1', updated_at: 1, client_id: 'old', deleted: 0, rev, date, week: null, form, topic: '学习', minutes: 60, material_id: null, note: null, entered_by: null })
      await db.insertInto('study_checkins').values([row('c1', '2026-10-14', 'branch_study', 1), row('c2', '2026-10-15', 'self_study', 2), row('c3', '2026-10-21', 'seminar', 3)]).execute()
      await db.destroy()

      const storage = await open()
      try {
        const rows = await storage.db.selectFrom('study_checkins').select(['id', 'form', 'topic', 'session_id', 'session_code']).orderBy('id').execute()
        expect(rows).toEqual([
          { id: 'c1', form: 'branch_study', topic: '学习', session_id: null, session_code: null },
          { id: 'c2', form: 'self_study', topic: '学习', session_id: null, session_code: null },
          { id: 'c3', form: 'seminar', topic: '学习', session_id: null, session_code: null },
        ])
        expect(await storage.db.selectFrom('sessions').selectAll().execute()).toEqual([])
        const month = await storage.sessionViews.month('b1', '2026-10')
        expect(month.counts).toEqual([])
        expect(month.unlinked.map(x => x.id)).toEqual(['c1', 'c3'])
        const { values } = await storage.summary.values({ branchId: 'b1', month: '2026-10', timeZone: 'Asia/Shanghai' })
        expect(values).toMatchObject({ 'branchStudy.held': 0, 'seminar.held': 0, 'sessions.unlinkedCheckins': 2, 'study.checkins': 3 })
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })
})
