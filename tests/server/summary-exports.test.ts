import type { Member } from './support/api'
import { strFromU8, unzipSync } from 'fflate'
import { beforeAll, expect, it } from 'vitest'
import { csvField } from '../../src/server/reports/csv'
import { joinAs, studyChange, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, push, serviceChange } from './support/branch'
import { joinedOn } from './support/history'
import { sessionChange } from './support/sessions'

/**
 * The summary's exports: the month's report as a real .docx (unzipped with fflate, its
 * document.xml read) and a CSV for Excel (BOM, CRLF, quoting). Fixture:
 * October 2025, a branch study session on Oct 15 (issue #13: the session is the branch's record) which
 * the secretary and 甲 sign in to with its 签到码 → held 1, 2 人次 of 2 members, 100%.
 */

// The file name a browser saves: RFC 5987 `filename*`, percent-decoded.
function savedName(disposition: string): string {
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition)
  expect(match, disposition).not.toBeNull()
  return decodeURIComponent(match![1]!)
}

const BRANCH = '第一支部 "红旗" & <党员>, 一组'

describeEachBackend('summary exports', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  let S: Member

  beforeAll(async () => {
    const branch = await ctx.storage.createBranch(BRANCH)
    S = await joinAs(app(), branch.secretaryInviteCode, '书记')
    const a = await joinAs(app(), branch.memberInviteCode, '甲')
    // Both were in the branch in October 2025, before their phones joined.
    await joinedOn(app(), S.token, [S.id, a.id], '2025-10-01')
    await push(app(), S.token, [sessionChange(uuid(), 1, { date: '2025-10-15', code: '151015' }), studyChange(uuid(), 1, { date: '2025-10-15', sessionCode: '151015' })])
    await push(app(), a.token, [studyChange(uuid(), 1, { date: '2025-10-15', sessionCode: '151015' }), serviceChange(uuid(), 1, { date: '2025-10-20', activity: 'visit', hours: 1.5 })])
  })

  it('exports the month\'s report as Word: its title and the figures in its sentences, in word/document.xml', async () => {
    const res = await call(app(), S.token, 'GET', '/api/v1/branch/summary.docx?month=2025-10')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="summary-2025-10\.docx"; filename\*=UTF-8''/)
    expect(savedName(String(res.headers['content-disposition']))).toBe(`${BRANCH}2025年10月阶段性总结.docx`)

    // Unzipped with fflate (the docx library writes with JSZip); the text of each paragraph, unescaped.
    const parts = unzipSync(new Uint8Array(res.rawPayload))
    expect(Object.keys(parts)).toEqual(expect.arrayContaining(['[Content_Types].xml', '_rels/.rels', 'word/document.xml', 'word/styles.xml']))
    const xml = strFromU8(parts['word/document.xml']!)
    const texts = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map(p => [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map(m => m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')).join(''))
    // The month's report (issue #14): its title, with the branch's name escaped in the XML, and the figures in its sentences.
    expect(texts[0]).toBe(`${BRANCH}主题教育2025年10月阶段性总结`)
    expect(xml).toMatch(/第一支部 (&quot;|")红旗(&quot;|") &amp; &lt;党员&gt;, 一组/)
    expect(texts.some(t => t.includes('本月共开展支部集中学习1次，参学党员2人次，参学率100%（在职党员参学率100%）。'))).toBe(true)
    expect(texts.some(t => t.includes('1名党员深入社区开展主题教育宣讲0人次、走访慰问1人次、志愿服务0人次、爱心消费0人次等社区活动共1人次，服务时长1.5小时'))).toBe(true)
  })

  it('exports CSV for Excel: BOM, CRLF, a block per section with a header row, quoted where needed', async () => {
    const res = await call(app(), S.token, 'GET', '/api/v1/branch/summary.csv?month=2025-10')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(savedName(String(res.headers['content-disposition']))).toBe(`${BRANCH}2025年10月阶段性总结.csv`)
    const text = res.rawPayload.toString('utf8')
    expect(text.startsWith('\uFEFF')).toBe(true)
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text.replace(/\r\n/g, '')).not.toContain('\n')
    const lines = text.slice(1).split('\r\n')
    expect(lines[0]).toBe('"第一支部 ""红旗"" & <党员>, 一组2025年10月阶段性总结"')
    expect(lines[1]).toBe('统计期间,2025-10-01,2025-10-31')
    const header = '统计项,数值,单位,每月目标,说明,统计键'
    const blocks = lines.flatMap((line, i) => line === header ? [lines[i - 1]] : [])
    expect(blocks).toEqual(['学习情况', '社区服务（双报到双服务）', '为民办实事问题清单', '读书笔记', '退休党员居家学习'])
    expect(lines).toContain('参学率,100,%,,2/2,branchStudy.rate')
    expect(lines).toContain('学习交流活动,0,次,2,,exchange.held')
    expect(lines).toContain('社区活动,1,人次,,,service.count')
    expect(lines).toContain('服务时长,1.5,小时,,,service.hours')
    expect(lines.filter(l => l.endsWith(',branchStudy.held'))).toEqual(['支部集中学习,1,次,,,branchStudy.held'])
    expect(lines).toContain('本月共开展支部集中学习1次，参学党员2人次，参学率100%。')
    // Every figure row has the header's six fields.
    expect(lines.filter(l => /,[a-z]+\.[\w.]+$/i.test(l)).every(l => l.split(',').length === 6)).toBe(true)
  })
})

// A branch's name is typed by a person and heads the CSV: a leading =, +, -, @ or tab would make
// Excel run it as a formula, so such text gets a leading apostrophe (numbers stay numbers).
it('defuses a leading formula sign in a CSV text field, and leaves negative numbers alone', () => {
  expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`)
  expect(['+1', '-1', '@SUM(A1)', '\tx'].map(csvField)).toEqual(['\'+1', '\'-1', '\'@SUM(A1)', '\'\tx'])
  expect(csvField(-3)).toBe('-3')
  expect(csvField('a=b')).toBe('a=b')
})
