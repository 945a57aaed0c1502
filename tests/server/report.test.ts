import type { FastifyInstance } from 'fastify'
import type { Buffer } from 'node:buffer'
import type { SummaryRecordsResponse, SummaryResponse } from '../../src/domain/branch'
import type { ReportConflictBody, ReportResponse } from '../../src/domain/report'
import type { SyncChangeIn } from '../../src/domain/wire'
import type { Member } from './support/api'
import { strFromU8, unzipSync } from 'fflate'
import readXlsxFile from 'read-excel-file/node'
import { beforeAll, describe, expect, it } from 'vitest'
import { branchWith, expectError, studyChange, useApp, uuid } from './support/api'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { problemChange, push, serviceChange } from './support/branch'
import { joinedOn, statusFrom } from './support/history'
import { sessionChange } from './support/sessions'

/**
 * The 阶段性总结 (issue #14) for a fixture month counted by hand: October 2025, Asia/Shanghai.
 * Its ISO weeks: 2025-W40 (Sep 29 – Oct 5), W41, W42, W43, W44 (Oct 27 – Nov 2) → 5 weeks.
 * The branch: 书记 S, 甲 A, 乙 B (在职), 丙 C (退休), 丁 D (在职, never studies), all from Sep 1.
 * Its sessions (组织生活, issue #13), each signed in to by the check-ins that name it:
 *
 *   支部集中学习: W40 (Oct 1: S, A), W42 (Oct 15: S, A, B) → held 2, 5 人次 of S, A, B;
 *     rate 5 / (2 × 5) = 50%, in work 5 / (2 × 4) = 62.5%; 3 weeks without one (W41, W43, W44)
 *   学习交流 Oct 10 (A) → 1 of target 2; 专题研讨 none (target 1); 专题党课 Oct 20 (S) → 1
 *   居家学习: C on Oct 8 with a branch material → 1 time, 1 retired member, 1 with material
 *   check-ins: S 3, A 3, B 1, C 1 = 8 by 4 members; D none → 1 without study, named 丁
 *   service: A visit 2 h 5 people (Oct 12), B volunteer 3 h 10 people (Oct 18) → 2 人次, 5 h, 2 members, 15 served
 *   problems: P1 Oct 5 solved Oct 20 with an owner; P2 Oct 9 in progress Oct 22; P3 Oct 25 open with an
 *     owner → collected 3 (all in October), solved 1, in progress 1, open 1, with an owner 2
 *   reading notes: A, written Oct 20 → 1 note by 1 member
 *
 * The Word file is read back with fflate (the `docx` library writes it with JSZip) and our own
 * XML matching; the workbook with read-excel-file (exceljs writes it).
 */

const MONTH = '2025-10'
const sh = (date: string, hh = 12): number => Date.parse(`${date}T${String(hh).padStart(2, '0')}:00:00+08:00`)

type Inject = Awaited<ReturnType<FastifyInstance['inject']>>
function send(app: FastifyInstance, token: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown): Promise<Inject> {
  return app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
}
async function ok<T>(res: Inject, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status)
  return res.json<T>()
}

const unescapeXml = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'').replace(/&amp;/g, '&')

/** The .docx's parts and each paragraph of document.xml as its style id and its text. */
function readDocx(bytes: Buffer) {
  const parts = unzipSync(new Uint8Array(bytes))
  const xml = (name: string) => strFromU8(parts[name]!)
  const document = xml('word/document.xml')
  const body = document.slice(document.indexOf('<w:body>'))
  const paragraphs = [...body.matchAll(/<w:p>([\s\S]*?)<\/w:p>|<w:p [^>]*>([\s\S]*?)<\/w:p>/g)].map((m) => {
    const inner = m[1] ?? m[2] ?? ''
    return {
      style: /<w:pStyle w:val="([^"]+)"/.exec(inner)?.[1] ?? '',
      text: [...inner.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map(t => unescapeXml(t[1]!)).join(''),
    }
  })
  return { parts, xml, document, paragraphs }
}

/** A style of styles.xml: its fonts, size (half-points) and line spacing. */
function styleOf(styles: string, id: string) {
  const at = styles.indexOf(`w:styleId="${id}"`)
  expect(at, id).toBeGreaterThan(-1)
  const style = styles.slice(at, styles.indexOf('</w:style>', at))
  return {
    eastAsia: /<w:rFonts [^>]*w:eastAsia="([^"]+)"/.exec(style)?.[1],
    size: Number(/<w:sz w:val="(\d+)"/.exec(style)?.[1]),
    line: /<w:spacing [^>]*w:line="(\d+)"/.exec(style)?.[1],
    lineRule: /<w:spacing [^>]*w:lineRule="(\w+)"/.exec(style)?.[1],
    alignment: /<w:jc w:val="(\w+)"/.exec(style)?.[1],
  }
}

describeEachBackend('阶段性总结 report', (backend) => {
  const ctx = useStorage(backend)
  const appOf = useApp(() => ctx.storage)
  const app = () => appOf.app
  let S: Member, A: Member, B: Member, C: Member, D: Member
  let branchId: string
  const material = uuid()
  const ids = { p1: uuid(), p2: uuid(), p3: uuid() }
  const at = { w40: uuid(), w42: uuid(), ex10: uuid(), pl20: uuid(), w43: uuid() }

  beforeAll(async () => {
    const home = await branchWith(app(), ctx.storage, ['甲', '乙', '丙', '丁'], '书记')
    branchId = home.branchId
    S = home.secretary
    ;[A, B, C, D] = home.members as [Member, Member, Member, Member]
    await joinedOn(app(), S.token, [S, A, B, C, D].map(m => m.id), '2025-09-01')
    await statusFrom(app(), S.token, C.id, true, '2025-09-01')
    const study = (date: string, form: string, extra: Record<string, unknown> = {}): SyncChangeIn => studyChange(uuid(), 1, { date, form: form as never, ...extra })
    await push(app(), S.token, [
      sessionChange(at.w40, 1, { date: '2025-10-01' }),
      sessionChange(at.w42, 1, { date: '2025-10-15' }),
      sessionChange(at.ex10, 1, { date: '2025-10-10', form: 'exchange' }),
      sessionChange(at.pl20, 1, { date: '2025-10-20', form: 'party_lecture' }),
    ])
    await push(app(), S.token, [study('2025-10-01', 'branch_study', { sessionId: at.w40 }), study('2025-10-15', 'branch_study', { sessionId: at.w42 }), study('2025-10-20', 'party_lecture', { sessionId: at.pl20 })])
    await push(app(), A.token, [
      study('2025-10-01', 'branch_study', { sessionId: at.w40 }),
      study('2025-10-15', 'branch_study', { sessionId: at.w42 }),
      study('2025-10-10', 'exchange', { sessionId: at.ex10 }),
      serviceChange(uuid(), 1, { date: '2025-10-12', activity: 'visit', hours: 2, peopleServed: 5 }),
      problemChange(ids.p1, 1, { date: '2025-10-05', title: '楼道灯坏了' }),
      problemChange(ids.p2, 1, { date: '2025-10-09', title: '垃圾分类点太远' }),
      problemChange(ids.p3, 1, { date: '2025-10-25', title: '老人就餐难' }),
      { table: 'readingNotes', id: uuid(), updatedAt: sh('2025-10-20'), data: { title: '论持久战', reflection: '体会' } },
    ])
    await push(app(), B.token, [study('2025-10-15', 'branch_study', { sessionId: at.w42 }), serviceChange(uuid(), 1, { date: '2025-10-18', activity: 'volunteer', hours: 3, peopleServed: 10 })])
    await push(app(), C.token, [study('2025-10-08', 'home_study', { materialId: material })])
    const patch = (id: string, status: 'open' | 'in_progress' | 'solved', day: string, ownerName?: string) => ctx.storage.branchAdmin.patchProblem(branchId, id, S.id, { status, ...(ownerName ? { ownerName } : {}) }, sh(day))
    await patch(ids.p1, 'solved', '2025-10-20', '社区 王主任')
    await patch(ids.p2, 'in_progress', '2025-10-22')
    await patch(ids.p3, 'open', '2025-10-26', '街道 李科长')
  })

  const summary = async () => ok<SummaryResponse>(await send(app(), S.token, 'GET', `/api/v1/branch/summary?month=${MONTH}`))
  const report = async (token = S.token) => ok<ReportResponse>(await send(app(), token, 'GET', `/api/v1/branch/report?month=${MONTH}`))
  const docx = async () => {
    const res = await send(app(), S.token, 'GET', `/api/v1/branch/report.docx?month=${MONTH}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    return readDocx(res.rawPayload)
  }
  const xlsx = async () => {
    const res = await send(app(), S.token, 'GET', `/api/v1/branch/report.xlsx?month=${MONTH}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    return readXlsxFile(res.rawPayload)
  }

  describe('before 定稿', () => {
    it('drafts the seed\'s four parts with every figure of the month, as the summary gives it, in Word', async () => {
      const s = await summary()
      const v = Object.fromEntries(s.figures.map(f => [f.key, f.value]))
      // The hand count above.
      expect(v).toMatchObject({
        'branchStudy.held': 2,
        'branchStudy.attendance': 5,
        'branchStudy.rate': 50,
        'branchStudy.rateActive': 62.5,
        'exchange.held': 1,
        'seminar.held': 0,
        'partyLecture.held': 1,
        'study.checkins': 8,
        'study.members': 4,
        'notes.count': 1,
        'notes.members': 1,
        'homeStudy.retired': 1,
        'homeStudy.retiredMembers': 1,
        'homeStudy.withMaterial': 1,
        'service.count': 2,
        'service.hours': 5,
        'service.members': 2,
        'service.peopleServed': 15,
        'service.byActivity.visit': 1,
        'service.byActivity.volunteer': 1,
        'problems.collected': 3,
        'problems.collectedInMonth': 3,
        'problems.solved': 1,
        'problems.inProgress': 1,
        'problems.open': 1,
        'problems.withOwner': 2,
        'members.total': 5,
        'members.retired': 1,
        'members.withoutStudy': 1,
      })
      const draft = await report()
      expect(draft).toMatchObject({ month: MONTH, revision: 0, finalisedAt: null, finalisedOn: null })
      for (const f of s.figures)
        expect(draft.figures.find(r => r.key === f.key)?.value, f.key).toBe(f.value)

      const { paragraphs } = await docx()
      const texts = paragraphs.map(p => p.text)
      const headings = paragraphs.filter(p => p.style === 'GongwenHeading1' || p.style === 'GongwenHeading2').map(p => p.text)
      expect(headings).toEqual(['一、主题教育开展情况', '（一）下好理论学习先手棋，贯通融合悟思想', '（二）打好为民服务组合拳，实干担当解民忧', '（三）做实推动发展大文章，全力以赴开新局', '二、主要做法及成效', '三、存在问题', '四、下一步工作计划'])
      expect(paragraphs[0]).toEqual({ style: 'GongwenTitle', text: expect.stringMatching(/主题教育2025年10月阶段性总结$/) })
      const has = (text: string) => expect(texts.some(t => t.includes(text)), `${text}\nin\n${texts.join('\n')}`).toBe(true)
      // Each sentence with the summary's values put in by the test (not by the report's own renderer).
      has(`支部现有党员${v['members.total']}名，其中退休党员${v['members.retired']}名。`)
      has(`本月共开展支部集中学习${v['branchStudy.held']}次，参学党员${v['branchStudy.attendance']}人次，参学率${v['branchStudy.rate']}%（在职党员参学率${v['branchStudy.rateActive']}%）。`)
      has(`组织学习交流活动${v['exchange.held']}次（计划每月2次），开展专题研讨${v['seminar.held']}次（计划每月1次），举办专题党课${v['partyLecture.held']}次、主题党日${v['partyDay.held']}次、读书班${v['readingClass.held']}期、专题培训${v['training.held']}期`)
      has(`本月${v['study.members']}名党员参加学习，学习打卡${v['study.checkins']}次；${v['notes.members']}名党员撰写读书笔记${v['notes.count']}篇`)
      has(`${v['homeStudy.retiredMembers']}名退休党员居家学习${v['homeStudy.retired']}次，其中使用支部学习资料${v['homeStudy.withMaterial']}次。`)
      has(`${v['service.members']}名党员深入社区开展主题教育宣讲${v['service.byActivity.publicity']}人次、走访慰问${v['service.byActivity.visit']}人次、志愿服务${v['service.byActivity.volunteer']}人次、爱心消费${v['service.byActivity.charity_purchase']}人次等社区活动共${v['service.count']}人次，服务时长${v['service.hours']}小时，服务群众${v['service.peopleServed']}人。`)
      has(`截至本月底，共收集各类问题${v['problems.collected']}个（本月新收集${v['problems.collectedInMonth']}个），已解决${v['problems.solved']}个，${v['problems.inProgress']}个正在推进过程中。`)
      has(`共梳理问题${v['problems.collected']}个，其中${v['problems.withOwner']}个已下派明确责任`)
      // 三、存在问题: the evidence of the records.
      has(`本月支部${v['members.total']}名党员中，${v['members.withoutStudy']}名未参加任何学习（丁）；退休党员${v['members.retired']}名，其中参加居家学习的${v['homeStudy.retiredMembers']}名`)
      has(`本月5周中有3周未开展支部集中学习，参学率${v['branchStudy.rate']}%`)
      has(`本月组织学习交流活动${v['exchange.held']}次（计划每月2次）、专题研讨${v['seminar.held']}次（计划每月1次）`)
      has(`紧盯${v['problems.inProgress']}个正在推进、${v['problems.open']}个待解决的问题`)
      // No placeholder is left unfilled.
      expect(texts.join('')).not.toMatch(/\{[\w.]+\}/)
    })

    it('sets the 公文 styles: A4, GB/T 9704 margins, 小标宋 title 22 pt, 仿宋 body 16 pt, 黑体 / 楷体 headings, exact 28-pt lines, page numbers', async () => {
      const { xml, document } = await docx()
      const styles = xml('word/styles.xml')
      expect(styleOf(styles, 'GongwenTitle')).toMatchObject({ eastAsia: '方正小标宋简体', size: 44, line: '560', lineRule: 'exact', alignment: 'center' })
      expect(styleOf(styles, 'GongwenBody')).toMatchObject({ eastAsia: '仿宋_GB2312', size: 32, line: '560', lineRule: 'exact' })
      expect(styleOf(styles, 'GongwenHeading1')).toMatchObject({ eastAsia: '黑体', size: 32, line: '560', lineRule: 'exact' })
      expect(styleOf(styles, 'GongwenHeading2')).toMatchObject({ eastAsia: '楷体_GB2312', size: 32, line: '560', lineRule: 'exact' })
      // The fonts' alternatives where they are missing.
      const fonts = xml('word/fontTable.xml')
      for (const [font, alt] of [['方正小标宋简体', '宋体'], ['仿宋_GB2312', '仿宋'], ['楷体_GB2312', '楷体']])
        expect(fonts).toContain(`<w:font w:name="${font}"><w:altName w:val="${alt}"/>`)
      // A4 (210 × 297 mm) and margins 37 / 35 / 28 / 26 mm, in twips (1 mm = 1440 / 25.4).
      const mm = (twips: string | undefined) => Math.round(Number(twips) * 25.4 / 1440)
      const size = /<w:pgSz [^>]*w:w="(\d+)"[^>]*w:h="(\d+)"/.exec(document)!
      expect([mm(size[1]), mm(size[2])]).toEqual([210, 297])
      const margin = (side: string) => mm(new RegExp(`<w:pgMar [^>]*w:${side}="(\\d+)"`).exec(document)?.[1])
      expect(['top', 'bottom', 'left', 'right'].map(margin)).toEqual([37, 35, 28, 26])
      // The footer holds the PAGE field.
      const footerId = /<w:footerReference [^>]*r:id="(\w+)"/.exec(document)?.[1]
      const rels = xml('word/_rels/document.xml.rels')
      const footer = new RegExp(`Id="${footerId}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${footerId}"`).exec(rels)?.[1]
      expect(xml(`word/${footer}`)).toMatch(/<w:instrText[^>]*>\s*PAGE\s*<\/w:instrText>/)
    })

    it('exports Excel: a sheet per part with the figures it cites, and the records behind each', async () => {
      const s = await summary()
      const sheets = await xlsx()
      expect(sheets.map(x => x.sheet)).toEqual(['标题与开头', '一、主题教育开展情况', '二、主要做法及成效', '三、存在问题', '四、下一步工作计划', '数据明细'])
      const part1 = sheets[1]!.data
      // Figure rows: 统计项, 数值, 单位, 统计键, each value the summary's.
      const figureRows = part1.filter(r => typeof r[3] === 'string' && /^[a-z]+\.[\w.]+$/i.test(String(r[3])))
      expect(figureRows.length).toBeGreaterThan(20)
      for (const row of figureRows) {
        const f = s.figures.find(x => x.key === row[3])
        expect(f, String(row[3])).toBeDefined()
        expect([row[0], row[1]], f!.key).toEqual([f!.label, f!.value])
      }
      expect(part1.some(r => String(r[0]).startsWith('一是抓好集中学习。依托“三会一课”、主题党日等，每周开展一次支部集中研学。本月共开展支部集中学习2次，参学党员5人次，参学率50%')), JSON.stringify(part1.map(r => r[0]))).toBe(true)
      // 数据明细: one row per record behind each cited figure, as many as the records endpoint lists.
      const detail = sheets.at(-1)!.data
      expect(detail[0]).toEqual(['统计项', '统计键', '党员', '日期', '内容', '记录ID'])
      for (const key of ['branchStudy.held', 'service.count', 'problems.withOwner', 'homeStudy.retired']) {
        const behind = await ok<SummaryRecordsResponse>(await send(app(), S.token, 'GET', `/api/v1/branch/summary/records?month=${MONTH}&figure=${key}`))
        const rows = detail.filter(r => r[1] === key)
        expect(rows.map(r => r[5]).sort(), key).toEqual(behind.records.map(r => r.id).sort())
      }
      expect(detail.filter(r => r[1] === 'problems.withOwner').map(r => r[4]).sort()).toEqual(['楼道灯坏了（已解决，责任人：社区 王主任）', '老人就餐难（待解决，责任人：街道 李科长）'])
    })
  })

  describe('editing and 定稿', () => {
    it('keeps the secretary\'s text per month; a stale write gets 409 with the current text, never overwriting it', async () => {
      const draft = await report()
      const develop = draft.paragraphs.find(p => p.id === 'develop.1')!
      expect(develop.template).toContain('请填写')
      const first = await ok<ReportResponse>(await send(app(), S.token, 'PUT', '/api/v1/branch/report', { month: MONTH, revision: 0, paragraphs: [{ id: 'develop.1', template: '围绕社区养老开展调研，形成调研报告1篇。' }] }))
      expect(first.revision).toBe(1)
      // A second phone still at revision 0.
      const stale = await send(app(), S.token, 'PUT', '/api/v1/branch/report', { month: MONTH, revision: 0, paragraphs: [{ id: 'develop.1', template: '另一台手机的文字' }] })
      expectError(stale, 409, 'conflict')
      const body = stale.json<ReportConflictBody>()
      expect(body.current.revision).toBe(1)
      expect(body.current.paragraphs.find(p => p.id === 'develop.1')!.template).toBe('围绕社区养老开展调研，形成调研报告1篇。')
      // Written over the current revision, with a figure placeholder kept live.
      const second = await ok<ReportResponse>(await send(app(), S.token, 'PUT', '/api/v1/branch/report', { month: MONTH, revision: 1, paragraphs: [{ id: 'develop.1', template: '围绕社区养老开展调研，结合{problems.collected}个群众问题形成调研报告1篇。' }] }))
      expect(second.revision).toBe(2)
      const { paragraphs } = await docx()
      expect(paragraphs.map(p => p.text)).toContain('围绕社区养老开展调研，结合3个群众问题形成调研报告1篇。')
      // Another month is untouched.
      expect((await ok<ReportResponse>(await send(app(), S.token, 'GET', '/api/v1/branch/report?month=2025-09'))).revision).toBe(0)
    })

    it('refuses malformed writes with a Chinese message and no 5xx', async () => {
      const put = (payload: unknown) => send(app(), S.token, 'PUT', '/api/v1/branch/report', payload)
      for (const [payload, path] of [
        [{ month: '2025-13', revision: 2, paragraphs: [] }, 'month'],
        [{ month: MONTH, revision: -1, paragraphs: [] }, 'revision'],
        [{ month: MONTH, revision: 1.5, paragraphs: [] }, 'revision'],
        [{ month: MONTH, revision: 2, paragraphs: 'x' }, 'paragraphs'],
        [{ month: MONTH, revision: 2, paragraphs: [{ id: 'nonsense', template: 'x' }] }, 'paragraphs'],
        [{ month: MONTH, revision: 2, paragraphs: [{ id: 'develop.1', template: 'x'.repeat(5001) }] }, 'paragraphs'],
        [{ month: MONTH, revision: 2, paragraphs: [{ id: 'develop.1', template: 7 }] }, 'paragraphs'],
        [[1, 2], 'month'],
      ] as const) {
        const res = await put(payload)
        expectError(res, 400, 'validation_failed')
        expect(res.json<{ error: { details: { path: string, message: string }[] } }>().error.details[0]!.path).toBe(path)
        expect(res.json<{ error: { message: string } }>().error.message).toMatch(/[\u4E00-\u9FA5]/)
      }
    })

    it('定稿 freezes figures and text with the day: a later record changes the summary, not the report', async () => {
      const before = await report()
      const wordBefore = (await docx()).paragraphs.map(p => p.text)
      const final = await ok<ReportResponse>(await send(app(), S.token, 'POST', '/api/v1/branch/report/final', { month: MONTH, revision: before.revision }))
      expect(final.finalisedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(final.finalisedAt).toBeGreaterThan(0)
      expect(final.revision).toBe(before.revision + 1)

      // Later: a branch study on Oct 22 (W43) is entered with 丁 signed in, a new problem is dated Oct 28, P2 gets solved in October.
      await push(app(), S.token, [sessionChange(at.w43, 1, { date: '2025-10-22' })])
      await push(app(), D.token, [studyChange(uuid(), 1, { date: '2025-10-22', form: 'branch_study', sessionId: at.w43 })])
      await push(app(), A.token, [problemChange(uuid(), 1, { date: '2025-10-28', title: '补录的问题' })])
      await ctx.storage.branchAdmin.patchProblem(branchId, ids.p2, S.id, { status: 'solved', statusDate: '2025-10-30' }, sh('2025-10-30'))
      const now = Object.fromEntries((await summary()).figures.map(f => [f.key, f.value]))
      expect(now).toMatchObject({ 'branchStudy.held': 3, 'problems.collected': 4, 'problems.solved': 2, 'members.withoutStudy': 0 })

      const after = await report()
      expect(after).toEqual(final)
      expect(after.figures.find(f => f.key === 'branchStudy.held')?.value).toBe(2)
      const word = (await docx()).paragraphs.map(p => p.text)
      expect(word.slice(0, -1)).toEqual(wordBefore)
      expect(word.at(-1)).toBe(`${Number(final.finalisedOn!.slice(0, 4))}年${Number(final.finalisedOn!.slice(5, 7))}月${Number(final.finalisedOn!.slice(8, 10))}日`)
      const sheets = await xlsx()
      expect(sheets[1]!.data.find(r => r[3] === 'branchStudy.held')?.[1]).toBe(2)
      // The summary's own Word export is the report too.
      const summaryDocx = await send(app(), S.token, 'GET', `/api/v1/branch/summary.docx?month=${MONTH}`)
      expect(readDocx(summaryDocx.rawPayload).paragraphs.map(p => p.text)).toEqual(word)

      // A finalised report takes no more writes, nor a second 定稿.
      const write = await send(app(), S.token, 'PUT', '/api/v1/branch/report', { month: MONTH, revision: final.revision, paragraphs: [{ id: 'develop.1', template: '改' }] })
      expectError(write, 409, 'conflict')
      expect(write.json<ReportConflictBody>().current).toEqual(final)
      expectError(await send(app(), S.token, 'POST', '/api/v1/branch/report/final', { month: MONTH, revision: final.revision }), 409, 'conflict')
    })
  })

  it('is the secretary\'s alone: a member gets 403, another branch\'s secretary sees and changes only their own', async () => {
    for (const [method, url, payload] of [
      ['GET', `/api/v1/branch/report?month=${MONTH}`],
      ['PUT', '/api/v1/branch/report', { month: MONTH, revision: 0, paragraphs: [] }],
      ['POST', '/api/v1/branch/report/final', { month: MONTH, revision: 0 }],
      ['GET', `/api/v1/branch/report.docx?month=${MONTH}`],
      ['GET', `/api/v1/branch/report.xlsx?month=${MONTH}`],
    ] as const)
      expectError(await send(app(), A.token, method, url, payload), 403, 'forbidden')
    const away = await branchWith(app(), ctx.storage, ['外支部党员'], '外支部书记')
    const theirs = await report(away.secretary.token)
    expect(theirs.unitName).not.toBe((await report()).unitName)
    expect(theirs.revision).toBe(0)
    expect(theirs.figures.find(f => f.key === 'branchStudy.held')?.value).toBe(0)
    expect(JSON.stringify(theirs)).not.toContain('围绕社区养老')
    await ok(await send(app(), away.secretary.token, 'PUT', '/api/v1/branch/report', { month: MONTH, revision: 0, paragraphs: [{ id: 'develop.1', template: '外支部的文字' }] }))
    expect(JSON.stringify(await report())).not.toContain('外支部的文字')
  })
})

describeEachBackend('report drafts migration (0014)', (backend) => {
  it('adds report_drafts to a database at 0011 and keeps every existing row', async () => {
    const older = await databaseMigratedTo(backend, '0011_membership_history')
    try {
      await older.db.insertInto('branches').values({ id: 'b1', name: '老支部', time_zone: 'Asia/Shanghai', member_invite_code: 'm-code', secretary_invite_code: 's-code', created_at: 1 }).execute()
      await older.db.insertInto('members').values({ id: 'm1', branch_id: 'b1', name: '老党员', role: 'secretary', status: 'active', created_at: 1 }).execute()
      // PostgreSQL's raw driver reads bigint as text, the server's as numbers.
      const rows = (list: Record<string, unknown>[]) => list.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])))
      const before = { branches: rows(await older.db.selectFrom('branches').selectAll().execute()), members: rows(await older.db.selectFrom('members').selectAll().execute()) }
      await older.db.destroy()
      const storage = await older.open()
      try {
        // Later migrations may add columns: every old column keeps its value.
        const old = (list: Record<string, unknown>[], like: Record<string, unknown>[]) => rows(list).map((r, i) => Object.fromEntries(Object.keys(like[i] ?? {}).map(k => [k, r[k]])))
        expect(old(await storage.db.selectFrom('branches').selectAll().execute(), before.branches)).toEqual(before.branches)
        expect(old(await storage.db.selectFrom('members').selectAll().execute(), before.members)).toEqual(before.members)
        const unit = { scope: 'branch' as const, unitId: 'b1', month: '2025-10' }
        expect(await storage.reports.get(unit)).toBeUndefined()
        const written = await storage.reports.write(unit, 0, [{ id: 'title', kind: 'title', template: '标题' }], 'm1', 5)
        expect(written).toEqual({ ok: { revision: 1, paragraphs: [{ id: 'title', kind: 'title', template: '标题' }], figures: null, finalisedAt: null, finalisedOn: null, updatedAt: 5 } })
        // The same revision again is stale: the stored one is 1.
        expect(await storage.reports.write(unit, 0, [], 'm1', 6)).toEqual({ conflict: (written as { ok: unknown }).ok })
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
