import type { GridResponse, ServiceMonthsResponse } from '../../src/domain/branch'
import type { Member } from './support/api'
import { beforeAll, expect, it } from 'vitest'
import { currentWeek, shiftWeek } from '../../src/domain/week'
import { branchWith, expectError, studyChange, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call, callOk, push, serviceChange } from './support/branch'
import { joinedOn, statusFrom } from './support/history'

/**
 * The completion grid (weeks × members) and service by month. Fixture, counted by hand: members
 * 书记 S, 甲 A, 乙 B and the retired 丙 C; weeks 2025-W50 … 2026-W02 (2025 has 52 weeks, so 5 columns).
 *   A: W49 (outside the range), W50 twice (30 + 45 min), W52 (60 min)
 *   B: W51 deleted, 2026-W01 (40 min)
 *   C: W50 (20 min)
 * Totals of 4 members: W50 2 (50%), W51 0 (0%), W52 1 (25%), W01 1 (25%), W02 0 (0%).
 */

describeEachBackend('completion grid and service months', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app
  let S: Member, A: Member, B: Member, C: Member

  beforeAll(async () => {
    const branch = await branchWith(app(), ctx.storage, ['甲', '乙', '丙'])
    S = branch.secretary
    ;[A, B, C] = branch.members as [Member, Member, Member]
    // All four were in the branch from November 2025, C retired from then (the weeks are counted from the history).
    await joinedOn(app(), S.token, [S, A, B, C].map(m => m.id), '2025-11-01')
    await statusFrom(app(), S.token, C.id, true, '2025-11-01')
    const gone = uuid()
    await push(app(), A.token, [
      studyChange(uuid(), 1, { date: '2025-12-03', minutes: 90 }), // W49
      studyChange(uuid(), 1, { date: '2025-12-08', minutes: 30 }), // W50
      studyChange(uuid(), 1, { date: '2025-12-14', minutes: 45, form: 'self_study' }), // W50
      studyChange(uuid(), 1, { date: '2025-12-22', minutes: 60 }), // W52
    ])
    await push(app(), B.token, [studyChange(gone, 1, { date: '2025-12-16' }), studyChange(uuid(), 1, { date: '2026-01-01', minutes: 40 })])
    await push(app(), B.token, [{ table: 'studyCheckins', id: gone, updatedAt: 2, deleted: true }])
    await push(app(), C.token, [studyChange(uuid(), 1, { date: '2025-12-10', minutes: 20, form: 'home_study' })])

    // Service: Nov 30 A 2 h; Dec 1 B 1.5 h; Dec 31 A 1 h; Dec 10 C 3 h deleted → Nov 2 h/1/1, Dec 2.5 h/2/2, Jan 0.
    const deleted = uuid()
    await push(app(), A.token, [serviceChange(uuid(), 1, { date: '2025-11-30', hours: 2 }), serviceChange(uuid(), 1, { date: '2025-12-31', hours: 1 })])
    await push(app(), B.token, [serviceChange(uuid(), 1, { date: '2025-12-01', hours: 1.5 })])
    await push(app(), C.token, [serviceChange(deleted, 1, { date: '2025-12-10', hours: 3 })])
    await push(app(), C.token, [{ table: 'serviceLogs', id: deleted, updatedAt: 2, deleted: true }])
  })

  const grid = (query: string) => callOk<GridResponse>(app(), S.token, 'GET', `/api/v1/branch/grid?${query}`)

  it('lays out each member\'s weeks with minutes and check-ins, and per-week totals', async () => {
    const body = await grid('from=2025-W50&to=2026-W02')
    expect(body.weeks).toEqual(['2025-W50', '2025-W51', '2025-W52', '2026-W01', '2026-W02'])
    expect(body.group).toBe('all')
    const row = (m: Member) => body.members.find(r => r.id === m.id)!
    const no = { studied: false, minutes: 0, checkins: 0, counted: true }
    expect(row(A)).toMatchObject({ name: '甲', role: 'member', retired: false, weeksStudied: 2, minutes: 135 })
    expect(row(A).cells).toEqual([{ studied: true, minutes: 75, checkins: 2, counted: true }, no, { studied: true, minutes: 60, checkins: 1, counted: true }, no, no])
    expect(row(B).cells).toEqual([no, no, no, { studied: true, minutes: 40, checkins: 1, counted: true }, no])
    expect(row(C)).toMatchObject({ retired: true, weeksStudied: 1, minutes: 20 })
    expect(row(S)).toMatchObject({ role: 'secretary', weeksStudied: 0, minutes: 0 })
    expect(body.totals).toEqual([
      { week: '2025-W50', studied: 2, total: 4, rate: 50 },
      { week: '2025-W51', studied: 0, total: 4, rate: 0 },
      { week: '2025-W52', studied: 1, total: 4, rate: 25 },
      { week: '2026-W01', studied: 1, total: 4, rate: 25 },
      { week: '2026-W02', studied: 0, total: 4, rate: 0 },
    ])
  })

  it('filters 在职 and 退休: rows and totals count only the group', async () => {
    const retired = await grid('from=2025-W50&to=2025-W51&group=retired')
    expect(retired.members.map(m => m.name)).toEqual(['丙'])
    expect(retired.totals).toEqual([{ week: '2025-W50', studied: 1, total: 1, rate: 100 }, { week: '2025-W51', studied: 0, total: 1, rate: 0 }])
    const active = await grid('from=2025-W50&to=2025-W50&group=active')
    expect(active.members.map(m => m.id).sort()).toEqual([S.id, A.id, B.id].sort())
    expect(active.totals).toEqual([{ week: '2025-W50', studied: 1, total: 3, rate: 33.3 }])
  })

  it('defaults to the 12 weeks up to the current one, and refuses bad ranges and groups', async () => {
    const body = await callOk<GridResponse>(app(), S.token, 'GET', '/api/v1/branch/grid')
    expect(body.weeks).toHaveLength(12)
    expect(body.weeks.at(-1)).toBe(currentWeek())
    expect(body.weeks[0]).toBe(shiftWeek(currentWeek(), -11))
    expect(body.members).toHaveLength(4)
    expect((await grid('from=2024-W01&to=2025-W52')).weeks).toHaveLength(104)
    for (const query of ['from=2024-W01&to=2026-W01', 'from=2026-W02&to=2025-W50', 'from=2025-W54', 'to=2025-12-01'])
      expect(expectError(await call(app(), S.token, 'GET', `/api/v1/branch/grid?${query}`), 400, 'validation_failed').details![0]!.message).toContain('104')
    expect(expectError(await call(app(), S.token, 'GET', '/api/v1/branch/grid?group=left'), 400, 'validation_failed').details).toEqual([{ path: 'group', message: 'group 必须是 all、active 或 retired' }])
  })

  it('sums service by month, every month of the range present', async () => {
    const months = await callOk<ServiceMonthsResponse>(app(), S.token, 'GET', '/api/v1/branch/service-months?from=2025-11&to=2026-01')
    expect(months).toEqual([
      { month: '2025-11', hours: 2, count: 1, members: 1 },
      { month: '2025-12', hours: 2.5, count: 2, members: 2 },
      { month: '2026-01', hours: 0, count: 0, members: 0 },
    ])
    const latest = await callOk<ServiceMonthsResponse>(app(), S.token, 'GET', '/api/v1/branch/service-months')
    expect(latest).toHaveLength(12)
    for (const query of ['from=2023-01&to=2026-01', 'from=2026-01&to=2025-12', 'from=2025-13'])
      expectError(await call(app(), S.token, 'GET', `/api/v1/branch/service-months?${query}`), 400, 'validation_failed')
  })
})
