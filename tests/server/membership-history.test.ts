import type { SummaryRecordsResponse, SummaryResponse } from '../../src/domain/branch'
import type { CompletionResponse } from '../../src/domain/wire'
import type { Member } from './support/api'
import { strFromU8, unzipSync } from 'fflate'
import { beforeAll, expect, it } from 'vitest'
import { monthOf, shiftMonth } from '../../src/domain/summary'
import { addDays, currentWeek } from '../../src/domain/week'
import { branchWith, completion, expectError, joinAs, studyChange, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, callOk, problemChange, push } from './support/branch'
import { historyOf, joinedOn, leaves, statusFrom } from './support/history'
import { sessionChange } from './support/sessions'

/**
 * Membership history (issue #12): a past month's figures are counted from who was in the branch,
 * and who was retired, then; nothing done in the next month moves them.
 *
 * Month M is last month. Members S (secretary), A, B, C in work and R retired, all in the branch
 * from the month before M. Counted by hand:
 *   branch study (sessions, issue #13): on M-03: S, A, B (B signs in on M-04); on M-10: A  → held 2, 人次 4
 *   R (retired) in M: home_study ×3, self_study with a branch material ×1, self_study without one,
 *   branch_study on M-10 (in person), party_lecture on M-12 (in person)           → 7 check-ins
 *   home study = 3 home_study + 1 self_study with material = 4 (not 7); with material 1; 1 member.
 *   (R's branch_study signs in to M-10's session on M-11; the party_lecture names no session: unlinked.)
 *   rate: session 1: 3 of 5 members; session 2: A and R of 5 → 5/10 = 50%;
 *   in work: week 1 3 of 4, week 2 A of 4 (R is retired) → 4/8 = 50%.
 *   problems: P1 dated M-05 solved on M-28 (entered on the 1st of this month with statusDate M-28);
 *   P2 dated M-06 in progress on M-20, solved today → M: solved 1, in progress 1.
 * Then, this month: two members join, A retires (from today), B leaves (转出, today), C's phone is
 * replaced by a new one (认领码), and M's summary, its rows and its exports are read again.
 */

describeEachBackend('membership history', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  const M = shiftMonth(monthOf(today()), -1)
  const day = (d: number) => `${M}-${String(d).padStart(2, '0')}`
  let S: Member, A: Member, B: Member, C: Member, R: Member
  let inviteCode: string
  const ids = { p1: uuid(), p2: uuid() }
  const material = uuid()

  beforeAll(async () => {
    const home = await branchWith(app(), ctx.storage, ['甲', '乙', '丙', '退'], '书记')
    S = home.secretary
    ;[A, B, C, R] = home.members as [Member, Member, Member, Member]
    inviteCode = home.memberInviteCode
    await joinedOn(app(), S.token, [S, A, B, C, R].map(m => m.id), `${shiftMonth(M, -1)}-01`)
    await statusFrom(app(), S.token, R.id, true, `${shiftMonth(M, -1)}-01`)
    const study = (date: string, form: string, extra: Record<string, unknown> = {}) => studyChange(uuid(), 1000, { date, form: form as never, ...extra })
    const sessions = { first: uuid(), second: uuid() }
    await push(app(), S.token, [sessionChange(sessions.first, 1, { date: day(3) }), sessionChange(sessions.second, 1, { date: day(10) })])
    await push(app(), S.token, [study(day(3), 'branch_study', { sessionId: sessions.first })])
    await push(app(), A.token, [study(day(3), 'branch_study', { sessionId: sessions.first }), study(day(10), 'branch_study', { sessionId: sessions.second })])
    await push(app(), B.token, [study(day(4), 'branch_study', { sessionId: sessions.first })])
    await push(app(), R.token, [
      study(day(2), 'home_study'),
      study(day(9), 'home_study'),
      study(day(16), 'home_study'),
      study(day(18), 'self_study', { materialId: material }),
      study(day(19), 'self_study'),
      study(day(11), 'branch_study', { sessionId: sessions.second }),
      study(day(12), 'party_lecture'),
    ])
    await push(app(), A.token, [problemChange(ids.p1, 1, { date: day(5), title: 'P1' }), problemChange(ids.p2, 1, { date: day(6), title: 'P2' })])
  })

  const summary = (month: string) => callOk<SummaryResponse>(app(), S.token, 'GET', `/api/v1/branch/summary?month=${month}`)
  const values = (s: SummaryResponse) => Object.fromEntries(s.figures.map(f => [f.key, f.value]))
  const exports = async (month: string) => {
    const docx = await call(app(), S.token, 'GET', `/api/v1/branch/summary.docx?month=${month}`)
    const csv = await call(app(), S.token, 'GET', `/api/v1/branch/summary.csv?month=${month}`)
    expect([docx.statusCode, csv.statusCode]).toEqual([200, 200])
    // The .docx's document part (the archive's own timestamps are the export's time, so the bytes
    // as a whole differ), unzipped with fflate.
    return { docx: strFromU8(unzipSync(new Uint8Array(docx.rawPayload))['word/document.xml']!), csv: csv.body }
  }
  const rowsOf = async (month: string, figure: string) => (await callOk<SummaryRecordsResponse>(app(), S.token, 'GET', `/api/v1/branch/summary/records?month=${month}&figure=${figure}`)).records

  it('counts a past month from the history, home study by hand, and problems by the day their status took effect; later joins, departures, retirements and new phones move none of it', async () => {
    // Status entered late, dated when it happened (M-28 and M-20 are within 60 days of today).
    await callOk(app(), S.token, 'PATCH', `/api/v1/branch/problems/${ids.p1}`, { status: 'solved', statusDate: day(28) })
    await callOk(app(), S.token, 'PATCH', `/api/v1/branch/problems/${ids.p2}`, { status: 'in_progress', statusDate: day(20) })

    const before = await summary(M)
    expect(values(before)).toMatchObject({
      'branchStudy.held': 2,
      'branchStudy.attendance': 5,
      'branchStudy.rate': 50,
      'branchStudy.rateActive': 50,
      'homeStudy.retired': 4,
      'homeStudy.retiredMembers': 1,
      'homeStudy.withMaterial': 1,
      'problems.solved': 1,
      'problems.inProgress': 1,
    })
    expect(before.figures.find(f => f.key === 'branchStudy.rate')?.detail).toBe('5/10')
    expect(before.figures.find(f => f.key === 'branchStudy.rateActive')?.detail).toBe('4/8')
    expect((await rowsOf(M, 'homeStudy.retired')).map(r => r.table === 'studyCheckins' && r.data.form).sort()).toEqual(['home_study', 'home_study', 'home_study', 'self_study'])
    const beforeFiles = await exports(M)
    const beforeRows = await rowsOf(M, 'branchStudy.held')

    // This month: P2 solved today, two members join, A retires, B leaves, C gets a new phone.
    await callOk(app(), S.token, 'PATCH', `/api/v1/branch/problems/${ids.p2}`, { status: 'solved' })
    await joinAs(app(), inviteCode, '新甲')
    await joinAs(app(), inviteCode, '新乙')
    await callOk(app(), S.token, 'PATCH', `/api/v1/branch/members/${A.id}`, { retired: true })
    expect(await leaves(app(), S.token, B.id, today(), 'transfer')).toMatchObject({ leftOn: today(), leftReason: 'transfer' })
    const claim = await callOk<{ code: string }>(app(), S.token, 'POST', `/api/v1/branch/members/${C.id}/claim-code`, undefined, 201)
    expect((await app().inject({ method: 'POST', url: '/api/v1/claim', payload: { code: claim.code } })).statusCode).toBe(201)

    const after = await summary(M)
    expect(after.figures).toEqual(before.figures)
    expect(after.sentences).toEqual(before.sentences)
    const afterFiles = await exports(M)
    expect(afterFiles.csv).toBe(beforeFiles.csv)
    expect(afterFiles.docx).toContain('在职党员参学率')
    expect(afterFiles.docx).toBe(beforeFiles.docx)
    expect((await rowsOf(M, 'branchStudy.held')).map(r => r.id).sort()).toEqual(beforeRows.map(r => r.id).sort())
    // The rows behind M's 正在推进 show P2 as it stood at M's end, not solved as today.
    expect((await rowsOf(M, 'problems.inProgress')).map(r => r.table === 'problems' && [r.data.title, r.data.status])).toEqual([['P2', 'in_progress']])

    // Now: B is gone from the current lists and this week's completion, and listed as a former member.
    const members = await callOk<{ members: { id: string }[] }>(app(), S.token, 'GET', '/api/v1/branch/members')
    expect(members.members.map(m => m.id)).not.toContain(B.id)
    const week = (await completion(app(), S.token)).json<CompletionResponse>()
    expect(week.members.map(m => m.id)).not.toContain(B.id)
    expect(week.total).toBe(6)
    const former = await callOk<{ members: { id: string, leftReason: string }[] }>(app(), S.token, 'GET', '/api/v1/branch/former-members')
    expect(former.members).toEqual([expect.objectContaining({ id: B.id, leftReason: 'transfer' })])
    // B's week of M still lists B; the grid counts B in M's weeks and not in this one.
    const mWeek = (await completion(app(), S.token, currentWeek(undefined, Date.parse(`${day(4)}T12:00:00+08:00`)))).json<CompletionResponse>()
    expect(mWeek.members.find(m => m.id === B.id)).toMatchObject({ studied: true })
    const grid = await callOk<{ members: { id: string, cells: { counted: boolean }[] }[] }>(app(), S.token, 'GET', `/api/v1/branch/grid?from=${currentWeek(undefined, Date.parse(`${day(4)}T12:00:00+08:00`))}&to=${currentWeek()}`)
    const rowB = grid.members.find(m => m.id === B.id)!
    expect(rowB.cells[0]!.counted).toBe(true)
    expect(rowB.cells.at(-1)!.counted).toBe(false)
    // A's retirement is from today: M had A in work.
    expect((await historyOf(app(), S.token, A.id)).statuses.map(s => [s.retired, s.from])).toEqual([[false, `${shiftMonth(M, -1)}-01`], [true, today()]])
  })

  it('refuses a status date in the future, more than 60 days back, or before the previous change, in Chinese', async () => {
    const p = uuid()
    await push(app(), C.token, [problemChange(p, 1, { date: addDays(today(), -90) })])
    const bad = async (statusDate: unknown) => expectError(await call(app(), S.token, 'PATCH', `/api/v1/branch/problems/${p}`, { status: 'in_progress', statusDate }), 400, 'validation_failed').details
    expect(await bad(addDays(today(), 1))).toEqual([{ path: 'statusDate', message: 'statusDate 必须是日期（YYYY-MM-DD）：不晚于今天，最早 60 天前' }])
    expect(await bad(addDays(today(), -61))).toEqual([{ path: 'statusDate', message: 'statusDate 必须是日期（YYYY-MM-DD）：不晚于今天，最早 60 天前' }])
    expect(await bad('2026-02-30')).toHaveLength(1)
    expect(await bad(7)).toHaveLength(1)
    const ok = await callOk(app(), S.token, 'PATCH', `/api/v1/branch/problems/${p}`, { status: 'in_progress', statusDate: addDays(today(), -60) })
    expect(ok.statusDate).toBe(addDays(today(), -60))
    const res = await call(app(), S.token, 'PATCH', `/api/v1/branch/problems/${p}`, { status: 'solved', statusDate: addDays(today(), -61 + 0) })
    expectError(res, 400, 'validation_failed')
    await callOk(app(), S.token, 'PATCH', `/api/v1/branch/problems/${p}`, { status: 'solved', statusDate: addDays(today(), -30) })
    const order = expectError(await call(app(), S.token, 'PATCH', `/api/v1/branch/problems/${p}`, { status: 'open', statusDate: addDays(today(), -40) }), 400, 'validation_failed')
    expect(order.details).toEqual([{ path: 'statusDate', message: '状态日期不能早于这个问题上一次状态变更的日期' }])
    // Without a date: today.
    expect((await callOk(app(), S.token, 'PATCH', `/api/v1/branch/problems/${p}`, { status: 'open' })).statusDate).toBe(today())
  })

  it('validates history writes, keeps the first status, and lets no member or other branch near it', async () => {
    const id = C.id
    const bad = async (method: 'PATCH' | 'POST', url: string, payload: unknown) => expectError(await call(app(), S.token, method, url, payload), 400, 'validation_failed').details
    expect(await bad('PATCH', `/api/v1/branch/members/${id}/membership`, { joinedOn: addDays(today(), 1) })).toEqual([{ path: 'joinedOn', message: '入支部日期必须是不晚于今天的日期（YYYY-MM-DD）' }])
    expect(await bad('PATCH', `/api/v1/branch/members/${id}/membership`, { leftOn: '2000-01-01' })).toEqual([{ path: 'leftOn', message: '转出/离开日期必须晚于入支部日期' }])
    expect(await bad('PATCH', `/api/v1/branch/members/${id}/membership`, { leftReason: 'fired' })).toHaveLength(1)
    expect(await bad('PATCH', `/api/v1/branch/members/${id}/membership`, {})).toHaveLength(1)
    expect(await bad('POST', `/api/v1/branch/members/${id}/status`, { retired: true, from: '2000-01-01' })).toEqual([{ path: 'from', message: 'from 必须是日期（YYYY-MM-DD）：不早于入支部日期，不晚于今天' }])
    expect(await bad('POST', `/api/v1/branch/members/${id}/status`, { retired: 'yes', from: today() })).toHaveLength(1)
    expect(await bad('PATCH', `/api/v1/branch/members/${S.id}/membership`, { leftOn: today() })).toEqual([{ path: 'leftOn', message: '支部至少要有一名书记：请先把另一名党员设为书记，再取消这名书记' }])

    const history = await statusFrom(app(), S.token, id, true, today())
    const first = history.statuses[0]!
    const last = history.statuses.at(-1)!
    const del = (changeId: string) => app().inject({ method: 'DELETE', url: `/api/v1/branch/members/${id}/status/${changeId}`, headers: { authorization: `Bearer ${S.token}` } })
    expectError(await del(first.id), 400, 'validation_failed')
    expectError(await del(uuid()), 404, 'not_found')
    const undone = (await del(last.id)).json()
    expect(undone.retired).toBe(false)

    // A member: 403; another branch's secretary: 404; the English message on request.
    expectError(await call(app(), A.token, 'GET', `/api/v1/branch/members/${id}/history`), 403, 'forbidden')
    const away = await branchWith(app(), ctx.storage, [])
    expectError(await call(app(), away.secretary.token, 'GET', `/api/v1/branch/members/${id}/history`), 404, 'not_found')
    expectError(await call(app(), away.secretary.token, 'POST', `/api/v1/branch/members/${id}/status`, { retired: true, from: today() }), 404, 'not_found')
    const en = await call(app(), S.token, 'POST', `/api/v1/branch/members/${id}/status`, { retired: true, from: '2000-01-01' }, { 'accept-language': 'en' })
    expect(expectError(en, 400, 'validation_failed').details![0]!.message).toBe('from must be a date (YYYY-MM-DD) not before joining the branch and not after today')
  })
})
