import type { SummaryRecordsResponse, SummaryResponse } from '../../src/domain/branch'
import type { SyncChangeIn } from '../../src/domain/wire'
import type { Member } from './support/api'
import { beforeAll, expect, it } from 'vitest'
import { monthOf, shiftMonth, SUMMARY_FIGURES } from '../../src/domain/summary'
import { todayIn } from '../../src/domain/week'
import { branchWith, expectError, studyChange, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, callOk, problemChange, push, serviceChange } from './support/branch'
import { joinedOn, statusFrom } from './support/history'
import { sessionChange } from './support/sessions'

/**
 * The monthly summary against a fixture counted by hand (December 2025, Asia/Shanghai).
 *
 * December 2025 spans ISO weeks 2025-W49 (Dec 1–7), W50, W51, W52 (Dec 22–28) and 2026-W01
 * (Dec 29 – Jan 4, which January shares). The branch has 6 members: 书记 S, 甲 A, 乙 B, 丙 C, and the
 * retired 丁 D and 戊 E. A second branch logs the same days and must never count.
 *
 * Since issue #13 a session is held when the branch holds it: the secretary records each meeting as a
 * session and the members' check-ins sign in to it (here by `sessionId`, as a phone that has pulled the
 * session does). The fixture's meetings are the ones the check-ins used to imply, so December counts the
 * same; what changed is what no meeting stands behind: A's Nov 28 and Jan 2 branch-study check-ins now
 * hold no session in November or January (they are 未关联活动的签到), and the rows behind a held
 * figure are the sign-ins that count (A's second W50 check-in is not a second attendance).
 */

const MONTH = '2025-12'
// Instants in Shanghai (UTC+8): Dec 31 23:30 there is 15:30Z; Jan 1 00:10 there is Dec 31 16:10Z.
const sh = (date: string, hh: number, mm = 0): number => Date.parse(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`)

describeEachBackend('monthly summary', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  let S: Member, A: Member, B: Member, C: Member, D: Member, E: Member
  const ids = { movedWeek: uuid(), movedMonth: uuid(), deletedStudy: uuid(), deletedService: uuid(), p1: uuid(), p2: uuid(), p3: uuid(), p4: uuid(), p5: uuid(), p6: uuid(), proxyVisit: uuid() }
  const material = uuid()

  beforeAll(async () => {
    const home = await branchWith(app(), ctx.storage, ['甲', '乙', '丙', '丁', '戊'], '书记')
    S = home.secretary
    ;[A, B, C, D, E] = home.members as [Member, Member, Member, Member, Member]
    // Everyone was in the branch from November 2025 (before their phones joined), D and E retired
    // from then: December is counted from the membership history, not from who is in it today.
    await joinedOn(app(), S.token, [S, A, B, C, D, E].map(m => m.id), '2025-11-01')
    for (const retired of [D, E])
      await statusFrom(app(), S.token, retired.id, true, '2025-11-01')
    const study = (date: string, form: string, extra: Record<string, unknown> = {}) => studyChange(uuid(), 1000, { date, form: form as never, ...extra })
    // The branch's meetings (组织生活): branch study on Dec 2 (W49), Dec 9 (W50), Dec 16 (W51) and Dec 30
    // (2026-W01), none in W52; exchanges Dec 5 and Dec 19; a seminar Dec 12; the party day Dec 26; training Dec 20.
    const at = { w49: uuid(), w50: uuid(), w51: uuid(), w01: uuid(), ex5: uuid(), ex19: uuid(), sem12: uuid(), pd26: uuid(), tr20: uuid() }
    await push(app(), S.token, [
      sessionChange(at.w49, 1, { date: '2025-12-02' }),
      sessionChange(at.w50, 1, { date: '2025-12-09' }),
      sessionChange(at.w51, 1, { date: '2025-12-16' }),
      sessionChange(at.w01, 1, { date: '2025-12-30' }),
      sessionChange(at.ex5, 1, { date: '2025-12-05', form: 'exchange' }),
      sessionChange(at.ex19, 1, { date: '2025-12-19', form: 'exchange' }),
      sessionChange(at.sem12, 1, { date: '2025-12-12', form: 'seminar' }),
      sessionChange(at.pd26, 1, { date: '2025-12-26', form: 'party_day' }),
      sessionChange(at.tr20, 1, { date: '2025-12-20', form: 'training' }),
    ])
    const signIn = (date: string, form: string, sessionId: string) => study(date, form, { sessionId })

    // Branch study (支部集中学习), final live rows:
    //   W49 (Dec 2): S, A, B on Dec 2; C on Dec 3 (logged a day late) → 4 attend
    //   W50 (Dec 9): A on Dec 9 and again on Dec 10 (one attendance)  → 1 attend (B's Dec 11 moved away)
    //   W51 (Dec 16): C on Dec 16; B on Dec 17 (edited from Dec 11)   → 2 attend (D's Dec 16 deleted)
    //   W52: no session (A's Dec 23 was edited to Nov 28)             → the one week without (2025-W52)
    //   2026-W01 (Dec 30): S                                          → 1 attend (A's Jan 2 names no session)
    // held = 4 sessions; attendance = 4+1+2+1 = 8 人次; members = S, A, B, C = 4; rate = 8 / (4 × 6) = 33.3%;
    // in work (S, A, B, C; D and E retired): 8 / (4 × 4) = 50%; nobody on leave; absent 2+5+4+5 = 16 人次.
    await push(app(), S.token, [signIn('2025-12-02', 'branch_study', at.w49), signIn('2025-12-30', 'branch_study', at.w01), signIn('2025-12-12', 'seminar', at.sem12)])
    await push(app(), A.token, [
      signIn('2025-12-02', 'branch_study', at.w49),
      signIn('2025-12-09', 'branch_study', at.w50),
      signIn('2025-12-10', 'branch_study', at.w50),
      studyChange(ids.movedMonth, 1000, { date: '2025-12-23', form: 'branch_study' }),
      study('2026-01-02', 'branch_study'),
      signIn('2025-12-05', 'exchange', at.ex5),
      signIn('2025-12-26', 'party_day', at.pd26),
    ])
    await push(app(), A.token, [studyChange(ids.movedMonth, 2000, { date: '2025-11-28', form: 'branch_study' })])
    await push(app(), B.token, [
      signIn('2025-12-02', 'branch_study', at.w49),
      studyChange(ids.movedWeek, 1000, { date: '2025-12-11', form: 'branch_study', sessionId: at.w50 }),
      signIn('2025-12-05', 'exchange', at.ex5),
      signIn('2025-12-26', 'party_day', at.pd26),
    ])
    await push(app(), B.token, [studyChange(ids.movedWeek, 2000, { date: '2025-12-17', form: 'branch_study', sessionId: at.w51 })])
    await push(app(), C.token, [signIn('2025-12-03', 'branch_study', at.w49), signIn('2025-12-16', 'branch_study', at.w51), signIn('2025-12-19', 'exchange', at.ex19), signIn('2025-12-20', 'training', at.tr20)])
    // Retired: D at home on Dec 4 (with a branch material) and Dec 11; E self-study on Dec 18 (no material: not home
    // study) → home study 2 times, 1 member, 1 with material.
    await push(app(), D.token, [study('2025-12-04', 'home_study', { materialId: material }), study('2025-12-11', 'home_study'), studyChange(ids.deletedStudy, 1000, { date: '2025-12-16', form: 'branch_study', sessionId: at.w51 })])
    await push(app(), D.token, [{ table: 'studyCheckins', id: ids.deletedStudy, updatedAt: 2000, deleted: true }])
    await push(app(), E.token, [study('2025-12-18', 'self_study')])
    // Exchanges: Dec 5 (A and B: one session) and Dec 19 (C) → 2; seminar Dec 12 → 1; party day Dec 26 → 1; training Dec 20 → 1.
    // All sessions: 9 held, attendance 8 + 3 + 1 + 2 + 1 = 15 人次 of 9 × 6 = 54 expected (27.8%), 39 absent;
    // every December check-in of a session form signs in to one, so none is unlinked.
    // All study check-ins in December: branch study 9 + exchange 3 + seminar 1 + party day 2 + training 1 + retired 3 = 19, by 6 members.

    // Service: A visit 2 h (Dec 6), A volunteer 1.5 h (Dec 13), B publicity 3 h (Dec 13), C charity 0.5 h (Dec 20),
    // D visit 2 h (Dec 27, entered by the secretary: 代录); B's 4 h deleted; C's Jan 3 is January.
    // → 5 人次, 9 hours, 4 members; visit 2, volunteer 1, publicity 1, charity_purchase 1, other 0.
    // People served: A's visit 3 + B's publicity 20 = 23 (the deleted log's 50 never counts, the others say none).
    await push(app(), A.token, [serviceChange(uuid(), 1, { date: '2025-12-06', activity: 'visit', hours: 2, peopleServed: 3 }), serviceChange(uuid(), 1, { date: '2025-12-13', activity: 'volunteer', hours: 1.5 })])
    await push(app(), B.token, [serviceChange(uuid(), 1, { date: '2025-12-13', activity: 'publicity', hours: 3, peopleServed: 20 }), serviceChange(ids.deletedService, 1, { date: '2025-12-14', activity: 'volunteer', hours: 4, peopleServed: 50 })])
    await push(app(), B.token, [{ table: 'serviceLogs', id: ids.deletedService, updatedAt: 2, deleted: true }])
    await push(app(), C.token, [serviceChange(uuid(), 1, { date: '2025-12-20', activity: 'charity_purchase', hours: 0.5 }), serviceChange(uuid(), 1, { date: '2026-01-03', activity: 'volunteer', hours: 2 })])
    await callOk(app(), S.token, 'POST', `/api/v1/branch/members/${D.id}/records`, { ...serviceChange(ids.proxyVisit, 1, { date: '2025-12-27', activity: 'visit', hours: 2 }), table: 'serviceLogs' }, 201)

    // Problems, as of December's end (Shanghai):
    //   P1 dated Nov 20, solved Dec 10                                → collected, solved
    //   P2 dated Dec 5, in progress Dec 15, solved Jan 8 (next month)  → in progress at Dec's end
    //   P3 dated Dec 22, never touched                                → open
    //   P4 dated Dec 28, deleted                                      → not counted
    //   P5 dated Jan 3                                                → not collected by Dec's end
    //   P6 dated Dec 30, in progress Dec 31 23:30, solved Jan 1 00:10  → in progress at Dec's end
    // Dec: collected 4, in the month 3, solved 1, in progress 2, open 1.
    // Jan: collected 5, in the month 1, solved 3 (P1, P2, P6), in progress 0, open 2 (P3, P5).
    await push(app(), A.token, [
      problemChange(ids.p1, 1, { date: '2025-11-20', title: 'P1' }),
      problemChange(ids.p2, 1, { date: '2025-12-05', title: 'P2' }),
      problemChange(ids.p3, 1, { date: '2025-12-22', title: 'P3' }),
    ])
    await push(app(), C.token, [
      problemChange(ids.p4, 1, { date: '2025-12-28', title: 'P4' }),
      problemChange(ids.p5, 1, { date: '2026-01-03', title: 'P5' }),
      problemChange(ids.p6, 1, { date: '2025-12-30', title: 'P6' }),
    ])
    await push(app(), C.token, [{ table: 'problems', id: ids.p4, updatedAt: 2, deleted: true }])
    const status = (id: string, s: 'in_progress' | 'solved', at: number) => ctx.storage.branchAdmin.patchProblem(A.branchId, id, S.id, { status: s }, at)
    await status(ids.p1, 'solved', sh('2025-12-10', 9))
    await status(ids.p2, 'in_progress', sh('2025-12-15', 9))
    await status(ids.p2, 'solved', sh('2026-01-08', 9))
    await status(ids.p6, 'in_progress', sh('2025-12-31', 23, 30))
    await status(ids.p6, 'solved', sh('2026-01-01', 0, 10))
    // 责任人: P1 and P2 (collected by December's end) and P5 (January's) → December 2 with an owner, January 3.
    for (const [id, now] of [[ids.p1, 'solved'], [ids.p2, 'solved'], [ids.p5, 'open']] as const)
      await ctx.storage.branchAdmin.patchProblem(A.branchId, id, S.id, { status: now, ownerName: '社区居委会 王主任' }, sh('2026-01-10', 9))

    // Reading notes by the month of their last write (Shanghai): A Dec 15 and Dec 20, B Dec 31 23:30 → 3 notes, 2 members;
    // C's Jan 1 00:30 is January's; D's note written Dec 10 and deleted Dec 18 counts nowhere (its tombstone keeps a December updatedAt).
    const note = (updatedAt: number, id = uuid()): SyncChangeIn => ({ table: 'readingNotes', id, updatedAt, data: { title: '论持久战', reflection: '体会' } })
    await push(app(), A.token, [note(sh('2025-12-15', 12)), note(sh('2025-12-20', 12))])
    await push(app(), B.token, [note(sh('2025-12-31', 23, 30))])
    await push(app(), C.token, [note(sh('2026-01-01', 0, 30))])
    const deletedNote = uuid()
    await push(app(), D.token, [note(sh('2025-12-10', 12), deletedNote)])
    await push(app(), D.token, [{ table: 'readingNotes', id: deletedNote, updatedAt: sh('2025-12-18', 12), deleted: true }])

    // Another branch, same days: never counted here.
    const away = await branchWith(app(), ctx.storage, ['外支部党员'])
    await push(app(), away.members[0]!.token, [studyChange(uuid(), 1, { date: '2025-12-02', form: 'branch_study' }), serviceChange(uuid(), 1, { date: '2025-12-06' }), problemChange(uuid(), 1, { date: '2025-12-05' })])
  })

  const summary = async (month: string, lang?: string) => {
    const res = await call(app(), S.token, 'GET', `/api/v1/branch/summary?month=${month}`, undefined, lang ? { 'accept-language': lang } : {})
    expect(res.statusCode, res.body).toBe(200)
    return res.json<SummaryResponse>()
  }
  const valuesOf = (s: SummaryResponse) => Object.fromEntries(s.figures.map(f => [f.key, f.value]))

  it('counts December as counted by hand', async () => {
    const dec = await summary(MONTH)
    expect(dec).toMatchObject({ month: MONTH, from: '2025-12-01', to: '2025-12-31' })
    expect(dec.figures.map(f => f.key)).toEqual(SUMMARY_FIGURES.map(f => f.key))
    expect(valuesOf(dec)).toEqual({
      'branchStudy.held': 4,
      'branchStudy.attendance': 8,
      'branchStudy.members': 4,
      'branchStudy.rate': 33.3,
      'branchStudy.rateActive': 50,
      'branchStudy.leaves': 0,
      'branchStudy.absent': 16,
      'branchStudy.weeksWithout': 1,
      'exchange.held': 2,
      'seminar.held': 1,
      'partyLecture.held': 0,
      'partyDay.held': 1,
      'readingClass.held': 0,
      'training.held': 1,
      'partyCongress.held': 0,
      'committee.held': 0,
      'groupMeeting.held': 0,
      'sessions.held': 9,
      'sessions.attendance': 15,
      'sessions.rate': 27.8,
      'sessions.leaves': 0,
      'sessions.absent': 39,
      'sessions.unlinkedCheckins': 0,
      'study.checkins': 19,
      'study.members': 6,
      'service.count': 5,
      'service.hours': 9,
      'service.members': 4,
      'service.peopleServed': 23,
      'service.byActivity.publicity': 1,
      'service.byActivity.visit': 2,
      'service.byActivity.volunteer': 1,
      'service.byActivity.charity_purchase': 1,
      'service.byActivity.other': 0,
      'problems.collected': 4,
      'problems.collectedInMonth': 3,
      'problems.solved': 1,
      'problems.inProgress': 2,
      'problems.open': 1,
      'problems.withOwner': 2,
      'notes.count': 3,
      'notes.members': 2,
      'homeStudy.retired': 2,
      'homeStudy.retiredMembers': 1,
      'homeStudy.withMaterial': 1,
      // All 6 were members on Dec 31 (D and E retired) and all 6 checked in during December.
      'members.total': 6,
      'members.retired': 2,
      'members.withoutStudy': 0,
    })
    const byKey = Object.fromEntries(dec.figures.map(f => [f.key, f]))
    expect(byKey['branchStudy.rate']).toMatchObject({ label: '参学率', unit: '%', detail: '8/24' })
    expect(byKey['branchStudy.weeksWithout']).toMatchObject({ unit: '周', detail: '2025-W52' })
    expect(byKey['exchange.held']).toMatchObject({ label: '学习交流活动', unit: '次', target: 2 })
    expect(byKey['seminar.held']).toMatchObject({ target: 1 })
    expect(byKey['service.count']).toMatchObject({ label: '社区活动', unit: '人次' })
  })

  it('writes December\'s sentences in the report\'s style', async () => {
    expect((await summary(MONTH)).sentences).toEqual([
      '本月共开展支部集中学习4次，参学党员8人次，参学率33.3%（在职党员参学率50%）。',
      '组织学习交流活动2次（计划每月2次），开展专题研讨1次（计划每月1次）。',
      '举办主题党日1次、专题培训1期。',
      '落实党员“双报到双服务”，4名党员深入社区开展主题教育宣讲、走访慰问、志愿服务、爱心消费等社区活动5人次，服务时长9小时。',
      '截至本月底，共收集各类问题4个，已解决1个，2个正在推进过程中，1个待解决。',
      '2名党员撰写读书笔记3篇。',
      '1名退休党员居家学习2次，其中使用支部学习资料1次。',
    ])
  })

  it('counts January and November from the same records: the shared ISO week, the moved check-in, the later solutions', async () => {
    const jan = valuesOf(await summary('2026-01'))
    // Jan: no session starts in January. A's Jan 2 branch study names none: it used to make January's
    // W01 a held week (1 held, 16.7%); now it is the month's one unlinked check-in. W01 had the Dec 30
    // session; W02–W05 had none.
    expect(jan).toMatchObject({ 'branchStudy.held': 0, 'branchStudy.attendance': 0, 'branchStudy.rate': 0, 'branchStudy.weeksWithout': 4, 'sessions.unlinkedCheckins': 1, 'service.count': 1, 'service.hours': 2, 'notes.count': 1 })
    expect(jan).toMatchObject({ 'problems.collected': 5, 'problems.collectedInMonth': 1, 'problems.solved': 3, 'problems.inProgress': 0, 'problems.open': 2, 'problems.withOwner': 3 })
    // January: only A (Jan 2) checked in; S, B, C, D, E did not, and are named in the detail.
    expect(jan).toMatchObject({ 'members.total': 6, 'members.withoutStudy': 5 })
    expect((await summary('2026-01')).figures.find(f => f.key === 'members.withoutStudy')?.detail).toBe('丙、丁、书记、戊、乙')
    const nov = valuesOf(await summary('2025-11'))
    // Nov: only A's check-in moved to Nov 28 (W48), with no session (it was 1 held week when inferred);
    // P1 dated Nov 20 was open at November's end.
    expect(nov).toMatchObject({ 'branchStudy.held': 0, 'branchStudy.attendance': 0, 'sessions.unlinkedCheckins': 1, 'study.checkins': 1, 'problems.collected': 1, 'problems.open': 1, 'problems.solved': 0, 'service.count': 0, 'notes.count': 0 })
    expect((await summary('2025-11')).sentences).toContain('本月暂无党员社区服务记录。')
  })

  it('lists the rows behind a figure, the same rows the figure counts', async () => {
    const rows = async (figure: string) => {
      const body = await callOk<SummaryRecordsResponse>(app(), S.token, 'GET', `/api/v1/branch/summary/records?month=${MONTH}&figure=${figure}`)
      expect(body.figure.key).toBe(figure)
      return body
    }
    const held = await rows('branchStudy.held')
    expect(held.figure.value).toBe(4)
    // The sign-ins that count: 8, one per member and session (A's Dec 10 is a second W50 check-in).
    expect(held.records).toHaveLength(8)
    expect(new Set(held.records.map(r => r.table === 'studyCheckins' && r.data.week))).toEqual(new Set(['2025-W49', '2025-W50', '2025-W51', '2026-W01']))
    expect(held.records.map(r => r.id)).toContain(ids.movedWeek)
    expect(held.records.map(r => r.id)).not.toContain(ids.movedMonth)
    expect(held.records.map(r => r.id)).not.toContain(ids.deletedStudy)

    const visits = await rows('service.byActivity.visit')
    expect(visits.records.map(r => [r.memberName, r.table === 'serviceLogs' && r.data.enteredByName]).sort()).toEqual([['丁', '书记'], ['甲', null]])
    const inProgress = await rows('problems.inProgress')
    expect(inProgress.records.map(r => r.table === 'problems' && r.data.title).sort()).toEqual(['P2', 'P6'])
    // Today both are solved: the figure is December's, and so are the rows: they show the status at December's end.
    expect(inProgress.records.map(r => r.table === 'problems' && r.data.status)).toEqual(['in_progress', 'in_progress'])
    expect((await rows('problems.collected')).records.map(r => r.table === 'problems' && r.data.title).sort()).toEqual(['P1', 'P2', 'P3', 'P6'])
    expect((await rows('notes.count')).records.map(r => r.memberName).sort()).toEqual(['乙', '甲', '甲'])
    const home = await rows('homeStudy.withMaterial')
    expect(home.records.map(r => r.table === 'studyCheckins' && r.data.materialId)).toEqual([material])
    expect((await rows('exchange.held')).records).toHaveLength(3)
    expect((await rows('problems.withOwner')).records.map(r => r.table === 'problems' && r.data.title).sort()).toEqual(['P1', 'P2'])
    expect((await rows('service.peopleServed')).records).toHaveLength(5)

    expectError(await call(app(), S.token, 'GET', `/api/v1/branch/summary/records?month=${MONTH}&figure=nonsense`), 400, 'validation_failed')
  })

  it('labels figures in English on request, refuses a malformed month, and defaults to last month', async () => {
    const en = await summary(MONTH, 'en')
    expect(en.figures.find(f => f.key === 'branchStudy.rate')).toMatchObject({ label: 'Participation rate', unit: '%' })
    expect(en.sentences[0]).toBe('本月共开展支部集中学习4次，参学党员8人次，参学率33.3%（在职党员参学率50%）。')
    const bad = expectError(await call(app(), S.token, 'GET', '/api/v1/branch/summary?month=2025-13'), 400, 'validation_failed')
    expect(bad.details).toEqual([{ path: 'month', message: 'month 必须是存在的月份，如 2026-11' }])
    const latest = await callOk<SummaryResponse>(app(), S.token, 'GET', '/api/v1/branch/summary')
    expect(latest.month).toBe(shiftMonth(monthOf(todayIn()), -1))
  })
})
