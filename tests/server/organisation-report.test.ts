import type { FastifyInstance } from 'fastify'
import type { Buffer } from 'node:buffer'
import type { SummaryFigure, SummaryResponse } from '../../src/domain/branch'
import type { OrganisationRecordsResponse, OrganisationReportResponse } from '../../src/domain/organisationReport'
import type { ReportConflictBody, ReportResponse } from '../../src/domain/report'
import type { SyncChangeIn } from '../../src/domain/wire'
import type { Member } from './support/api'
import { strFromU8, unzipSync } from 'fflate'
import readXlsxFile from 'read-excel-file/node'
import { beforeAll, describe, expect, it } from 'vitest'
import { branchWith, expectError, freshIp, joinAs, studyChange, useApp, uuid } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { problemChange, push, serviceChange } from './support/branch'
import { joinedOn, leaves, statusFrom } from './support/history'
import { sessionChange } from './support/sessions'

/**
 * The organisation's 阶段性总结 (issue #14) for a fixture month counted by hand: October 2025,
 * Asia/Shanghai, 5 ISO weeks (W40 Sep 29 – W44 Nov 2). 某局党组 has 一支部 and 二支部; 外党委 has 外支部.
 *
 *   一支部: 书记一 S1, 甲 A (在职), 乙 B (退休), 移 M (在职), all from Sep 1; M leaves (转出) on Oct 16.
 *   二支部: 书记二 S2, 丙 C, from Sep 1; 移（新）M2, the same person as M, joins on Oct 16.
 *
 *   一支部: 支部集中学习 Oct 8 (W41) attended by S1, A, M; 学习交流 Oct 10 attended by A; A 自学 Oct 12;
 *     B 居家学习 Oct 9 with a branch material; A visit 2 h 3 people Oct 11, M volunteer 1 h 2 people Oct 13;
 *     problem P1 (A, Oct 5) solved Oct 20 with an owner; M writes a note on Oct 14.
 *     → held 1, attendance 3, attendees 3, rate 3/4 (S1 A B M expected) = 75, in work 3/3 = 100;
 *       exchange 1, seminar 0; check-ins 6 by 4 (S1 A M B); service 2 人次, 3 h, 2 members, 5 served;
 *       problems 1 collected, 1 solved, 1 with an owner; notes 1 by 1; home study 1 (1 member, 1 with material);
 *       members at the month's end 3 (S1 A B: M left), 1 retired, 0 without study; 4 weeks without branch study.
 *   二支部: 支部集中学习 Oct 22 (W43) attended by S2; 专题研讨 Oct 24 attended by C; M2 volunteers 2 h
 *     4 people Oct 25 and writes a note on Oct 25 but studies nothing; problem P2 (C, Oct 20) in progress, with an owner.
 *     → held 1, attendance 1, attendees 1, rate 1/3 (S2 C M2) = 33.3, in work 33.3; exchange 0, seminar 1;
 *       check-ins 2 by 2; service 1 人次, 2 h, 1 member, 4 served; problems 1 collected, 1 in progress,
 *       1 with an owner; notes 1 by 1; members 3 (S2 C M2), 0 retired, 1 without study (M2); 4 weeks without.
 *
 *   某局党组, the sums: held 2, attendance 4, attendees 4, rate 4/7 = 57.1, in work 4/6 = 66.7, exchange 1,
 *     seminar 1, check-ins 8, studied 6, service 3 人次, 5 h, 9 served, problems 2 / solved 1 / in progress 1 /
 *     with an owner 2, notes 2, members 6, retired 1; 8 branch-weeks without.
 *   Before M → M2 is linked the person figures are sums too: service members 2 + 1 = 3, note writers 1 + 1 = 2,
 *   without study 0 + 1 = 1. Linked, M and M2 are one person: service members 2 (A, M), note writers 1 (M),
 *   and nobody without study (M studied in 一支部 this month); every other figure stays the sum.
 */

const MONTH = '2025-10'
const sh = (date: string, hh = 12): number => Date.parse(`${date}T${String(hh).padStart(2, '0')}:00:00+08:00`)

type Inject = Awaited<ReturnType<FastifyInstance['inject']>>
function send(app: FastifyInstance, token: string | null, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown): Promise<Inject> {
  return app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
}
async function ok<T>(res: Inject, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status)
  return res.json<T>()
}

const unescapeXml = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'').replace(/&amp;/g, '&')

/** The .docx's paragraphs (style id and text) and its styles, read with fflate and our own matching. */
function readDocx(bytes: Buffer) {
  const parts = unzipSync(new Uint8Array(bytes))
  const document = strFromU8(parts['word/document.xml']!)
  const body = document.slice(document.indexOf('<w:body>'))
  const paragraphs = [...body.matchAll(/<w:p>([\s\S]*?)<\/w:p>|<w:p [^>]*>([\s\S]*?)<\/w:p>/g)].map((m) => {
    const inner = m[1] ?? m[2] ?? ''
    return {
      style: /<w:pStyle w:val="([^"]+)"/.exec(inner)?.[1] ?? '',
      text: [...inner.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map(t => unescapeXml(t[1]!)).join(''),
    }
  })
  return { paragraphs, styles: strFromU8(parts['word/styles.xml']!) }
}

const valuesOf = (figures: readonly { key: string, value: number | null }[]) => Object.fromEntries(figures.map(f => [f.key, f.value]))

describeEachBackend('organisation report (阶段性总结 of a 党组)', (backend) => {
  const ctx = useStorage(backend)
  const appOf = useApp(() => ctx.storage)
  const app = () => appOf.app
  let S1: Member, A: Member, B: Member, M: Member, S2: Member, C: Member, M2: Member
  let b1: string, b2: string
  let orgId: string, token: string, otherToken: string
  let away: Awaited<ReturnType<typeof branchWith>>
  let inviteOf: Record<string, string>
  const material = uuid()
  const p2 = uuid()

  async function claim(organisationId: string, name: string): Promise<string> {
    const added = (await ctx.storage.organisationSecretaries.add(organisationId, name))!
    const res = await app().inject({ method: 'POST', url: '/api/v1/organisation/claim', payload: { code: added.code }, remoteAddress: freshIp() })
    return (await ok<{ token: string }>(res, 201)).token
  }

  beforeAll(async () => {
    const one = await branchWith(app(), ctx.storage, ['甲', '乙', '移'], '书记一')
    const two = await branchWith(app(), ctx.storage, ['丙'], '书记二')
    away = await branchWith(app(), ctx.storage, ['外党员'], '外书记')
    b1 = one.branchId
    b2 = two.branchId
    inviteOf = { [b1]: one.memberInviteCode, [b2]: two.memberInviteCode }
    S1 = one.secretary
    ;[A, B, M] = one.members as [Member, Member, Member]
    S2 = two.secretary
    ;[C] = two.members as [Member]
    await ctx.storage.db.updateTable('branches').set({ name: '一支部' }).where('id', '=', b1).execute()
    await ctx.storage.db.updateTable('branches').set({ name: '二支部' }).where('id', '=', b2).execute()
    const org = await ctx.storage.organisations.create('某局党组', 'leading_group')
    const other = await ctx.storage.organisations.create('外党委', 'party_committee')
    orgId = org.organisationId
    await ctx.storage.organisations.attach(orgId, b1)
    await ctx.storage.organisations.attach(orgId, b2)
    await ctx.storage.organisations.attach(other.organisationId, away.branchId)
    token = await claim(orgId, '组织管理员')
    otherToken = await claim(other.organisationId, '外组织管理员')

    await joinedOn(app(), S1.token, [S1, A, B, M].map(m => m.id), '2025-09-01')
    await joinedOn(app(), S2.token, [S2, C].map(m => m.id), '2025-09-01')
    await statusFrom(app(), S1.token, B.id, true, '2025-09-01')
    const study = (date: string, form: string, extra: Record<string, unknown> = {}): SyncChangeIn => studyChange(uuid(), 1, { date, form: form as never, ...extra })
    const s = { bs8: uuid(), ex10: uuid(), bs22: uuid(), se24: uuid() }
    await push(app(), S1.token, [sessionChange(s.bs8, 1, { date: '2025-10-08' }), sessionChange(s.ex10, 1, { date: '2025-10-10', form: 'exchange' })])
    await push(app(), S2.token, [sessionChange(s.bs22, 1, { date: '2025-10-22' }), sessionChange(s.se24, 1, { date: '2025-10-24', form: 'seminar' })])
    const p1 = uuid()
    await push(app(), S1.token, [study('2025-10-08', 'branch_study', { sessionId: s.bs8 })])
    await push(app(), A.token, [
      study('2025-10-08', 'branch_study', { sessionId: s.bs8 }),
      study('2025-10-10', 'exchange', { sessionId: s.ex10 }),
      study('2025-10-12', 'self_study'),
      serviceChange(uuid(), 1, { date: '2025-10-11', activity: 'visit', hours: 2, peopleServed: 3 }),
      problemChange(p1, 1, { date: '2025-10-05', title: '楼道灯坏了' }),
    ])
    await push(app(), B.token, [study('2025-10-09', 'home_study', { materialId: material })])
    await push(app(), M.token, [
      study('2025-10-08', 'branch_study', { sessionId: s.bs8 }),
      serviceChange(uuid(), 1, { date: '2025-10-13', activity: 'volunteer', hours: 1, peopleServed: 2 }),
      { table: 'readingNotes', id: uuid(), updatedAt: sh('2025-10-14'), data: { title: '实践论', reflection: '体会' } },
    ])
    await push(app(), S2.token, [study('2025-10-22', 'branch_study', { sessionId: s.bs22 })])
    await push(app(), C.token, [study('2025-10-24', 'seminar', { sessionId: s.se24 }), problemChange(p2, 1, { date: '2025-10-20', title: '路口缺红绿灯' })])
    await ctx.storage.branchAdmin.patchProblem(b1, p1, S1.id, { status: 'solved', ownerName: '社区 王主任' }, sh('2025-10-20'))
    await ctx.storage.branchAdmin.patchProblem(b2, p2, S2.id, { status: 'in_progress', ownerName: '街道 李科长' }, sh('2025-10-22'))
    // M moves: 转出 from 一支部 on Oct 16, joins 二支部 the same day from a new phone.
    await leaves(app(), S1.token, M.id, '2025-10-16', 'transfer')
    M2 = await joinAs(app(), two.memberInviteCode, '移（新）')
    await joinedOn(app(), S2.token, [M2.id], '2025-10-16')
    await push(app(), M2.token, [
      serviceChange(uuid(), 1, { date: '2025-10-25', activity: 'volunteer', hours: 2, peopleServed: 4 }),
      { table: 'readingNotes', id: uuid(), updatedAt: sh('2025-10-25'), data: { title: '矛盾论', reflection: '体会' } },
    ])
  })

  const orgSummary = async () => ok<{ organisation: { figures: SummaryFigure[] }, branches: { branchId: string, name: string, summary: SummaryResponse }[] }>(await send(app(), token, 'GET', `/api/v1/organisation/summary?month=${MONTH}`))
  const report = async (t = token, month = MONTH) => ok<OrganisationReportResponse>(await send(app(), t, 'GET', `/api/v1/organisation/report?month=${month}`))
  const file = async (kind: 'docx' | 'xlsx' | 'csv') => {
    const res = await send(app(), token, 'GET', `/api/v1/organisation/report.${kind}?month=${MONTH}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('某局党组2025年10月阶段性总结')}.${kind}`)
    return res
  }
  const docx = async () => readDocx((await file('docx')).rawPayload)
  const xlsx = async () => readXlsxFile((await file('xlsx')).rawPayload)

  it('rolls up its branches by the hand count, and counts a member who moved branch once', async () => {
    const sums = {
      'branchStudy.held': 2,
      'branchStudy.attendance': 4,
      'branchStudy.members': 4,
      'branchStudy.rate': 57.1,
      'branchStudy.rateActive': 66.7,
      'branchStudy.weeksWithout': 8,
      'exchange.held': 1,
      'seminar.held': 1,
      'study.checkins': 8,
      'study.members': 6,
      'service.count': 3,
      'service.hours': 5,
      'service.peopleServed': 9,
      'problems.collected': 2,
      'problems.solved': 1,
      'problems.inProgress': 1,
      'problems.withOwner': 2,
      'notes.count': 2,
      'homeStudy.retired': 1,
      'homeStudy.retiredMembers': 1,
      'members.total': 6,
      'members.retired': 1,
    }
    const before = await orgSummary()
    expect(valuesOf(before.organisation.figures)).toMatchObject({ ...sums, 'service.members': 3, 'notes.members': 2, 'members.withoutStudy': 1 })
    const branch = (id: string) => valuesOf(before.branches.find(b => b.branchId === id)!.summary.figures)
    expect(branch(b1)).toMatchObject({ 'branchStudy.rate': 75, 'branchStudy.rateActive': 100, 'study.members': 4, 'service.members': 2, 'members.total': 3, 'members.withoutStudy': 0 })
    expect(branch(b2)).toMatchObject({ 'branchStudy.rate': 33.3, 'study.members': 2, 'service.members': 1, 'members.total': 3, 'members.withoutStudy': 1 })
    // Without a link every count is the sum of the branches' (rates recomputed).
    for (const f of before.organisation.figures.filter(f => f.unit !== '%'))
      expect(f.value, f.key).toBe((branch(b1)[f.key] ?? 0) + (branch(b2)[f.key] ?? 0))

    // The organisation secretary says M and M2 are one person.
    const refused = await send(app(), token, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: M2.id, toMemberId: M.id })
    expectError(refused, 400, 'validation_failed') // M2 has not left 二支部
    expectError(await send(app(), token, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: M.id, toMemberId: away.members[0]!.id }), 404, 'not_found')
    expectError(await send(app(), otherToken, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: M.id, toMemberId: M2.id }), 404, 'not_found')
    expectError(await send(app(), token, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: 'x', toMemberId: M2.id }), 400, 'validation_failed')
    // Eight secretaries' phones send the link at once: one stores it, the others are told it is there.
    const racing = await Promise.all(Array.from({ length: 8 }, () => send(app(), token, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: M.id, toMemberId: M2.id })))
    expect(racing.map(r => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
    for (const r of racing.filter(r => r.statusCode === 409))
      expectError(r, 409, 'conflict')
    const linked = await ok<{ transfers: { fromMemberId: string, toMemberId: string }[] }>(racing.find(r => r.statusCode === 201)!, 201)
    expect(linked.transfers).toMatchObject([{ fromMemberId: M.id, toMemberId: M2.id, fromName: '移', toName: '移（新）', leftOn: '2025-10-16' }])
    expectError(await send(app(), token, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: M.id, toMemberId: M2.id }), 409, 'conflict')

    const after = await orgSummary()
    expect(valuesOf(after.organisation.figures)).toMatchObject({ ...sums, 'service.members': 2, 'notes.members': 1, 'members.withoutStudy': 0 })
    expect(after.organisation.figures.find(f => f.key === 'members.withoutStudy')?.detail).toBeUndefined()
    // Each branch's column is still its own secretary's summary.
    for (const [id, secretary] of [[b1, S1], [b2, S2]] as const)
      expect(after.branches.find(b => b.branchId === id)!.summary).toEqual(await ok(await send(app(), secretary.token, 'GET', `/api/v1/branch/summary?month=${MONTH}`)))
    // Every other figure is unchanged by the link.
    for (const f of after.organisation.figures.filter(f => !['service.members', 'notes.members', 'members.withoutStudy'].includes(f.key)))
      expect(f.value, f.key).toBe(before.organisation.figures.find(x => x.key === f.key)!.value)
  })

  describe('the draft', () => {
    it('holds every figure of the roll-up with the summary\'s value, in the seed\'s four parts, read back from Word', async () => {
      const s = await orgSummary()
      const v = valuesOf(s.organisation.figures)
      const draft = await report()
      expect(draft).toMatchObject({ month: MONTH, unitName: '某局党组', organisationId: orgId, revision: 0, finalisedAt: null })
      for (const f of s.organisation.figures)
        expect(draft.figures.find(r => r.key === f.key)?.value, f.key).toBe(f.value)
      // Each branch's column is its own branch report's figures.
      // Branches by name in pinyin (二 èr before 一 yī), as the organisation's summary lists them.
      expect(draft.branches.map(b => b.name)).toEqual(['二支部', '一支部'])
      for (const [id, secretary] of [[b1, S1], [b2, S2]] as const) {
        const own = await ok<ReportResponse>(await send(app(), secretary.token, 'GET', `/api/v1/branch/report?month=${MONTH}`))
        expect(draft.branches.find(b => b.branchId === id)!.figures).toEqual(own.figures)
      }

      const { paragraphs } = await docx()
      const texts = paragraphs.map(p => p.text)
      expect(paragraphs[0]).toEqual({ style: 'GongwenTitle', text: '某局党组主题教育2025年10月阶段性总结' })
      expect(paragraphs.filter(p => p.style.startsWith('GongwenHeading')).map(p => p.text)).toEqual(['一、主题教育开展情况', '（一）下好理论学习先手棋，贯通融合悟思想', '（二）打好为民服务组合拳，实干担当解民忧', '（三）做实推动发展大文章，全力以赴开新局', '二、主要做法及成效', '三、存在问题', '四、下一步工作计划'])
      const has = (text: string) => expect(texts.some(t => t.includes(text)), `${text}\nin\n${texts.join('\n')}`).toBe(true)
      // Written by the 党组 for its system of branches, with the summary's values put in by the test.
      has('指导各支部结合实际制定学习方案')
      has(`全系统现有党支部2个、党员${v['members.total']}名，其中退休党员${v['members.retired']}名。`)
      has(`本月各支部共开展支部集中学习${v['branchStudy.held']}次，参学党员${v['branchStudy.attendance']}人次，参学率${v['branchStudy.rate']}%（在职党员参学率${v['branchStudy.rateActive']}%）`)
      has(`组织学习交流活动${v['exchange.held']}次（按每个支部每月2次，计划4次）`)
      has(`开展专题研讨${v['seminar.held']}次（按每个支部每月1次，计划2次）`)
      has(`本月全系统${v['study.members']}名党员参加学习，学习打卡${v['study.checkins']}次；${v['notes.members']}名党员撰写读书笔记${v['notes.count']}篇`)
      has(`${v['homeStudy.retiredMembers']}名退休党员居家学习${v['homeStudy.retired']}次，其中使用支部学习资料${v['homeStudy.withMaterial']}次。`)
      has(`截至本月底，共收集各类问题${v['problems.collected']}个（本月新收集${v['problems.collectedInMonth']}个），已解决${v['problems.solved']}个，${v['problems.inProgress']}个正在推进过程中。`)
      has(`${v['service.members']}名党员深入一线开展主题教育宣讲${v['service.byActivity.publicity']}人次、走访慰问${v['service.byActivity.visit']}人次、志愿服务${v['service.byActivity.volunteer']}人次、爱心消费${v['service.byActivity.charity_purchase']}人次等社区活动共${v['service.count']}人次，服务时长${v['service.hours']}小时，服务群众${v['service.peopleServed']}人。`)
      // Both problems have a 责任人: the seed's own words.
      has(`共梳理问题${v['problems.collected']}个，全部下派明确责任`)
      // 三、存在问题: the branches that fall short, named.
      has('本月5周中，2个支部有未开展支部集中学习的周（二支部4周、一支部4周）')
      has('学习交流活动未达每月2次的支部2个（二支部（0次）、一支部（1次）），专题研讨未达每月1次的支部1个（一支部（0次））')
      has(`退休党员${v['members.retired']}名，其中参加居家学习的${v['homeStudy.retiredMembers']}名`)
      expect(texts.join('')).not.toMatch(/\{[\w.]+\}/)
    })

    it('exports Excel: a sheet per part, each figure per branch, and the records behind each figure per branch', async () => {
      const s = await orgSummary()
      const draft = await report()
      const sheets = await xlsx()
      expect(sheets.map(x => x.sheet)).toEqual(['标题与开头', '一、主题教育开展情况', '二、主要做法及成效', '三、存在问题', '四、下一步工作计划', '各支部数字', '明细-二支部', '明细-一支部'])
      const part1 = sheets[1]!.data
      const figureRows = part1.filter(r => typeof r[3] === 'string' && /^[a-z]+\.[\w.]+$/i.test(String(r[3])))
      expect(figureRows.length).toBeGreaterThan(20)
      for (const row of figureRows) {
        const f = s.organisation.figures.find(x => x.key === row[3]) ?? draft.figures.find(x => x.key === row[3])
        expect(f, String(row[3])).toBeDefined()
        expect(row[1], f!.key).toEqual(f!.value ?? (f as { text?: string }).text)
      }
      // 各支部数字: 全系统 is the roll-up, each branch column its own summary's value.
      const grid = sheets[5]!.data
      expect(grid[0]).toEqual(['统计项', '全系统', '二支部', '一支部', '单位', '统计键'])
      const summaryRows = grid.slice(1).filter(r => s.organisation.figures.some(f => f.key === r[5]))
      expect(summaryRows.length).toBeGreaterThan(20)
      for (const row of summaryRows) {
        const key = String(row[5])
        expect(row[1], key).toBe(s.organisation.figures.find(f => f.key === key)!.value)
        for (const [i, id] of [[2, b2], [3, b1]] as const)
          expect(row[i], `${key} ${id}`).toBe(s.branches.find(b => b.branchId === id)!.summary.figures.find(f => f.key === key)!.value)
      }
      // Each branch's records sheet lists the rows the records endpoint gives for that branch.
      for (const key of ['branchStudy.held', 'service.count', 'problems.collected', 'notes.count']) {
        const behind = await ok<OrganisationRecordsResponse>(await send(app(), token, 'GET', `/api/v1/organisation/report/records?month=${MONTH}&figure=${key}`))
        expect(behind.branches.map(b => b.name)).toEqual(['二支部', '一支部'])
        for (const [sheet, branchId] of [[sheets[6]!, b2], [sheets[7]!, b1]] as const) {
          const own = behind.branches.find(b => b.branchId === branchId)!
          expect(sheet.data.filter(r => r[1] === key).map(r => r[5]).sort(), `${key} ${sheet.sheet}`).toEqual(own.records.map(r => r.id).sort())
          expect(own.value, key).toBe(s.branches.find(b => b.branchId === branchId)!.summary.figures.find(f => f.key === key)!.value)
        }
      }
      expectError(await send(app(), token, 'GET', `/api/v1/organisation/report/records?month=${MONTH}&figure=nonsense`), 400, 'validation_failed')
    })

    it('exports CSV with the roll-up and each branch', async () => {
      const s = await orgSummary()
      const res = await file('csv')
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
      expect(res.body.startsWith('\uFEFF')).toBe(true)
      const lines = res.body.slice(1).split('\r\n')
      expect(lines[0]).toBe('某局党组2025年10月阶段性总结')
      expect(lines[2]).toBe('统计项,全系统,二支部,一支部,单位,统计键')
      const row = (key: string) => lines.find(l => l.endsWith(`,${key}`))!.split(',')
      const value = (summary: { figures: SummaryFigure[] }, key: string) => String(summary.figures.find(f => f.key === key)!.value)
      for (const key of ['branchStudy.held', 'branchStudy.rate', 'service.members', 'problems.collected']) {
        const summaryOf = (id: string) => s.branches.find(b => b.branchId === id)!.summary
        expect(row(key).slice(1, 4), key).toEqual([value(s.organisation, key), value(summaryOf(b2), key), value(summaryOf(b1), key)])
      }
    })
  })

  describe('editing and 定稿', () => {
    it('keeps the organisation\'s text per month; a stale write gets 409; 定稿 freezes every figure, the branches\' too', async () => {
      const first = await ok<OrganisationReportResponse>(await send(app(), token, 'PUT', '/api/v1/organisation/report', { month: MONTH, revision: 0, paragraphs: [{ id: 'develop.1', template: '党组成员带头调研，全系统共梳理问题{problems.collected}个。' }] }))
      expect(first.revision).toBe(1)
      const stale = await send(app(), token, 'PUT', '/api/v1/organisation/report', { month: MONTH, revision: 0, paragraphs: [{ id: 'develop.1', template: '另一台手机' }] })
      expectError(stale, 409, 'conflict')
      expect(stale.json<ReportConflictBody>().current.paragraphs.find(p => p.id === 'develop.1')!.template).toContain('党组成员带头调研')
      expect((await docx()).paragraphs.map(p => p.text)).toContain('党组成员带头调研，全系统共梳理问题2个。')
      // A branch's own report is another row: untouched.
      expect((await ok<ReportResponse>(await send(app(), S1.token, 'GET', `/api/v1/branch/report?month=${MONTH}`))).paragraphs.find(p => p.id === 'develop.1')!.template).toContain('请填写')

      const wordBefore = (await docx()).paragraphs.map(p => p.text)
      const final = await ok<OrganisationReportResponse>(await send(app(), token, 'POST', '/api/v1/organisation/report/final', { month: MONTH, revision: 1 }))
      expect(final.finalisedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(final.revision).toBe(2)

      // Later: 二支部 holds another branch study in October with C, a new problem is dated Oct 28 in 一支部.
      const late = uuid()
      await push(app(), S2.token, [sessionChange(late, 1, { date: '2025-10-29' })])
      await push(app(), C.token, [studyChange(uuid(), 1, { date: '2025-10-29', form: 'branch_study', sessionId: late })])
      await push(app(), A.token, [problemChange(uuid(), 1, { date: '2025-10-28', title: '补录的问题' })])
      const now = valuesOf((await orgSummary()).organisation.figures)
      expect(now).toMatchObject({ 'branchStudy.held': 3, 'problems.collected': 3 })

      const after = await report()
      expect(after).toEqual(final)
      expect(after.figures.find(f => f.key === 'branchStudy.held')?.value).toBe(2)
      expect(after.branches.find(b => b.branchId === b2)!.figures.find(f => f.key === 'branchStudy.held')?.value).toBe(1)
      const word = (await docx()).paragraphs.map(p => p.text)
      expect(word.slice(0, -1)).toEqual(wordBefore)
      expect(word.at(-1)).toBe(`${Number(final.finalisedOn!.slice(0, 4))}年${Number(final.finalisedOn!.slice(5, 7))}月${Number(final.finalisedOn!.slice(8, 10))}日`)
      const sheets = await xlsx()
      expect(sheets[1]!.data.find(r => r[3] === 'branchStudy.held')?.[1]).toBe(2)
      expect(sheets[5]!.data.find(r => r[5] === 'branchStudy.held')?.slice(1, 4)).toEqual([2, 1, 1])

      expectError(await send(app(), token, 'PUT', '/api/v1/organisation/report', { month: MONTH, revision: 2, paragraphs: [{ id: 'develop.1', template: '改' }] }), 409, 'conflict')
      expectError(await send(app(), token, 'POST', '/api/v1/organisation/report/final', { month: MONTH, revision: 2 }), 409, 'conflict')
    })

    it('refuses malformed writes with a Chinese message and no 5xx', async () => {
      for (const [payload, path] of [
        [{ month: '2025-13', revision: 0, paragraphs: [] }, 'month'],
        [{ month: '2025-09', revision: -1, paragraphs: [] }, 'revision'],
        [{ month: '2025-09', revision: 0, paragraphs: 'x' }, 'paragraphs'],
        [{ month: '2025-09', revision: 0, paragraphs: [{ id: 'nonsense', template: 'x' }] }, 'paragraphs'],
        [{ month: '2025-09', revision: 0, paragraphs: [{ id: 'develop.1', template: 'x'.repeat(5001) }] }, 'paragraphs'],
        [[1], 'month'],
      ] as const) {
        const res = await send(app(), token, 'PUT', '/api/v1/organisation/report', payload)
        expectError(res, 400, 'validation_failed')
        expect(res.json<{ error: { details: { path: string }[], message: string } }>().error.details[0]!.path).toBe(path)
        expect(res.json<{ error: { message: string } }>().error.message).toMatch(/[\u4E00-\u9FA5]/)
      }
    })
  })

  it('is the organisation secretary\'s: a member or branch secretary gets 403, no token 401, another organisation sees only its own', async () => {
    const routes = [
      ['GET', `/api/v1/organisation/report?month=${MONTH}`],
      ['PUT', '/api/v1/organisation/report', { month: MONTH, revision: 0, paragraphs: [] }],
      ['POST', '/api/v1/organisation/report/final', { month: MONTH, revision: 0 }],
      ['GET', `/api/v1/organisation/report.docx?month=${MONTH}`],
      ['GET', `/api/v1/organisation/report.xlsx?month=${MONTH}`],
      ['GET', `/api/v1/organisation/report.csv?month=${MONTH}`],
      ['GET', `/api/v1/organisation/report/records?month=${MONTH}&figure=service.count`],
      ['GET', '/api/v1/organisation/member-transfers'],
      ['POST', '/api/v1/organisation/member-transfers', { fromMemberId: M.id, toMemberId: M2.id }],
    ] as const
    for (const [method, url, payload] of routes) {
      for (const who of [A, S1, S2, away.secretary])
        expectError(await send(app(), who.token, method, url, payload), 403, 'forbidden')
      expect((await send(app(), null, method, url, payload)).statusCode, url).toBe(401)
    }
    // The branch routes refuse the organisation's token.
    expect((await send(app(), token, 'GET', `/api/v1/branch/report?month=${MONTH}`)).statusCode).toBe(401)
    const theirs = await report(otherToken)
    expect(theirs.unitName).toBe('外党委')
    expect(theirs.branches.map(b => b.branchId)).toEqual([away.branchId])
    expect(theirs.figures.find(f => f.key === 'problems.collected')?.value).toBe(0)
    expect(JSON.stringify(theirs)).not.toContain('一支部')
    const records = await ok<OrganisationRecordsResponse>(await send(app(), otherToken, 'GET', `/api/v1/organisation/report/records?month=${MONTH}&figure=service.count`))
    expect(records.branches.map(b => b.branchId)).toEqual([away.branchId])
    expect((await ok<{ transfers: unknown[] }>(await send(app(), otherToken, 'GET', '/api/v1/organisation/member-transfers'))).transfers).toEqual([])
    await ok(await send(app(), otherToken, 'PUT', '/api/v1/organisation/report', { month: '2025-09', revision: 0, paragraphs: [{ id: 'develop.1', template: '外党委的文字' }] }))
    expect(JSON.stringify(await report(token, '2025-09'))).not.toContain('外党委的文字')
  })

  /*
   * Writers at once over one revision (the phones of several secretaries, or one phone's retries):
   * one conditional statement decides, so exactly one is stored and every other gets 409, and the
   * stored text is one writer's whole write (each writes two paragraphs tagged with its number).
   * Over revision 0 (nothing stored: an INSERT that does nothing on conflict) and over a stored one
   * (an UPDATE where the revision is still the one read), for the organisation's and the branch's report.
   */
  describe('concurrent writers', () => {
    const WRITERS = 8
    async function race(kind: 'organisation' | 'branch', who: string, month: string, revision: number) {
      const url = `/api/v1/${kind}/report`
      const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => send(app(), who, 'PUT', url, {
        month,
        revision,
        paragraphs: [{ id: 'develop.1', template: `写入者${i}的推动发展` }, { id: 'plan.2', template: `写入者${i}的计划` }],
      })))
      const won = results.filter(r => r.statusCode === 200)
      expect(won, results.map(r => r.statusCode).join(' ')).toHaveLength(1)
      expect(results.filter(r => r.statusCode === 409)).toHaveLength(WRITERS - 1)
      for (const lost of results.filter(r => r.statusCode === 409))
        expect(lost.json<ReportConflictBody>().current.revision).toBeGreaterThan(revision)
      const stored = await ok<ReportResponse>(await send(app(), who, 'GET', `${url}?month=${month}`))
      expect(stored.revision).toBe(revision + 1)
      const writer = /^写入者(\d+)/.exec(stored.paragraphs.find(p => p.id === 'develop.1')!.template)![1]
      expect(stored.paragraphs.find(p => p.id === 'plan.2')!.template).toBe(`写入者${writer}的计划`)
      expect(won[0]!.json<ReportResponse>().paragraphs.find(p => p.id === 'develop.1')!.template).toBe(`写入者${writer}的推动发展`)
      return stored
    }

    for (const kind of ['organisation', 'branch'] as const) {
      it(`${kind} report: of ${WRITERS} writers over one revision exactly one wins, the others get 409, nothing half stored`, async () => {
        const who = kind === 'organisation' ? token : S1.token
        const month = '2025-07'
        await race(kind, who, month, 0)
        await race(kind, who, month, 1)
        await race(kind, who, month, 2)
        // 定稿 racing writers over the same revision: one of them, never both.
        const results = await Promise.all([
          send(app(), who, 'POST', `/api/v1/${kind}/report/final`, { month, revision: 3 }),
          ...Array.from({ length: 4 }, (_, i) => send(app(), who, 'PUT', `/api/v1/${kind}/report`, { month, revision: 3, paragraphs: [{ id: 'develop.1', template: `迟到${i}` }] })),
        ])
        expect(results.filter(r => r.statusCode === 200), results.map(r => r.statusCode).join(' ')).toHaveLength(1)
        expect(results.filter(r => r.statusCode === 409)).toHaveLength(4)
        const stored = await ok<ReportResponse>(await send(app(), who, 'GET', `/api/v1/${kind}/report?month=${month}`))
        expect(stored.revision).toBe(4)
        if (results[0]!.statusCode === 200)
          expect(stored.finalisedAt).not.toBeNull()
        else
          expect(stored.finalisedAt).toBeNull()
      })
    }
  })

  /**
   * Moves that would contradict each other: rows that all left their branch in November 2025 (so no
   * October figure changes). X (一支部) and Y (二支部) are linked both ways at once: one direction is
   * stored, never both (a loop of two). U → V → W → Z (一、二、一、二支部) is a chain; Z → U would close it
   * into a loop (nobody is "the first row" of a loop), sent alone or together with the chain's links.
   */
  describe('moves that would loop', () => {
    async function leftRows(names: string[]): Promise<Member[]> {
      const rows: Member[] = []
      for (const [i, name] of names.entries()) {
        const [branch, secretary] = i % 2 === 0 ? [b1, S1] : [b2, S2]
        const row = await joinAs(app(), inviteOf[branch]!, name)
        await joinedOn(app(), secretary.token, [row.id], '2025-11-01')
        await leaves(app(), secretary.token, row.id, '2025-11-15', 'transfer')
        rows.push(row)
      }
      return rows
    }
    const link = (from: Member, to: Member) => send(app(), token, 'POST', '/api/v1/organisation/member-transfers', { fromMemberId: from.id, toMemberId: to.id })
    const linksAmong = async (rows: Member[]) => {
      const ids = new Set(rows.map(r => r.id))
      const { transfers } = await ok<{ transfers: { fromMemberId: string, toMemberId: string }[] }>(await send(app(), token, 'GET', '/api/v1/organisation/member-transfers'))
      return transfers.filter(t => ids.has(t.fromMemberId) || ids.has(t.toMemberId)).map(t => `${t.fromMemberId}>${t.toMemberId}`)
    }

    it('links X → Y and Y → X sent at once: exactly one is stored, the other gets 409', async () => {
      const [X, Y] = await leftRows(['调甲', '调乙']) as [Member, Member]
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => i % 2 === 0 ? link(X, Y) : link(Y, X)))
      expect(results.map(r => r.statusCode).sort(), results.map(r => r.body).join('\n')).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
      expect(await linksAmong([X, Y])).toHaveLength(1)
    })

    it('a link that would close a chain into a loop is refused, alone or racing the chain\'s own links', async () => {
      const [U, V, W, Z] = await leftRows(['链一', '链二', '链三', '链四']) as [Member, Member, Member, Member]
      for (const [from, to] of [[U, V], [V, W], [W, Z]] as const)
        await ok(await link(from, to), 201)
      const loop = await link(Z, U)
      expectError(loop, 400, 'validation_failed')
      expect(loop.json<{ error: { details: { path: string, message: string }[] } }>().error.details[0]).toMatchObject({ path: 'toMemberId', message: expect.stringContaining('循环') })
      expect(await linksAmong([U, V, W, Z])).toEqual([`${U.id}>${V.id}`, `${V.id}>${W.id}`, `${W.id}>${Z.id}`])

      const [P, Q, R, T] = await leftRows(['环一', '环二', '环三', '环四']) as [Member, Member, Member, Member]
      const pairs = [[P, Q], [Q, R], [R, T], [T, P]] as const
      const results = await Promise.all([...pairs, ...pairs].map(([from, to]) => link(from, to)))
      expect(results.filter(r => r.statusCode === 201), results.map(r => r.statusCode).join(' ')).toHaveLength(3)
      expect(results.every(r => [201, 400, 409].includes(r.statusCode))).toBe(true)
      const stored = await linksAmong([P, Q, R, T])
      expect(stored).toHaveLength(3)
      expect(pairs.filter(([from, to]) => stored.includes(`${from.id}>${to.id}`))).toHaveLength(3)
    })
  })
})

describeEachBackend('organisation reports migration (0019)', (backend) => {
  it('adds branch_figures and member_transfers to a database at 0016, keeping every report draft', async () => {
    const older = await databaseMigratedTo(backend, '0016_organisation_secretaries')
    try {
      const draft = { scope: 'branch', unit_id: 'b1', month: '2025-10', revision: 3, paragraphs: '[]', figures: null, finalised_at: null, finalised_on: null, finalised_by: null, updated_at: 7, updated_by: 'm1' }
      await older.db.insertInto('report_drafts').values(draft).execute()
      await older.db.destroy()
      const storage = await older.open()
      try {
        const rows = await storage.db.selectFrom('report_drafts').selectAll().execute()
        expect(rows.map(r => ({ ...r, revision: Number(r.revision), updated_at: Number(r.updated_at) }))).toEqual([{ ...draft, branch_figures: null }])
        expect(await storage.reports.get({ scope: 'branch', unitId: 'b1', month: '2025-10' })).toEqual({ revision: 3, paragraphs: [], figures: null, finalisedAt: null, finalisedOn: null, updatedAt: 7 })
        expect(await storage.db.selectFrom('member_transfers').selectAll().execute()).toEqual([])
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
