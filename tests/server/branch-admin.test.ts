import type { BranchMembersResponse, BranchOverviewResponse, BranchProblemsResponse, MemberRecordsResponse } from '../../src/domain/branch'
import type { ProblemServerFields } from '../../src/domain/records'
import type { SyncChangeOut } from '../../src/domain/wire'
import { expect, it } from 'vitest'
import { addDays, todayIn } from '../../src/domain/week'
import { branchWith, checkin, expectError, joinAs, pullAll, studyChange, syncOk, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, callOk, problemChange, push, serviceChange } from './support/branch'

/**
 * The secretary's branch administration (issue #5): who may call it, members (退休, 入党日期,
 * role, 停用设备), invite codes, a member's records, 代录 and the problem register's statuses.
 */

const B = '/api/v1/branch'

describeEachBackend('branch administration', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  // Every endpoint of issue #5, with a body that would be valid for a secretary of `memberId`'s branch.
  function endpoints(memberId: string, problemId: string): [method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown][] {
    return [
      ['GET', B],
      ['POST', `${B}/invite-codes`, { kind: 'member' }],
      ['GET', `${B}/members`],
      ['PATCH', `${B}/members/${memberId}`, { retired: true }],
      ['POST', `${B}/members/${memberId}/revoke-devices`, {}],
      ['GET', `${B}/members/${memberId}/records?table=studyCheckins`],
      ['POST', `${B}/members/${memberId}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: checkin() }],
      ['GET', `${B}/grid`],
      ['GET', `${B}/service-months`],
      ['GET', `${B}/problems`],
      ['PATCH', `${B}/problems/${problemId}`, { status: 'solved' }],
      ['GET', `${B}/summary?month=2026-10`],
      ['GET', `${B}/summary/records?month=2026-10&figure=branchStudy.held`],
      ['GET', `${B}/summary.docx?month=2026-10`],
      ['GET', `${B}/summary.csv?month=2026-10`],
    ]
  }

  it('answers a member 403 forbidden, no token 401, and a revoked device 401 on every endpoint', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['赵一'])
    const a = members[0]!
    const problemId = uuid()
    await push(app(), a.token, [problemChange(problemId, 1)])
    const list = endpoints(a.id, problemId)
    expect(list.length).toBe(15)
    for (const [method, url, payload] of list) {
      expectError(await call(app(), a.token, method, url, payload), 403, 'forbidden')
      expectError(await call(app(), null, method, url, payload), 401, 'unauthorized')
    }
    // A second secretary's devices are revoked by the first: each of its calls is 401 at once.
    const other = await joinAs(app(), (await callOk<BranchOverviewResponse>(app(), secretary.token, 'GET', B)).branch.secretaryInviteCode, '钱二')
    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${other.id}/revoke-devices`, {})).toEqual({ revoked: 1 })
    for (const [method, url, payload] of list)
      expectError(await call(app(), other.token, method, url, payload), 401, 'unauthorized')
  })

  it('shows a secretary of another branch nothing of this one: its ids are 404, its lists hold only its own', async () => {
    const home = await branchWith(app(), ctx.storage, ['孙三'], '书记甲')
    const away = await branchWith(app(), ctx.storage, ['李四'], '书记乙')
    const problemId = uuid()
    await push(app(), home.members[0]!.token, [problemChange(problemId, 1, { title: '本支部的问题' }), studyChange(uuid(), 1)])
    for (const [method, url, payload] of endpoints(home.members[0]!.id, problemId).filter(([, url]) => url.includes(home.members[0]!.id) || url.includes(problemId)))
      expectError(await call(app(), away.secretary.token, method, url, payload), 404, 'not_found')
    // The 404s changed nothing.
    const homeMembers = await callOk<BranchMembersResponse>(app(), home.secretary.token, 'GET', `${B}/members`)
    expect(homeMembers.members.find(m => m.name === '孙三')).toMatchObject({ retired: false, activeDevices: 1 })
    expect((await callOk<BranchProblemsResponse>(app(), home.secretary.token, 'GET', `${B}/problems`)).problems[0]).toMatchObject({ id: problemId, status: 'open' })

    const awayMembers = await callOk<BranchMembersResponse>(app(), away.secretary.token, 'GET', `${B}/members`)
    expect(awayMembers.members.map(m => m.name).sort()).toEqual(['书记乙', '李四'].sort())
    const awayProblems = await callOk<BranchProblemsResponse>(app(), away.secretary.token, 'GET', `${B}/problems`)
    expect(awayProblems).toEqual({ counts: { open: 0, in_progress: 0, solved: 0, total: 0 }, communities: [], problems: [] })
    const grid = await callOk(app(), away.secretary.token, 'GET', `${B}/grid`)
    expect(grid.members.map((m: { name: string }) => m.name).sort()).toEqual(['书记乙', '李四'].sort())
    expect(grid.members.every((m: { weeksStudied: number }) => m.weeksStudied === 0)).toBe(true)
  })

  it('gives the overview: invite codes, counts, and this month\'s Party birthdays with their years', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['周五', '吴六', '郑七'])
    const today = todayIn()
    const [year, month] = [Number(today.slice(0, 4)), today.slice(5, 7)]
    await callOk(app(), secretary.token, 'PATCH', `${B}/members/${members[0]!.id}`, { partyJoinDate: `${year - 30}-${month}-01`, retired: true })
    await callOk(app(), secretary.token, 'PATCH', `${B}/members/${members[1]!.id}`, { partyJoinDate: `${year - 5}-${month === '01' ? '02' : '01'}-15` })
    const overview = await callOk<BranchOverviewResponse>(app(), secretary.token, 'GET', B)
    expect(overview.branch).toMatchObject({ timeZone: 'Asia/Shanghai' })
    expect(overview.branch.memberInviteCode).toMatch(/^[A-Z2-9]{8}$/)
    expect(overview.counts).toEqual({ members: 4, retired: 1, secretaries: 1 })
    expect(overview.partyBirthdaysThisMonth).toEqual([{ id: members[0]!.id, name: '周五', partyJoinDate: `${year - 30}-${month}-01`, years: 30 }])
  })

  it('rotates either invite code: the old one stops opening the branch, the new one opens it with its role', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, [])
    const before = (await callOk<BranchOverviewResponse>(app(), secretary.token, 'GET', B)).branch
    const member = await callOk(app(), secretary.token, 'POST', `${B}/invite-codes`, { kind: 'member' })
    expect(member.kind).toBe('member')
    expect(member.code).not.toBe(before.memberInviteCode)
    const join = (code: string) => app().inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: code, name: '新人' }, remoteAddress: `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` })
    expectError(await join(before.memberInviteCode), 403, 'invalid_invite')
    expect((await join(member.code)).json().member.role).toBe('member')
    const sec = await callOk(app(), secretary.token, 'POST', `${B}/invite-codes`, { kind: 'secretary' })
    expectError(await join(before.secretaryInviteCode), 403, 'invalid_invite')
    expect((await join(sec.code)).json().member.role).toBe('secretary')
    const after = (await callOk<BranchOverviewResponse>(app(), secretary.token, 'GET', B)).branch
    expect([after.memberInviteCode, after.secretaryInviteCode]).toEqual([member.code, sec.code])
    const bad = expectError(await call(app(), secretary.token, 'POST', `${B}/invite-codes`, { kind: 'admin' }), 400, 'validation_failed')
    expect(bad.details).toEqual([{ path: 'kind', message: expect.stringContaining('member') }])
  })

  it('lists members with role, 退休, 入党日期, devices and last contact; patches apply to /me at once', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['王八', '陈九'])
    const [wang] = members as [typeof members[0]]
    await call(app(), wang.token, 'GET', '/api/v1/me')
    const list = await callOk<BranchMembersResponse>(app(), secretary.token, 'GET', `${B}/members`)
    // Secretaries first, then by name in pinyin order (陈 chen before 王 wang).
    expect(list.members.map(m => m.name)).toEqual(['书记', '陈九', '王八'])
    expect(list.members[0]).toMatchObject({ name: '书记', role: 'secretary' })
    const row = list.members.find(m => m.id === wang.id)!
    expect(row).toMatchObject({ role: 'member', retired: false, partyJoinDate: null, activeDevices: 1 })
    expect(row.lastSyncAt).toBeGreaterThan(Date.now() - 60_000)
    expect(row.joinedAt).toBeGreaterThan(Date.now() - 600_000)
    // 陈九 joined but its phone has not called since: never seen.
    expect(list.members.find(m => m.name === '陈九')!.lastSyncAt).toBeNull()

    const patched = await callOk(app(), secretary.token, 'PATCH', `${B}/members/${wang.id}`, { retired: true, partyJoinDate: '1990-07-01', role: 'secretary' })
    expect(patched).toMatchObject({ id: wang.id, retired: true, partyJoinDate: '1990-07-01', role: 'secretary' })
    expect((await call(app(), wang.token, 'GET', '/api/v1/me')).json().member.role).toBe('secretary')
    // Now a secretary, 王八 may read the branch; unmade again, may not.
    await callOk(app(), wang.token, 'GET', `${B}/members`)
    await callOk(app(), secretary.token, 'PATCH', `${B}/members/${wang.id}`, { role: 'member', partyJoinDate: null })
    expect((await call(app(), wang.token, 'GET', '/api/v1/me')).json().member.role).toBe('member')
    expectError(await call(app(), wang.token, 'GET', `${B}/members`), 403, 'forbidden')

    const bad = expectError(await call(app(), secretary.token, 'PATCH', `${B}/members/${wang.id}`, { retired: 'yes', partyJoinDate: addDays(today(), 2), role: 'admin' }), 400, 'validation_failed')
    expect(bad.details!.map(d => d.path).sort()).toEqual(['partyJoinDate', 'retired', 'role'])
    expectError(await call(app(), secretary.token, 'PATCH', `${B}/members/${wang.id}`, {}), 400, 'validation_failed')
    expectError(await call(app(), secretary.token, 'PATCH', `${B}/members/not-a-uuid`, { retired: true }), 404, 'not_found')
  })

  it('refuses to unmake the last secretary, with the reason at role, in Chinese and in English', async () => {
    const { secretary } = await branchWith(app(), ctx.storage, ['冯十'])
    const zh = expectError(await call(app(), secretary.token, 'PATCH', `${B}/members/${secretary.id}`, { role: 'member' }), 400, 'validation_failed')
    expect(zh.details).toEqual([{ path: 'role', message: '支部至少要有一名书记：请先把另一名党员设为书记，再取消这名书记' }])
    const en = expectError(await call(app(), secretary.token, 'PATCH', `${B}/members/${secretary.id}`, { role: 'member' }, { 'accept-language': 'en' }), 400, 'validation_failed')
    expect(en.details![0]!.message).toContain('at least one secretary')
    expect((await call(app(), secretary.token, 'GET', '/api/v1/me')).json().member.role).toBe('secretary')
  })

  it('停用设备 revokes every device of the member at once; the member can join again', async () => {
    const { secretary, members, memberInviteCode } = await branchWith(app(), ctx.storage, ['褚十一'])
    const phone = members[0]!
    // The same member's tablet: a second token of the same member.
    const tablet = await ctx.storage.memberTokens.issue(phone.id)
    expect((await callOk<BranchMembersResponse>(app(), secretary.token, 'GET', `${B}/members`)).members.find(m => m.id === phone.id)!.activeDevices).toBe(2)
    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${phone.id}/revoke-devices`, {})).toEqual({ revoked: 2 })
    expectError(await call(app(), phone.token, 'POST', '/api/v1/sync', { clientId: 'p', cursor: null, changes: [] }), 401, 'unauthorized')
    expectError(await call(app(), tablet, 'GET', '/api/v1/me'), 401, 'unauthorized')
    expect((await callOk<BranchMembersResponse>(app(), secretary.token, 'GET', `${B}/members`)).members.find(m => m.id === phone.id)!.activeDevices).toBe(0)
    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${phone.id}/revoke-devices`, {})).toEqual({ revoked: 0 })
    await joinAs(app(), memberInviteCode, '褚十一')
  })

  it('代录: the row is the member\'s, marked with the secretary\'s name, and the member\'s phone pulls it', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['卫十二'], '蒋书记')
    const elder = members[0]!
    const first = await pullAll(app(), elder.token)
    const id = uuid()
    const entry = { table: 'studyCheckins', id, updatedAt: 5000, data: checkin({ topic: '代录的集中学习', minutes: 90 }) }
    const created = await callOk(app(), secretary.token, 'POST', `${B}/members/${elder.id}/records`, entry, 201)
    expect(created).toEqual({ result: 'applied', rev: expect.any(Number) })
    // The same entry again is harmless: same rev, one row.
    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${elder.id}/records`, entry, 201)).toEqual(created)

    const pulled = await syncOk(app(), elder.token, { cursor: first.cursor })
    expect(pulled.changes).toEqual([{ table: 'studyCheckins', id, rev: created.rev, updatedAt: 5000, deleted: false, data: { ...checkin({ topic: '代录的集中学习', minutes: 90 }), materialId: null, note: null, sessionId: null, sessionCode: null, memberId: elder.id, branchId: elder.branchId, week: expect.any(String), enteredByName: '蒋书记' } }])
    // The member's own rows say null; the secretary's personal rows never include the member's.
    await push(app(), elder.token, [studyChange(uuid(), 6000, { topic: '自己打卡' })])
    const own = await pullAll(app(), elder.token)
    expect(own.changes.map(c => [(c.data as { topic: string }).topic, (c.data as { enteredByName: string | null }).enteredByName]).sort()).toEqual([['代录的集中学习', '蒋书记'], ['自己打卡', null]])
    expect((await pullAll(app(), secretary.token)).changes.filter(c => c.table === 'studyCheckins')).toEqual([])

    // Counted in the completion view, listed in the member's records.
    const week = (await call(app(), secretary.token, 'GET', `${B}/completion`)).json()
    expect(week.members.find((m: { id: string }) => m.id === elder.id)).toMatchObject({ studied: true, checkins: 2 })
    const records = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${elder.id}/records?table=studyCheckins`)
    expect(records.records.map(r => r.table === 'studyCheckins' && r.data.enteredByName)).toContain('蒋书记')

    // Service too; and the member's later edit of the 代录 row wins over an older 代录.
    const serviceId = uuid()
    expect((await callOk(app(), secretary.token, 'POST', `${B}/members/${elder.id}/records`, { ...serviceChange(serviceId, 7000), table: 'serviceLogs' }, 201)).result).toBe('applied')
    await push(app(), elder.token, [{ ...serviceChange(serviceId, 8000, { hours: 3 }) }])
    expect(await callOk(app(), secretary.token, 'POST', `${B}/members/${elder.id}/records`, { ...serviceChange(serviceId, 7500, { hours: 1 }), table: 'serviceLogs' }, 200)).toMatchObject({ result: 'stale' })
    const services = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${elder.id}/records?table=serviceLogs`)
    expect(services.records.map(r => r.table === 'serviceLogs' && r.data.hours)).toEqual([3])
  })

  it('代录 validates like a push (details at data.x), refuses other tables, and never takes over another member\'s id', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['沈十三', '韩十四'])
    const [shen, han] = members as [typeof members[0], typeof members[0]]
    const bad = expectError(await call(app(), secretary.token, 'POST', `${B}/members/${shen.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 1, data: { ...checkin(), minutes: 0, topic: '' } }), 400, 'validation_failed')
    expect(bad.details!.map(d => d.path).sort()).toEqual(['data.minutes', 'data.topic'])
    const table = expectError(await call(app(), secretary.token, 'POST', `${B}/members/${shen.id}/records`, { table: 'readingNotes', id: 'x', updatedAt: -1 }), 400, 'validation_failed')
    expect(table.details!.map(d => d.path).sort()).toEqual(['id', 'table', 'updatedAt'])
    const hansRow = uuid()
    await push(app(), han.token, [studyChange(hansRow, 1, { topic: '韩的记录' })])
    expectError(await call(app(), secretary.token, 'POST', `${B}/members/${shen.id}/records`, { table: 'studyCheckins', id: hansRow, updatedAt: 99, data: checkin() }), 403, 'forbidden')
    const hans = await pullAll(app(), han.token)
    expect(hans.changes.map(c => (c.data as { topic: string }).topic)).toEqual(['韩的记录'])
  })

  it('lists a member\'s records by table and date range, newest first, without deleted rows', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['杨十五'])
    const yang = members[0]!
    const gone = uuid()
    await push(app(), yang.token, [
      studyChange(uuid(), 1, { date: addDays(today(), -20), topic: '早' }),
      studyChange(uuid(), 1, { date: addDays(today(), -10), topic: '中' }),
      studyChange(uuid(), 1, { date: today(), topic: '晚' }),
      studyChange(gone, 1, { date: today(), topic: '删掉的' }),
      { table: 'readingNotes', id: uuid(), updatedAt: Date.now(), data: { title: '论持久战', reflection: '体会' } },
    ])
    await push(app(), yang.token, [{ table: 'studyCheckins', id: gone, updatedAt: 2, deleted: true }])
    const all = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${yang.id}/records`)
    expect(all.table).toBe('studyCheckins')
    expect(all.member).toMatchObject({ id: yang.id, name: '杨十五' })
    expect(all.records.map(r => (r.data as { topic: string }).topic)).toEqual(['晚', '中', '早'])
    const range = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${yang.id}/records?from=${addDays(today(), -15)}&to=${addDays(today(), -1)}`)
    expect(range.records.map(r => (r.data as { topic: string }).topic)).toEqual(['中'])
    const notes = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${yang.id}/records?table=readingNotes&from=${today()}&to=${today()}`)
    expect(notes.records.map(r => r.table === 'readingNotes' && r.data.title)).toEqual(['论持久战'])
    const none = await callOk<MemberRecordsResponse>(app(), secretary.token, 'GET', `${B}/members/${yang.id}/records?table=readingNotes&to=${addDays(today(), -2)}`)
    expect(none.records).toEqual([])
    expectError(await call(app(), secretary.token, 'GET', `${B}/members/${yang.id}/records?table=problems`), 400, 'validation_failed')
    expectError(await call(app(), secretary.token, 'GET', `${B}/members/${yang.id}/records?from=2026-13-01`), 400, 'validation_failed')
  })

  it('problem register: counts, filters, and a status change with a new rev that every member pulls', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['朱十六', '秦十七'])
    const [zhu, qin] = members as [typeof members[0], typeof members[0]]
    const [p1, p2, p3] = [uuid(), uuid(), uuid()]
    await push(app(), zhu.token, [
      problemChange(p1, 1, { title: '楼道灯坏了', community: '东城社区', date: addDays(today(), -3) }),
      problemChange(p2, 1, { title: '垃圾清运不及时', community: '西城社区', category: 'environment', date: addDays(today(), -2) }),
    ])
    await push(app(), qin.token, [problemChange(p3, 1, { title: '老人就餐难', community: '东城社区', date: addDays(today(), -1) })])
    const qinBefore = await pullAll(app(), qin.token)

    const listed = await callOk<BranchProblemsResponse>(app(), secretary.token, 'GET', `${B}/problems`)
    expect(listed.counts).toEqual({ open: 3, in_progress: 0, solved: 0, total: 3 })
    expect(listed.communities).toEqual(['东城社区', '西城社区'])
    expect(listed.problems.map(p => [p.title, p.reporterName])).toEqual([['老人就餐难', '秦十七'], ['垃圾清运不及时', '朱十六'], ['楼道灯坏了', '朱十六']])

    const solved = await callOk(app(), secretary.token, 'PATCH', `${B}/problems/${p1}`, { status: 'solved', ownerName: ' 物业王经理 ', resolution: '已更换灯泡' })
    expect(solved).toMatchObject({ id: p1, status: 'solved', ownerName: '物业王经理', resolution: '已更换灯泡', reporterName: '朱十六', updatedAt: 1 })
    expect(solved.statusUpdatedAt).toBeGreaterThan(Date.now() - 60_000)
    await callOk(app(), secretary.token, 'PATCH', `${B}/problems/${p2}`, { status: 'in_progress' })

    // Every member pulls the change (a new rev past their cursor), the reporter and the others.
    const qinAfter = await syncOk(app(), qin.token, { cursor: qinBefore.cursor })
    const changed = qinAfter.changes.filter(c => c.table === 'problems') as SyncChangeOut<'problems'>[]
    expect(changed.map(c => [c.id, (c.data as ProblemServerFields).status])).toEqual([[p1, 'solved'], [p2, 'in_progress']])
    expect(changed[0]!.rev).toBeGreaterThan(Number(qinBefore.cursor))
    expect(changed[0]!.data).toMatchObject({ ownerName: '物业王经理', resolution: '已更换灯泡', title: '楼道灯坏了' })

    // A clearing patch keeps status, clears the owner.
    expect(await callOk(app(), secretary.token, 'PATCH', `${B}/problems/${p1}`, { status: 'solved', ownerName: null })).toMatchObject({ ownerName: null, resolution: '已更换灯泡' })

    const counts = await callOk<BranchProblemsResponse>(app(), secretary.token, 'GET', `${B}/problems?status=open`)
    expect(counts.counts).toEqual({ open: 1, in_progress: 1, solved: 1, total: 3 })
    expect(counts.problems.map(p => p.id)).toEqual([p3])
    expect((await callOk<BranchProblemsResponse>(app(), secretary.token, 'GET', `${B}/problems?community=${encodeURIComponent('东城社区')}`)).problems.map(p => p.id)).toEqual([p3, p1])
    expect((await callOk<BranchProblemsResponse>(app(), secretary.token, 'GET', `${B}/problems?category=environment`)).problems.map(p => p.id)).toEqual([p2])

    const bad = expectError(await call(app(), secretary.token, 'PATCH', `${B}/problems/${p3}`, { status: 'done', ownerName: 'x'.repeat(41), resolution: 5 }), 400, 'validation_failed')
    expect(bad.details!.map(d => d.path).sort()).toEqual(['ownerName', 'resolution', 'status'])
    expectError(await call(app(), secretary.token, 'GET', `${B}/problems?status=done`), 400, 'validation_failed')
    expectError(await call(app(), secretary.token, 'PATCH', `${B}/problems/${uuid()}`, { status: 'solved' }), 404, 'not_found')

    // The reporter's own later edit of the text keeps the secretary's status.
    await push(app(), zhu.token, [problemChange(p1, 2, { title: '楼道灯又坏了', date: addDays(today(), -3) })])
    const after = await callOk<BranchProblemsResponse>(app(), secretary.token, 'GET', `${B}/problems?status=solved`)
    expect(after.problems.map(p => [p.title, p.status])).toEqual([['楼道灯又坏了', 'solved']])
  })
})
