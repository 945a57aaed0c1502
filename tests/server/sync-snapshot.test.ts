import type { FastifyInstance } from 'fastify'
import type { MemberTable } from '../../src/domain/records'
import type { SyncChangeIn, SyncChangeOut } from '../../src/domain/wire'
import type { Storage } from '../../src/server/storage'
import type { Member } from './support/api'
import { expect, it } from 'vitest'
import { MEMBER_TABLES } from '../../src/domain/records'
import { branchWith, pullAll, resolvable, syncOk, today, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

/**
 * An incremental pull must never skip a row for good. The cursor becomes the highest rev sent, so
 * a pull has to read every table in one snapshot: a row committed between two tables' reads with
 * a lower rev than one already read would sit behind the cursor forever. Writers on personal and
 * shared tables push at the same time as readers pull with their cursors; at the end each reader
 * must hold exactly what a pull from null returns.
 */

const WRITE_MS = 3_000
const WRITES_PER_WRITER = 250

function problemChange(id: string, updatedAt: number, title: string): SyncChangeIn {
  return { table: 'problems', id, updatedAt, data: { date: today(), community: '东城社区', category: 'environment', title, detail: '' } }
}
function noteChange(id: string, updatedAt: number, title: string): SyncChangeIn {
  return { table: 'readingNotes', id, updatedAt, data: { title, reflection: '读后感' } }
}
function materialChange(id: string, updatedAt: number, title: string): SyncChangeIn {
  return { table: 'materials', id, updatedAt, data: { title, category: 'classic', body: '正文', studyBy: null, publishedAt: 1_764_000_000_000 } }
}

/** What a device holds of a row: its latest version. */
type Held = Map<string, { rev: number, updatedAt: number, deleted: boolean }>

function hold(held: Held, changes: readonly SyncChangeOut[]): void {
  for (const c of changes) {
    const key = `${c.table}:${c.id}`
    const known = held.get(key)
    if (!known || known.rev < c.rev)
      held.set(key, { rev: c.rev, updatedAt: c.updatedAt, deleted: c.deleted })
  }
}

/**
 * Holds the first read of `gated` rows (`changedFor`, as SyncStore.pull reads each table) before
 * its query runs, until `open()`; `othersInFlight` counts the other tables' reads still running,
 * so a test knows every read issued before the gate has finished.
 */
function gateTableRead(storage: Storage, gated: MemberTable) {
  let counting = true
  let gateUsed = false
  let othersInFlight = 0
  const entered = resolvable()
  const opened = resolvable()
  const restores: (() => void)[] = []
  for (const table of MEMBER_TABLES) {
    const repository = storage[table] as unknown as { changedFor: (...args: unknown[]) => Promise<unknown> }
    const original = repository.changedFor
    repository.changedFor = async (...args: unknown[]) => {
      if (table === gated && !gateUsed) {
        gateUsed = true
        entered.resolve()
        await opened.promise
        return original.apply(repository, args)
      }
      if (!counting)
        return original.apply(repository, args)
      othersInFlight++
      try {
        return await original.apply(repository, args)
      }
      finally {
        othersInFlight--
      }
    }
    restores.push(() => {
      repository.changedFor = original
    })
  }
  return {
    gateEntered: entered.promise,
    /** Resolves once the gate is held and no read of another table is running. */
    async othersSettled(): Promise<void> {
      await entered.promise
      // Changed by the wrapped reads as they finish.
      // eslint-disable-next-line no-unmodified-loop-condition
      while (othersInFlight > 0)
        await new Promise(resolve => setTimeout(resolve, 5))
    },
    open(): void {
      counting = false
      opened.resolve()
    },
    restore: () => restores.forEach(restore => restore()),
  }
}

describeEachBackend('sync pull snapshot', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = (): FastifyInstance => appOf.app

  it('sends every row to readers that pull incrementally while others write several tables', async () => {
    const { secretary, members } = await branchWith(app(), ctx.storage, ['甲', '乙', '丙'])
    const [a, b, c] = members as [Member, Member, Member]
    const deadline = Date.now() + WRITE_MS
    // An object, so the readers' loops see the writers finish.
    const writers = { done: false }

    // Each writer creates rows and edits some it made earlier (an edit moves the row's rev on).
    async function writer(member: Member, clientId: string, make: ((id: string, updatedAt: number, title: string) => SyncChangeIn)[]): Promise<number> {
      const ids: string[] = []
      let n = 0
      while (n < WRITES_PER_WRITER && Date.now() < deadline) {
        n++
        const changes = make.map((build, i) => {
          const reuse = n % 3 === 0 && ids.length > 0
          const id = reuse ? ids[(n * 7 + i) % ids.length]! : uuid()
          if (!reuse)
            ids.push(id)
          return build(id, Date.now() * 10 + i, `第${n}条`)
        })
        const body = await syncOk(app(), member.token, { clientId, changes })
        expect(body.results.map(r => r.status)).toEqual(changes.map(() => 'applied'))
      }
      return n
    }

    async function reader(member: Member, clientId: string): Promise<{ held: Held, cursor: string | null, pulls: number }> {
      const held: Held = new Map()
      let cursor: string | null = null
      let pulls = 0
      while (!writers.done) {
        const body = await syncOk(app(), member.token, { clientId, cursor })
        pulls++
        hold(held, body.changes)
        cursor = body.cursor
      }
      return { held, cursor, pulls }
    }

    const readers = [reader(c, 'c-phone'), reader(a, 'a-tablet'), reader(secretary, 'secretary-tablet'), reader(b, 'b-tablet')]
    const writes = await Promise.all([
      writer(a, 'a-phone', [problemChange, noteChange]),
      writer(b, 'b-phone', [noteChange, problemChange]),
      writer(secretary, 'secretary-phone', [materialChange]),
    ])
    writers.done = true
    const devices = await Promise.all(readers)
    expect(writes.every(n => n > 5)).toBe(true)
    expect(devices.every(d => d.pulls > 5)).toBe(true)

    const gaps: Record<string, { missing: string[], extra: number }> = {}
    for (const [i, member] of [c, a, secretary, b].entries()) {
      const device = devices[i]!
      // Writing has stopped: one last catch-up from the device's cursor, then compare with a full pull.
      hold(device.held, (await pullAll(app(), member.token, device.cursor)).changes)
      const full: Held = new Map()
      hold(full, (await pullAll(app(), member.token, null)).changes)
      expect(full.size).toBeGreaterThan(10)
      const missing = [...full.keys()].filter(key => device.held.get(key)?.rev !== full.get(key)!.rev)
      gaps[member.name] = { missing, extra: device.held.size - full.size }
    }
    expect(gaps).toEqual(Object.fromEntries([c, a, secretary, b].map(m => [m.name, { missing: [], extra: 0 }])))
  })
  // Deterministic: the pull is held between two tables' reads while a lower rev and then a higher
  // rev commit to tables on either side of the hold. Per-table reads in their own snapshots send
  // the higher one and leave the lower one behind the cursor for good.
  for (const gated of ['materials', 'readingNotes'] as const) {
    it(`a row committed while the pull is held before reading ${gated} is not left behind the cursor`, async () => {
      const { secretary, members } = await branchWith(app(), ctx.storage, ['甲', '乙'])
      const [reader, other] = members as [Member, Member]
      const { cursor } = await pullAll(app(), reader.token, null)
      // Something newer than the cursor, so the reader's next sync reads a page (no empty probe).
      await syncOk(app(), other.token, { clientId: 'other-phone', changes: [problemChange(uuid(), Date.now() * 10, '先有的问题')] })

      const problemId = uuid()
      const laterId = uuid()
      // The higher rev: a material from the secretary, or a note from the reader's own phone.
      const later = gated === 'materials'
        ? { token: secretary.token, clientId: 'secretary-phone', change: materialChange(laterId, Date.now() * 10, '后发的材料') }
        : { token: reader.token, clientId: 'reader-phone', change: noteChange(laterId, Date.now() * 10, '后写的笔记') }

      const gate = gateTableRead(ctx.storage, gated)
      try {
        const pulling = syncOk(app(), reader.token, { clientId: 'reader-tablet', cursor })
        await gate.othersSettled()
        const writes = (async () => {
          await syncOk(app(), other.token, { clientId: 'other-phone', changes: [problemChange(problemId, Date.now() * 10, '中间的问题')] })
          await syncOk(app(), later.token, { clientId: later.clientId, changes: [later.change] })
          return true
        })()
        // PostgreSQL commits both while the pull waits; SQLite's one connection is the pull's
        // transaction until it ends, so there the writes wait for it (and are sent next time).
        const committed = await Promise.race([writes, new Promise<false>(resolve => setTimeout(resolve, 2_000, false))])
        if (backend.name === 'postgres')
          expect(committed).toBe(true)
        gate.open()
        const held = await pulling
        await writes
        const ids = [problemId, laterId]
        const sent = held.changes.filter(c => ids.includes(c.id)).map(c => c.id)
        if (sent.length === 2)
          return
        expect(sent).toEqual([])
        const next = await pullAll(app(), reader.token, held.cursor)
        expect(next.changes.filter(c => ids.includes(c.id)).map(c => c.id).sort()).toEqual([...ids].sort())
      }
      finally {
        gate.restore()
      }
    })
  }
})
