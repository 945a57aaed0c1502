import type { FastifyInstance } from 'fastify'
import type { SyncChangeIn, SyncChangeOut, SyncResponse } from '../../src/domain/wire'
import type { Member } from './support/api'
import { expect, it } from 'vitest'
import { branchWith, expectError, pullAll, studyChange, sync, syncOk, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { problemChange } from './support/branch'

/**
 * `omitApplied: true` (what the app sends): the answer to a push leaves out the rows that push
 * applied, which the client already holds, and its cursor still moves past them. Nothing else is
 * left out: rows others wrote meanwhile, the winning copy of a stale change, and the same rows
 * for the member's other devices. A device that pushes and pulls this way must end up holding
 * exactly what a pull from null returns.
 */

async function pushOmitting(app: FastifyInstance, member: Member, clientId: string, cursor: string | null, changes: SyncChangeIn[]): Promise<SyncResponse> {
  const res = await sync(app, member.token, { clientId, cursor, changes, omitApplied: true })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<SyncResponse>()
}

/** What a device holds: its latest copy of each row, from what it sent and what it was sent. */
type Held = Map<string, { updatedAt: number, deleted: boolean }>
const key = (c: { table: string, id: string }) => `${c.table}:${c.id}`

function holdSent(held: Held, changes: readonly SyncChangeIn[], response: SyncResponse): void {
  changes.forEach((c, i) => {
    if (response.results[i]!.status === 'applied')
      held.set(key(c), { updatedAt: c.updatedAt, deleted: c.deleted === true })
  })
}
function holdPulled(held: Held, changes: readonly SyncChangeOut[]): void {
  for (const c of changes)
    held.set(key(c), { updatedAt: c.updatedAt, deleted: c.deleted })
}
function asHeld(changes: readonly SyncChangeOut[]): Held {
  const held: Held = new Map()
  holdPulled(held, changes)
  return held
}

describeEachBackend('sync push answers without the applied rows', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = (): FastifyInstance => appOf.app

  it('does not send back the rows a push applied, and moves the cursor past them', async () => {
    const { members: [a] } = await branchWith(app(), ctx.storage, ['甲'])
    const member = a!
    const first = await pullAll(app(), member.token)
    const changes = [studyChange(uuid(), 1000), studyChange(uuid(), 1001), problemChange(uuid(), 1002)]
    const pushed = await pushOmitting(app(), member, 'phone', first.cursor, changes)
    expect(pushed.results.map(r => r.status)).toEqual(['applied', 'applied', 'applied'])
    expect(pushed.changes).toEqual([])
    expect(pushed.hasMore).toBe(false)
    // The cursor covers the applied rows: nothing is left to pull, and they are not sent again.
    const revs = (await pullAll(app(), member.token)).changes.map(c => c.rev)
    expect(Number(pushed.cursor)).toBe(Math.max(...revs))
    expect((await syncOk(app(), member.token, { clientId: 'phone', cursor: pushed.cursor })).changes).toEqual([])

    // Protocol v1 (no omitApplied) still answers with them.
    const v1 = [studyChange(uuid(), 2000)]
    const echoed = await syncOk(app(), member.token, { clientId: 'phone', cursor: pushed.cursor, changes: v1 })
    expect(echoed.changes.map(c => c.id)).toEqual([v1[0]!.id])
  })

  it('still sends rows others wrote meanwhile, the winning copy of a stale change, and the rows to the member\'s other devices', async () => {
    const { secretary, members: [a] } = await branchWith(app(), ctx.storage, ['甲'])
    const member = a!
    const phoneCursor = (await pullAll(app(), member.token)).cursor
    const tabletCursor = phoneCursor

    // Meanwhile: the tablet edits a row, the secretary reports a problem (a shared row).
    const contested = uuid()
    await pushOmitting(app(), member, 'phone', phoneCursor, [studyChange(contested, 5000, { topic: '手机' })])
    const tabletEdit = await syncOk(app(), member.token, { clientId: 'tablet', cursor: tabletCursor, changes: [studyChange(contested, 6000, { topic: '平板' })] })
    const problem = uuid()
    await syncOk(app(), secretary.token, { clientId: 'secretary', changes: [problemChange(problem, 5500)] })

    // The phone pushes a new row and an older edit of the contested row from its first cursor.
    const fresh = uuid()
    const pushed = await pushOmitting(app(), member, 'phone', phoneCursor, [studyChange(fresh, 7000), studyChange(contested, 5100, { topic: '手机再改' })])
    expect(pushed.results.map(r => r.status)).toEqual(['applied', 'stale'])
    const sent = new Map(pushed.changes.map(c => [c.id, c]))
    expect(sent.has(fresh), 'the applied row comes back').toBe(false)
    expect(sent.get(contested)?.data).toMatchObject({ topic: '平板' })
    expect(sent.get(problem)?.table).toBe('problems')

    // The tablet, with its own cursor, pulls the phone's new row.
    const tablet = await pullAll(app(), member.token, tabletEdit.cursor)
    expect(tablet.changes.map(c => c.id)).toEqual(expect.arrayContaining([fresh, problem]))
  })

  it('answers an up-to-date cursor with nothing, and with each row written since that the member may read', async () => {
    // The probe skips the tables when the branch took no rev past the cursor (or only the push's
    // own): every case around that shortcut, each answer checked.
    const { secretary, members: [a, b] } = await branchWith(app(), ctx.storage, ['甲', '乙'])
    let cursor = (await pullAll(app(), a!.token)).cursor
    const idle = await syncOk(app(), a!.token, { clientId: 'phone', cursor })
    expect([idle.changes, idle.cursor]).toEqual([[], cursor])
    const own = await pushOmitting(app(), a!, 'phone', cursor, [studyChange(uuid(), 1)])
    expect(own.changes).toEqual([])
    expect(Number(own.cursor)).toBeGreaterThan(Number(cursor))
    cursor = own.cursor
    // Another member's own row is not this member's to read, before a push or a pull.
    await syncOk(app(), b!.token, { clientId: 'b', changes: [studyChange(uuid(), 2)] })
    const past = await pushOmitting(app(), a!, 'phone', cursor, [studyChange(uuid(), 3)])
    expect(past.changes).toEqual([])
    cursor = past.cursor
    await syncOk(app(), b!.token, { clientId: 'b', changes: [studyChange(uuid(), 4)] })
    expect((await syncOk(app(), a!.token, { clientId: 'phone', cursor })).changes).toEqual([])
    // A shared row written between the cursor and the push is sent, with the push or without one.
    const problem = uuid()
    await syncOk(app(), secretary.token, { clientId: 'secretary', changes: [problemChange(problem, 5)] })
    expect((await syncOk(app(), a!.token, { clientId: 'phone', cursor })).changes.map(c => c.id)).toEqual([problem])
    const gap = await pushOmitting(app(), a!, 'phone', cursor, [studyChange(uuid(), 6)])
    expect(gap.changes.map(c => c.id)).toEqual([problem])
    // So is the member's own row from another device.
    const fromTablet = uuid()
    await syncOk(app(), a!.token, { clientId: 'tablet', cursor: gap.cursor, changes: [studyChange(fromTablet, 7)] })
    const mine = await pushOmitting(app(), a!, 'phone', gap.cursor, [studyChange(uuid(), 8)])
    expect(mine.changes.map(c => c.id)).toEqual([fromTablet])
    expect((await syncOk(app(), a!.token, { clientId: 'phone', cursor: mine.cursor })).changes).toEqual([])
  })

  it('refuses an omitApplied that is no boolean', async () => {
    const { members: [a] } = await branchWith(app(), ctx.storage, ['甲'])
    const res = await sync(app(), a!.token, { omitApplied: 'yes' })
    const error = expectError(res, 400, 'validation_failed')
    expect(error.details!.map(d => d.path)).toEqual(['omitApplied'])
  })

  it('leaves devices that push and pull this way, concurrently, with exactly a pull from null', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['甲', '乙'])
    const devices = [
      { member: members[0]!, clientId: 'a-phone' },
      { member: members[0]!, clientId: 'a-tablet' },
      { member: members[1]!, clientId: 'b-phone' },
      { member: secretary, clientId: 's-phone' },
    ].map(d => ({ ...d, cursor: null as string | null, held: new Map() as Held, ids: [] as string[] }))
    let clock = 10_000
    await Promise.all(devices.map(async (device, d) => {
      for (let round = 0; round < 12; round++) {
        const changes: SyncChangeIn[] = []
        // New rows, edits of the device's earlier rows, and once a full batch: the others then
        // have a page and more to pull, with their own pushed rows among them.
        const count = round === 5 && d === 0 ? 500 : 3
        for (let i = 0; i < count; i++) {
          const reuse = i === 0 && device.ids.length > 0
          const id = reuse ? device.ids[round % device.ids.length]! : uuid()
          if (!reuse)
            device.ids.push(id)
          changes.push(i % 3 === 2 ? problemChange(id, ++clock) : studyChange(id, ++clock, { topic: `${device.clientId} ${round}` }))
        }
        let response = await pushOmitting(app(), device.member, device.clientId, device.cursor, changes)
        holdSent(device.held, changes, response)
        holdPulled(device.held, response.changes)
        device.cursor = response.cursor
        while (response.hasMore) {
          response = await pushOmitting(app(), device.member, device.clientId, device.cursor, [])
          holdPulled(device.held, response.changes)
          device.cursor = response.cursor
        }
      }
    }))
    for (const device of devices) {
      const rest = await pullAll(app(), device.member.token, device.cursor)
      holdPulled(device.held, rest.changes)
      const fromNull = asHeld((await pullAll(app(), device.member.token)).changes)
      expect(device.held, device.clientId).toEqual(fromNull)
    }
  })
})
