import type { Buffer } from 'node:buffer'
import type { BranchMembersResponse, BranchProblemsResponse, FormerMembersResponse, GridResponse, MemberHistory, SummaryResponse } from '../../src/domain/branch'
import type { BranchSessionDetailResponse, BranchSessionsResponse } from '../../src/domain/sessions'
import { spawn } from 'node:child_process'
import { expect, it } from 'vitest'
import { monthOf, shiftMonth } from '../../src/domain/summary'
import { todayIn } from '../../src/domain/week'
import { DEMO_SHAPE } from '../../src/server/demo'
import { joinAs, pullAll, useApp } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { callOk } from './support/branch'
import { REPO_ROOT, TSX } from './support/process'

/** `npm run demo`: fills an empty database with a realistic branch, prints how to get in, refuses a used database. */

function runDemo(env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/server/cli/demo.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.once('error', reject)
    child.once('exit', code => resolve({ code, stdout, stderr }))
  })
}

describeEachBackend('demo branch', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  it('fills a fresh database, prints the invite codes, and a secretary who joins sees a living branch', async () => {
    const first = await runDemo(ctx.env)
    expect(first.code, first.stderr).toBe(0)
    const code = /书记邀请码\): ([A-Z2-9]{8})/.exec(first.stdout)?.[1]
    expect(code, first.stdout).toBeDefined()
    expect(first.stdout).toContain('npm start')

    const secretary = await joinAs(app(), code!, '新书记')
    const members = await callOk<BranchMembersResponse>(app(), secretary.token, 'GET', '/api/v1/branch/members')
    // One demo member left last month (转出): gone from the list, among the former members; another retired this month.
    expect(members.members).toHaveLength(DEMO_SHAPE.members)
    // 合并到…: the member who joined again from a new phone last month is listed once, with both
    // phones and the duplicate's records; the duplicate is merged into them and owns nothing.
    const twinName = /(\S+) joined again from a new phone/.exec(first.stdout)?.[1]
    expect(twinName, first.stdout).toBeDefined()
    const twin = members.members.filter(m => m.name === twinName)
    expect(twin).toEqual([expect.objectContaining({ activeDevices: 2 })])
    const merged = await ctx.storage.db.selectFrom('members').select(['id', 'status', 'merged_into']).where('name', '=', twinName!).where('id', '!=', twin[0]!.id).execute()
    expect(merged).toEqual([expect.objectContaining({ status: 'merged', merged_into: twin[0]!.id })])
    expect(await ctx.storage.db.selectFrom('study_checkins').select('id').where('member_id', '=', merged[0]!.id).execute()).toEqual([])
    const since = `${shiftMonth(monthOf(todayIn()), -1)}-01`
    const twinRecords = await callOk<{ records: unknown[] }>(app(), secretary.token, 'GET', `/api/v1/branch/members/${twin[0]!.id}/records?table=studyCheckins&from=${since}`)
    expect(twinRecords.records.length).toBeGreaterThan(0)
    const former = await callOk<FormerMembersResponse>(app(), secretary.token, 'GET', '/api/v1/branch/former-members')
    expect(former.members).toHaveLength(1)
    expect(former.members[0]).toMatchObject({ leftOn: `${shiftMonth(monthOf(todayIn()), -1)}-15`, leftReason: 'transfer' })
    const histories = await Promise.all(members.members.map(m => callOk<MemberHistory>(app(), secretary.token, 'GET', `/api/v1/branch/members/${m.id}/history`)))
    expect(histories.filter(h => h.statuses.some(s => s.retired && s.from === `${monthOf(todayIn())}-01`))).toHaveLength(1)
    expect(members.members.filter(m => m.retired).length).toBeGreaterThan(0)
    expect(members.members.filter(m => m.partyJoinDate).length).toBeGreaterThan(DEMO_SHAPE.members / 2)

    const grid = await callOk<GridResponse>(app(), secretary.token, 'GET', '/api/v1/branch/grid')
    expect(grid.totals.slice(0, -1).every(t => t.studied > DEMO_SHAPE.members / 2)).toBe(true)
    const problems = await callOk<BranchProblemsResponse>(app(), secretary.token, 'GET', '/api/v1/branch/problems')
    expect(problems.counts.open * problems.counts.in_progress * problems.counts.solved).toBeGreaterThan(0)

    const lastMonth = shiftMonth(monthOf(todayIn()), -1)
    const summary = await callOk<SummaryResponse>(app(), secretary.token, 'GET', `/api/v1/branch/summary?month=${lastMonth}`)
    const value = (key: string) => summary.figures.find(f => f.key === key)!.value
    for (const key of ['branchStudy.held', 'branchStudy.attendance', 'exchange.held', 'seminar.held', 'service.count', 'service.hours', 'problems.collected', 'notes.count', 'homeStudy.retired', 'homeStudy.withMaterial'])
      expect(value(key), key).toBeGreaterThan(0)
    expect(value('exchange.held')).toBe(2)
    // The month's meetings are the branch's sessions (issue #13): one branch study a week, signed in
    // to (by id or typed code), with minutes and a few 请假; the oldest retiree was signed in (代签).
    for (const key of ['branchStudy.rate', 'branchStudy.leaves', 'branchStudy.absent', 'sessions.held'])
      expect(value(key), key).toBeGreaterThan(0)
    expect(value('branchStudy.weeksWithout'), JSON.stringify(summary.figures.find(f => f.key === 'branchStudy.weeksWithout'))).toBe(0)
    expect(value('sessions.unlinkedCheckins')).toBe(0)
    const sessions = await callOk<BranchSessionsResponse>(app(), secretary.token, 'GET', `/api/v1/branch/sessions?month=${lastMonth}`)
    expect(sessions.sessions).toHaveLength(value('sessions.held')!)
    expect(sessions.sessions.every(s => s.attended > 0 && s.attended <= s.expected)).toBe(true)
    expect(sessions.sessions.every(s => s.minutes)).toBe(true)
    const withProxy = await Promise.all(sessions.sessions.filter(s => s.form === 'branch_study').map(s => callOk<BranchSessionDetailResponse>(app(), secretary.token, 'GET', `/api/v1/branch/sessions/${s.id}`)))
    expect(withProxy.flatMap(d => d.attended).some(a => a.enteredByName !== null)).toBe(true)
    expect(withProxy.flatMap(d => d.leaves).length).toBeGreaterThan(0)

    // Materials came through the storage API: a member pulls them.
    const member = await joinAs(app(), /党员邀请码\): +([A-Z2-9]{8})/.exec(first.stdout)![1]!, '新党员')
    expect((await pullAll(app(), member.token)).changes.filter(c => c.table === 'materials').length).toBe(DEMO_SHAPE.materials)

    const again = await runDemo(ctx.env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already has a branch')
    // Nothing was added: the demo's members, the new secretary and the new member.
    expect((await callOk<BranchMembersResponse>(app(), secretary.token, 'GET', '/api/v1/branch/members')).members).toHaveLength(DEMO_SHAPE.members + 1)
  })
})
