import type { FastifyInstance } from 'fastify'
import type { SyncChangeIn, SyncChangeOut } from '../../src/domain/wire'
import type { Member } from './support/api'
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app'
import { branchWith, checkin, pullAll, studyChange, sync, syncOk, today, useApp, uuid } from './support/api'
import { availableBackends, databaseMigratedTo, describeEachBackend, postgresBackend, useStorage } from './support/backends'
import { callOk, problemChange } from './support/branch'

/**
 * Revisions are counted per branch (migration 0009): pushes, 代录 and problem status changes of
 * different branches never wait on each other's counter, and within a branch rev order is still
 * commit order, so a reader that pulls incrementally while many write never skips a row. Cursors
 * handed out before the upgrade stay valid.
 */

const B = '/api/v1/branch'
const WRITE_MS = 2_500

type Held = Map<string, { rev: number, updatedAt: number, deleted: boolean }>
function hold(held: Held, changes: readonly SyncChangeOut[]): void {
  for (const c of changes) {
    const k = `${c.table}:${c.id}`
    const known = held.get(k)
    if (!known || known.rev < c.rev)
      held.set(k, { rev: c.rev, updatedAt: c.updatedAt, deleted: c.deleted })
  }
}
function asHeld(changes: readonly SyncChangeOut[]): Held {
  const held: Held = new Map()
  hold(held, changes)
  return held
}

describeEachBackend('revisions per branch', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = (): FastifyInstance => appOf.app

  it('keeps rev order equal to commit order per reader: writers in several branches and several in one, 代录 and status changes, while readers pull', async () => {
    const branches = await Promise.all([0, 1, 2].map(() => branchWith(app(), ctx.storage, ['甲', '乙', '丙'])))
    const deadline = Date.now() + WRITE_MS
    const writing = { done: false }
    let clock = 1_000

    async function writer(member: Member, clientId: string, omitApplied: boolean): Promise<void> {
      const ids: string[] = []
      while (Date.now() < deadline) {
        const changes: SyncChangeIn[] = [studyChange(uuid(), ++clock), problemChange(uuid(), ++clock)]
        if (ids.length > 0)
          changes.push(problemChange(ids[clock % ids.length]!, ++clock, { title: `改 ${clock}` }))
        ids.push(changes[1]!.id)
        const res = await sync(app(), member.token, { clientId, changes, omitApplied })
        expect(res.statusCode, res.body).toBe(200)
      }
    }
    async function secretaryWork(branch: (typeof branches)[number]): Promise<void> {
      const target = branch.members[0]!
      while (Date.now() < deadline) {
        await callOk(app(), branch.secretary.token, 'POST', `${B}/members/${target.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: ++clock, data: checkin() }, 201)
        const problems = await pullAll(app(), branch.secretary.token)
        const some = problems.changes.find(c => c.table === 'problems' && !c.deleted)
        if (some)
          await callOk(app(), branch.secretary.token, 'PATCH', `${B}/problems/${some.id}`, { status: clock % 2 === 0 ? 'in_progress' : 'solved' })
      }
    }
    async function reader(member: Member): Promise<{ member: Member, held: Held, cursor: string | null }> {
      const held: Held = new Map()
      let cursor: string | null = null
      while (!writing.done) {
        const page = await syncOk(app(), member.token, { clientId: `reader-${member.id}`, cursor })
        hold(held, page.changes)
        cursor = page.cursor
      }
      return { member, held, cursor }
    }

    const [a, b, c] = branches
    // Branch A: three writers; branches B and C: one each. Every member of A also reads.
    const writers = [
      writer(a!.members[0]!, 'a0', true),
      writer(a!.members[1]!, 'a1', false),
      writer(a!.members[2]!, 'a2', true),
      writer(b!.members[0]!, 'b0', true),
      writer(c!.members[0]!, 'c0', false),
      secretaryWork(a!),
      secretaryWork(b!),
    ]
    const readers = [...a!.members, b!.members[1]!, c!.members[2]!].map(m => reader(m))
    await Promise.all(writers)
    writing.done = true
    for (const { member, held, cursor } of await Promise.all(readers)) {
      hold(held, (await pullAll(app(), member.token, cursor)).changes)
      expect(held, member.name).toEqual(asHeld((await pullAll(app(), member.token)).changes))
    }
  })

  it('takes each branch\'s revisions from its own counter', async () => {
    const one = await branchWith(app(), ctx.storage, ['甲'])
    const two = await branchWith(app(), ctx.storage, ['乙'])
    const first = await syncOk(app(), one.members[0]!.token, { changes: [studyChange(uuid(), 1)] })
    const second = await syncOk(app(), two.members[0]!.token, { changes: [studyChange(uuid(), 1), studyChange(uuid(), 2)] })
    const counter = async (branchId: string) => Number((await ctx.storage.db.selectFrom('counters').select('value').where('name', '=', `rev:${branchId}`).executeTakeFirstOrThrow()).value)
    expect(await counter(one.branchId)).toBe(first.changes[0]!.rev)
    expect(await counter(two.branchId)).toBe(second.changes[1]!.rev)
    expect(second.changes[1]!.rev - second.changes[0]!.rev).toBe(1)
  })
})

// SQLite has one writer whatever the branch; the counter's row lock is PostgreSQL's.
describe.runIf(availableBackends().some(b => b.name === 'postgres'))('revisions per branch, without a global lock [postgres]', () => {
  const ctx = useStorage(postgresBackend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = (): FastifyInstance => appOf.app

  it('lets pushes, 代录 and status changes of another branch through while a writer of one branch holds its counter', async () => {
    const held = await branchWith(app(), ctx.storage, ['甲'])
    const free = await branchWith(app(), ctx.storage, ['乙'])
    const problem = uuid()
    await syncOk(app(), free.members[0]!.token, { changes: [problemChange(problem, 1)] })
    await syncOk(app(), held.members[0]!.token, { changes: [studyChange(uuid(), 1)] })

    // A writer of `held` in the middle of its commit: it holds the rows a push of that branch locks.
    const trx = await ctx.storage.db.startTransaction().execute()
    try {
      await sql`select value from counters where name in ('rev', ${`rev:${held.branchId}`}) for update`.execute(trx)
      const within = <T>(ms: number, work: Promise<T>) => Promise.race([work, new Promise<'waiting'>(resolve => setTimeout(resolve, ms, 'waiting'))])

      const push = await within(5_000, syncOk(app(), free.members[0]!.token, { changes: [studyChange(uuid(), 2)] }))
      expect(push, 'a push of another branch').not.toBe('waiting')
      const entry = await within(5_000, callOk(app(), free.secretary.token, 'POST', `${B}/members/${free.members[0]!.id}/records`, { table: 'studyCheckins', id: uuid(), updatedAt: 3, data: checkin() }, 201))
      expect(entry, '代录 in another branch').not.toBe('waiting')
      const patch = await within(5_000, callOk(app(), free.secretary.token, 'PATCH', `${B}/problems/${problem}`, { status: 'solved' }))
      expect(patch, 'a status change in another branch').not.toBe('waiting')

      // The held branch's own push waits for the commit, and then goes through.
      const blocked = syncOk(app(), held.members[0]!.token, { changes: [studyChange(uuid(), 4)] })
      expect(await within(300, blocked), 'a push of the held branch').toBe('waiting')
      await trx.commit().execute()
      expect((await blocked).results[0]!.status).toBe('applied')
    }
    finally {
      if (!trx.isCommitted)
        await trx.rollback().execute()
    }
  })
})

describeEachBackend('revisions per branch, upgrade', (backend) => {
  it('starts every branch\'s counter at the global one, so cursors handed out before stay valid', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0008_member_id_seed')
    try {
      const token = (name: string) => createHash('sha256').update(`token-${name}`).digest('hex')
      for (const branch of ['b1', 'b2']) {
        await db.insertInto('branches').values({ id: branch, name: branch, time_zone: 'Asia/Shanghai', member_invite_code: `M${branch}`, secretary_invite_code: `S${branch}`, created_at: 1 }).execute()
        await db.insertInto('members').values({ id: `m-${branch}`, branch_id: branch, name: '老党员', role: 'member', status: 'active', created_at: 1, retired: 0, id_seed: '00'.repeat(16) }).execute()
        await db.insertInto('member_tokens').values({ token_hash: token(branch), member_id: `m-${branch}`, created_at: 1 }).execute()
      }
      // Revs 1..4 alternate between the branches, as the one global counter gave them.
      const old = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004']
      for (const [i, id] of old.entries()) {
        const branch = i % 2 === 0 ? 'b1' : 'b2'
        await db.insertInto('study_checkins').values({ id, member_id: `m-${branch}`, branch_id: branch, updated_at: 1, client_id: 'old', deleted: 0, rev: i + 1, date: today(), week: '2026-W01', form: 'self_study', topic: '旧', minutes: 30 }).execute()
      }
      await db.updateTable('counters').set({ value: 4 }).where('name', '=', 'rev').execute()
      await db.destroy()

      const storage = await open()
      const upgraded = await buildApp({ storage, rateLimits: { join: 10_000, sync: 100_000, auth: 10_000 } })
      try {
        const counters = await storage.db.selectFrom('counters').select(['name', 'value']).orderBy('name').execute()
        expect(counters.map(c => [c.name, Number(c.value)])).toEqual([['rev', 4], ['rev:b1', 4], ['rev:b2', 4]])
        // b1's member had pulled before the upgrade (cursor 3, its last row); b2's up to 4.
        const cursors = { b1: '3', b2: '4' }
        const written: Record<string, string[]> = { b1: [], b2: [] }
        for (const branch of ['b2', 'b1', 'b2'] as const) {
          const id = uuid()
          written[branch].push(id)
          const res = await sync(upgraded, `token-${branch}`, { clientId: 'new', cursor: null, changes: [studyChange(id, 10)] })
          expect(res.statusCode, res.body).toBe(200)
        }
        for (const branch of ['b1', 'b2'] as const) {
          const since = await pullAll(upgraded, `token-${branch}`, cursors[branch])
          expect(since.changes.map(c => c.id).sort(), branch).toEqual([...written[branch]].sort())
          expect(Math.min(...since.changes.map(c => c.rev))).toBeGreaterThan(4)
          const everything = await pullAll(upgraded, `token-${branch}`)
          expect(everything.changes.map(c => c.id).sort()).toEqual([...old.filter((_, i) => (i % 2 === 0) === (branch === 'b1')), ...written[branch]].sort())
        }
      }
      finally {
        await upgraded.close()
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })
})
