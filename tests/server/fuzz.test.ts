import type { FastifyInstance } from 'fastify'
import type { MemberTable } from '../../src/domain/records'
import type { Storage } from '../../src/server/storage'
import type { FuzzRequest, FuzzResponse } from './support/fuzz-http'
import type { Rng } from './support/fuzz-input'
import { Buffer } from 'node:buffer'
import { randomInt } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { stableUuid } from '../../src/domain/homeStudy'
import { pickLocale } from '../../src/domain/locale'
import { materialChars } from '../../src/domain/materialText'
import { BRANCH_SHARED_TABLES, MEMBER_TABLES, PROBLEM_STATUSES, SECRETARY_WRITE_TABLES, UUID_RE, validateRecordData } from '../../src/domain/records'
import { isIsoDate, todayIn, weekKey } from '../../src/domain/week'
import { buildApp } from '../../src/server/app'
import { ERROR_STATUS } from '../../src/server/errors'
import { describeEachBackend, useStorage } from './support/backends'
import { FuzzClient, sendRaw } from './support/fuzz-http'
import { authorizationSpellings, DATA_FIELDS, encodeJson, hostileQueryValue, hostileValue, mutateChange, Rng as Prng, validData, validText } from './support/fuzz-input'

/**
 * Fault-and-fuzz test of the whole API on a real loopback port: seeded random and hostile requests
 * to every endpoint from several devices at once (valid changes, mutated changes, other members'
 * ids, replays, malformed JSON, wrong content types, hostile queries and headers). It asserts that
 * no answer is a 5xx, that every 4xx is the protocol's error body, and, reading every stored row
 * back from the database, that nothing invalid or unacknowledged was stored, that every row is
 * owned within its branch, and that each member's pull from null is exactly what it may read.
 *
 * Replay a run with FUZZ_SEED=<seed> (printed at the start); FUZZ_STEPS sets requests per device.
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : randomInt(2 ** 32)
const STEPS = Number(process.env.FUZZ_STEPS ?? 250)
// A bound on a loaded machine: devices stop early rather than run the file past a minute.
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 30_000)
const SETUP_CODE = 'fuzz-setup-code-0123456789'
console.info(`[fuzz] seed ${SEED}, ${STEPS} requests per device (replay: FUZZ_SEED=${SEED})`)

const API = '/api/v1'
const SQL_TABLES: Record<MemberTable, string> = {
  studyCheckins: 'study_checkins',
  serviceLogs: 'service_logs',
  readingNotes: 'reading_notes',
  problems: 'problems',
  materials: 'materials',
  readingProgress: 'reading_progress',
  sessions: 'sessions',
}
/** `data` field → column, written here independently of the repositories so a mapping bug shows. */
const COLUMNS: Record<MemberTable, Record<string, string>> = {
  studyCheckins: { date: 'date', form: 'form', topic: 'topic', minutes: 'minutes', materialId: 'material_id', note: 'note' },
  serviceLogs: { date: 'date', community: 'community', activity: 'activity', hours: 'hours', peopleServed: 'people_served', description: 'description' },
  readingNotes: { title: 'title', source: 'source', excerpt: 'excerpt', reflection: 'reflection', materialId: 'material_id' },
  problems: { date: 'date', community: 'community', category: 'category', title: 'title', detail: 'detail' },
  materials: { title: 'title', category: 'category', body: 'body', studyBy: 'study_by', publishedAt: 'published_at' },
  readingProgress: { materialId: 'material_id', position: 'position', percent: 'percent', secondsSpent: 'seconds_spent', finishedAt: 'finished_at' },
  // The list fields (materialIds, leaves) are JSON in one column each; the fuzz writes none of them.
  sessions: { form: 'form', topic: 'topic', date: 'date', endDate: 'end_date', time: 'time', place: 'place', host: 'host', speaker: 'speaker', code: 'code', minutes: 'meeting_minutes' },
}
const DATED: readonly MemberTable[] = ['studyCheckins', 'serviceLogs', 'problems', 'sessions']
const isSecretaryWritten = (table: string) => (SECRETARY_WRITE_TABLES as readonly string[]).includes(table)
const MEMBER_WRITABLE: readonly MemberTable[] = MEMBER_TABLES.filter(t => !isSecretaryWritten(t))
const isShared = (table: string) => (BRANCH_SHARED_TABLES as readonly string[]).includes(table)

interface Actor { id: string, token: string, branchId: string, role: 'member' | 'secretary', name: string }

interface World {
  branches: {
    id: string
    memberInviteCode: string
    secretaryInviteCode: string
    secretary: Actor
    members: Actor[]
    /** Its devices are revoked now and then; no device of the fuzz belongs to it. */
    victim: Actor
    /** The only member whose role the fuzz flips. */
    flipper: Actor
    materialIds: string[]
  }[]
  /** Rows seeded before the fuzz, so every device has other members' ids to try. */
  seeded: { table: MemberTable, id: string, ownerId: string, branchId: string }[]
}

/** One acknowledged version of a row: what a 2xx said was applied. */
interface Version { updatedAt: number, clientId: string, writerId: string, ownerId: string, deleted: boolean, data: Record<string, unknown> | null, seq: number }

interface Finding { rule: string, where: string, input: string, status: number, body: string, count: number, example: string }

const han = /\p{Script=Han}/u
/** Keys Fastify's JSON parser refuses anywhere in a body (prototype poisoning). */
const POISON = /"__proto__"\s*:|"constructor"\s*:\s*\{\s*"prototype"/
const trace = /at .+\.(?:ts|js):\d+|node_modules|SQLITE_|syntax error at|violates|duplicate key/i

/** Everything the fuzz saw, shared by the devices of one backend's run. */
class Run {
  readonly findings = new Map<string, Finding>()
  readonly covered = new Set<string>()
  readonly ledger = new Map<string, Version[]>()
  /** Rows a request touched whose answer never came (5xx, reset): their stored state is unknown. */
  readonly uncertain = new Set<string>()
  requests = 0
  changes = 0
  /** Set when the time budget stopped the devices before their last step. */
  cutShort = false
  readonly statuses = new Map<number, number>()
  /** Time spent per route (ms), to keep the run inside its budget. */
  readonly timing = new Map<string, { ms: number, n: number }>()
  private seq = 0

  time(route: string, ms: number): void {
    const t = this.timing.get(route) ?? { ms: 0, n: 0 }
    t.ms += ms
    t.n++
    this.timing.set(route, t)
  }

  slowest(): string {
    return [...this.timing].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6).map(([r, t]) => `${r} ${t.n}× ${Math.round(t.ms / t.n)} ms`).join(', ')
  }

  find(rule: string, where: string, input: string, res: { status: number, body: string }, example = ''): void {
    const code = /"code":"(\w+)"/.exec(res.body)?.[1] ?? ''
    const key = [rule, where, res.status, code, input].join('|')
    const known = this.findings.get(key)
    if (known)
      known.count++
    else
      this.findings.set(key, { rule, where, input, status: res.status, body: res.body.slice(0, 300), count: 1, example: example.slice(0, 200) })
  }

  acknowledge(table: string, id: string, version: Omit<Version, 'seq'>): void {
    const key = `${table}:${id}`
    const list = this.ledger.get(key) ?? []
    list.push({ ...version, seq: this.seq++ })
    this.ledger.set(key, list)
  }

  report(): string {
    const lines = [...this.findings.values()]
      .sort((a, b) => a.rule.localeCompare(b.rule) || a.where.localeCompare(b.where))
      .map(f => `- [${f.rule}] ${f.where} | input: ${f.input} | status ${f.status} ×${f.count} | body: ${f.body}${f.example ? ` | e.g. ${JSON.stringify(f.example)}` : ''}`)
    return `${this.findings.size} distinct finding(s):\n${lines.join('\n')}`
  }
}

/** The protocol's error body, or why the answer is not one. */
function errorBodyProblem(res: FuzzResponse, lang: 'zh-CN' | 'en'): string | null {
  if (!/application\/json/.test(String(res.headers['content-type'] ?? '')))
    return `content-type ${String(res.headers['content-type'])}`
  let body: any
  try {
    body = JSON.parse(res.body)
  }
  catch {
    return 'body is not JSON'
  }
  const error = body?.error
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string' || typeof error.message !== 'string' || error.message.length === 0)
    return 'body is not {"error":{"code","message"}}'
  if (ERROR_STATUS[error.code as keyof typeof ERROR_STATUS] !== res.status)
    return `code ${error.code} with status ${res.status}`
  if (error.details !== undefined && (!Array.isArray(error.details) || error.details.some((d: any) => typeof d?.path !== 'string' || typeof d?.message !== 'string')))
    return 'details are not [{path, message}]'
  if (trace.test(res.body))
    return 'internals leak into the body'
  if (lang === 'en' ? han.test(error.message) : !han.test(error.message))
    return `message not in ${lang}`
  return null
}

const normalise = (v: unknown) => (v === undefined ? null : v)

/** A stored row's `data`, read straight from its columns (absent where the column is null). */
function dataOfRow(table: MemberTable, row: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  for (const [field, column] of Object.entries(COLUMNS[table])) {
    if (row[column] !== null && row[column] !== undefined)
      data[field] = row[column]
  }
  return data
}

function sameData(table: MemberTable, a: Record<string, unknown>, b: Record<string, unknown>, skip: readonly string[] = []): boolean {
  return DATA_FIELDS[table].every(f => skip.includes(f) || Object.is(normalise(a[f]), normalise(b[f])) || normalise(a[f]) === normalise(b[f]))
}

const isWellFormed = (s: string) => !s.includes('\u0000') && (s as string & { isWellFormed: () => boolean }).isWellFormed()
const versionAbove = (a: { updatedAt: number, clientId: string }, b: { updatedAt: number, clientId: string }) => a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.clientId > b.clientId)

describeEachBackend('fuzz: random and hostile requests over a real port', (backend) => {
  const ctx = useStorage(backend)
  let app: FastifyInstance
  let port: number
  let storage: Storage
  const run = new Run()
  const world: World = { branches: [], seeded: [] }
  const rng = new Prng(SEED ^ (backend.name === 'sqlite' ? 0x51 : 0x9A))

  beforeAll(async () => {
    storage = ctx.storage
    // Limits far above the fuzz's pace (auth: failed tokens per address), so it meets no wall of 429s.
    const rateLimits = { join: 1_000_000, sync: 10_000_000, auth: 1_000_000 }
    app = await buildApp({ storage, setupCode: SETUP_CODE, rateLimits })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    port = typeof address === 'object' && address ? address.port : 0
  })
  afterAll(async () => {
    await app?.close()
  })

  /** A simulated device: one member's token and client id over one keep-alive connection. */
  class Device {
    readonly client: FuzzClient
    cursor: string | null = null
    /** Changes this device sent and what the server first said of each (for replays). */
    readonly sent: { change: Record<string, unknown>, raw: string, status: string, code?: string }[] = []
    readonly bodies: string[] = []
    constructor(readonly name: string, readonly rng: Rng, readonly actor: Actor | null, readonly clientId: string) {
      this.client = new FuzzClient(port)
    }

    get branch() {
      return world.branches.find(b => b.id === this.actor?.branchId) ?? world.branches[0]!
    }

    get otherBranch() {
      return world.branches.find(b => b.id !== this.actor?.branchId) ?? world.branches[1]!
    }

    /** Sends, checks the answer against the rules every answer obeys, and returns the JSON body (or undefined). */
    async call(route: string, request: FuzzRequest, opts: { label: string, expect?: readonly number[], json?: boolean, touches?: string[] } = { label: '' }): Promise<{ res: FuzzResponse, body: any }> {
      run.covered.add(route)
      run.requests++
      const headers = { ...this.hostileHeaders(), ...request.headers }
      const started = Date.now()
      const res = await this.client.send({ ...request, headers })
      run.time(route, Date.now() - started)
      return { res, body: check(route, opts, res, headers, request) }
    }

    /** Headers a hostile or odd client adds: languages, forwarded-for, big cookies. */
    hostileHeaders(): Record<string, string> {
      const headers: Record<string, string> = {}
      if (this.rng.chance(0.3))
        headers['accept-language'] = this.rng.pick(['en', 'zh-CN', 'en-US,en;q=0.9', 'zh-TW', '*', 'fr', 'en;q=0', 'xx-YY;q=abc', `${'en,'.repeat(500)}zh`, ';;;,,,'])
      if (this.rng.chance(0.15))
        headers['x-forwarded-for'] = this.rng.pick(['1.2.3.4', '127.0.0.1, 10.0.0.1', 'unknown', '::1', 'x'.repeat(500), '999.999.999.999'])
      if (this.rng.chance(0.05))
        headers.cookie = `session=${'c'.repeat(8000)}`
      if (this.rng.chance(0.05))
        headers['user-agent'] = this.rng.pick(['', '() { :; }; echo pwned', 'x'.repeat(4000)])
      return headers
    }

    auth(): Record<string, string> {
      return this.actor ? { authorization: `Bearer ${this.actor.token}` } : {}
    }
  }

  function check(route: string, opts: { label: string, expect?: readonly number[], json?: boolean, touches?: string[] }, res: FuzzResponse, headers: Record<string, string>, request: FuzzRequest): any {
    const example = `${request.method} ${request.path.slice(0, 80)} ${typeof request.body === 'string' ? request.body.slice(0, 100) : ''}`
    run.statuses.set(res.status, (run.statuses.get(res.status) ?? 0) + 1)
    if (res.failure || res.status >= 500) {
      for (const key of opts.touches ?? [])
        run.uncertain.add(key)
    }
    if (res.failure) {
      run.find('no answer', route, opts.label, { status: 0, body: res.failure }, example)
      return undefined
    }
    if (res.status >= 500) {
      run.find('5xx', route, opts.label, res, example)
      return undefined
    }
    if (res.status >= 400) {
      const problem = errorBodyProblem(res, pickLocale(headers['accept-language']))
      if (problem)
        run.find(`4xx without the protocol body (${problem})`, route, opts.label, res, example)
    }
    // Headers (the URL included) over Node's 16 KiB are refused before any route: a fair answer anywhere.
    if (opts.expect && !opts.expect.includes(res.status) && res.status !== 431)
      run.find(`status not in ${opts.expect.join('/')}`, route, opts.label, res, example)
    if (res.status >= 400 || opts.json === false || request.method === 'HEAD')
      return undefined
    try {
      return JSON.parse(res.body)
    }
    catch {
      run.find('2xx body is not JSON', route, opts.label, res, example)
      return undefined
    }
  }

  const route = { sync: `POST ${API}/sync` }

  /** Joins through the real port; the actor the fuzz then drives. */
  async function join(client: FuzzClient, inviteCode: string, name: string): Promise<Actor> {
    const res = await client.send({ method: 'POST', path: `${API}/join`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inviteCode, name }) })
    expect(res.status, res.body).toBe(201)
    const body = JSON.parse(res.body)
    return { id: body.member.id, token: body.token, branchId: body.member.branchId, role: body.member.role, name }
  }

  /** A sync push through the real port that must apply every change; the seed of the world. */
  async function pushSeed(client: FuzzClient, actor: Actor, clientId: string, changes: { table: MemberTable, id: string, updatedAt: number, data: Record<string, unknown> }[]): Promise<void> {
    const res = await client.send({ method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', 'authorization': `Bearer ${actor.token}` }, body: JSON.stringify({ clientId, cursor: null, changes }) })
    expect(res.status, res.body).toBe(200)
    const results = JSON.parse(res.body).results as { status: string }[]
    expect(results.map(r => r.status), res.body.slice(0, 500)).toEqual(changes.map(() => 'applied'))
    for (const c of changes) {
      run.acknowledge(c.table, c.id, { updatedAt: c.updatedAt, clientId, writerId: actor.id, ownerId: actor.id, deleted: false, data: (validateRecordData(c.table, c.data) as { data: Record<string, unknown> }).data })
      world.seeded.push({ table: c.table, id: c.id, ownerId: actor.id, branchId: actor.branchId })
    }
  }

  async function seedWorld(): Promise<void> {
    const client = new FuzzClient(port)
    try {
      for (const label of ['甲', '乙']) {
        const branch = await storage.createBranch(`模糊测试${label}支部`)
        const secretary = await join(client, branch.secretaryInviteCode, `${label}书记`)
        const members = [await join(client, branch.memberInviteCode, `${label}党员一`), await join(client, branch.memberInviteCode, `${label}党员二`)]
        const victim = await join(client, branch.memberInviteCode, `${label}停用`)
        const flipper = await join(client, branch.memberInviteCode, `${label}轮换`)
        const entry = { id: branch.branchId, memberInviteCode: branch.memberInviteCode, secretaryInviteCode: branch.secretaryInviteCode, secretary, members, victim, flipper, materialIds: [] as string[] }
        world.branches.push(entry)
        const seedRng = rng.fork(world.branches.length)
        const materials = [0, 1].map(() => ({ table: 'materials' as const, id: seedRng.uuid(), updatedAt: Date.now(), data: validData(seedRng, 'materials', { memberId: secretary.id, materialIds: [], allowHugeBody: false, plain: true }) }))
        await pushSeed(client, secretary, 'seed-materials', materials)
        entry.materialIds.push(...materials.map(m => m.id))
        for (const actor of [secretary, ...members, victim]) {
          const changes = MEMBER_WRITABLE.flatMap(table => [0, 1].map(() => ({ table, id: seedRng.uuid(), updatedAt: Date.now() - seedRng.int(0, 1e6), data: validData(seedRng, table, { memberId: actor.id, materialIds: entry.materialIds, allowHugeBody: false, plain: true }) })))
          await pushSeed(client, actor, 'seed', changes)
        }
      }
    }
    finally {
      client.close()
    }
  }

  // ---- the actions a device takes, each one request ----

  /** One change of a push; `raw` is its JSON as first sent (a replay must send the same bytes, 1e400 and all). */
  interface Plan { kind: string, label: string, change: unknown, raw?: string, table?: MemberTable, id?: string, expect?: readonly string[], expectCode?: string }

  const safe = (n: number) => Math.max(0, Math.min(n, Number.MAX_SAFE_INTEGER))

  function freshUpdatedAt(r: Rng): number {
    return r.weighted([[8, Date.now() + r.int(0, 5000)], [2, Date.now() - r.int(0, 1e10)], [1, r.int(0, 1000)], [1, Number.MAX_SAFE_INTEGER - r.int(0, 10)]] as const)
  }

  function writableTables(dev: Device): readonly MemberTable[] {
    return dev.actor?.role === 'secretary' ? MEMBER_TABLES : MEMBER_WRITABLE
  }

  function validChange(dev: Device, table: MemberTable = dev.rng.pick(writableTables(dev))) {
    const r = dev.rng
    const data = validData(r, table, { memberId: dev.actor!.id, materialIds: dev.branch.materialIds, allowHugeBody: true })
    // Reading progress has one id per member and material, shared by the member's devices, as in the app.
    const id = table === 'readingProgress' ? stableUuid('fuzz-progress', dev.actor!.id, String(data.materialId)) : r.uuid()
    return { table, id, updatedAt: freshUpdatedAt(r), data }
  }

  function planChanges(dev: Device): Plan[] {
    const r = dev.rng
    const actor = dev.actor!
    const count = r.weighted([[6, r.int(1, 5)], [3, r.int(6, 30)], [1, r.int(31, 120)]] as const)
    const plans: Plan[] = []
    for (let i = 0; i < count; i++) {
      const kind = r.weighted([[30, 'valid'], [30, 'mutant'], [8, 'foreign'], [7, 'replay'], [5, 'deleteUnknown'], [5, 'deleteOwn'], [5, 'duplicate'], [3, 'sameVersion'], [3, 'materialByMember'], [1, 'poisoned']] as const)
      switch (kind) {
        case 'valid': {
          const change = validChange(dev)
          // Derived ids (reading progress) are shared by the member's devices: stale is fair there.
          const expectStatus = change.table === 'readingProgress' ? ['applied', 'stale'] : ['applied']
          plans.push({ kind, label: `valid ${change.table}`, change, table: change.table, id: change.id, expect: expectStatus })
          break
        }
        case 'mutant': {
          const base = validChange(dev)
          const other = dev.otherBranch.members[0]!
          const mutant = mutateChange(r, base, { memberId: other.id, branchId: other.branchId })
          plans.push({ kind, label: mutant.label, change: mutant.change })
          break
        }
        case 'foreign': {
          const targets = world.seeded.filter(s => s.ownerId !== actor.id && !(isSecretaryWritten(s.table) && s.branchId === actor.branchId && actor.role === 'secretary'))
          const target = r.pick(targets)
          const deleted = r.chance(0.3)
          const change = deleted
            ? { table: target.table, id: target.id, updatedAt: Number.MAX_SAFE_INTEGER, deleted: true }
            : { table: target.table, id: target.id, updatedAt: Number.MAX_SAFE_INTEGER, data: validData(r, target.table, { memberId: actor.id, materialIds: dev.branch.materialIds, allowHugeBody: false }) }
          plans.push({ kind, label: `${deleted ? 'delete of' : 'write to'} another member's ${target.table}${target.branchId === actor.branchId ? '' : ' (other branch)'}`, change, table: target.table, id: target.id, expect: ['rejected'], expectCode: 'forbidden' })
          break
        }
        case 'replay': {
          const earlier = dev.sent.length > 0 ? r.pick(dev.sent) : null
          if (!earlier)
            break
          const expectStatus = earlier.status === 'applied' ? ['applied', 'stale'] : earlier.status === 'stale' ? ['stale'] : earlier.status === 'rejected' ? ['rejected'] : undefined
          const table = earlier.change.table as MemberTable
          plans.push({ kind, label: `replay of a change first ${earlier.status}${earlier.code ? ` ${earlier.code}` : ''}`, change: earlier.change, raw: earlier.raw, table, id: String(earlier.change.id), ...(expectStatus ? { expect: expectStatus } : {}) })
          break
        }
        case 'deleteUnknown': {
          const table = r.pick(writableTables(dev))
          const id = r.uuid()
          plans.push({ kind, label: `delete of an unknown ${table}`, change: { table, id, updatedAt: freshUpdatedAt(r), deleted: true }, table, id, expect: ['applied'] })
          break
        }
        case 'deleteOwn': {
          const own = dev.sent.filter(s => s.status === 'applied')
          if (own.length === 0)
            break
          const earlier = r.pick(own).change
          const table = earlier.table as MemberTable
          plans.push({ kind, label: `delete of an own ${table}`, change: { table, id: earlier.id, updatedAt: safe(Number(earlier.updatedAt) + r.int(1, 1000)), deleted: true }, table, id: String(earlier.id), expect: ['applied', 'stale'] })
          break
        }
        case 'duplicate': {
          const first = validChange(dev, r.pick(MEMBER_WRITABLE.filter(t => t !== 'readingProgress')))
          const second = { ...validChange(dev, first.table), id: first.id, updatedAt: safe(first.updatedAt + r.int(-5, 5)) }
          plans.push({ kind, label: `first of two changes to one id`, change: first, table: first.table, id: first.id, expect: ['applied'] })
          plans.push({ kind, label: `second change to one id in one request`, change: second, table: first.table, id: first.id, expect: ['applied', 'stale'] })
          break
        }
        case 'sameVersion': {
          // The same id, updatedAt and client id as an applied change, with other data.
          const own = dev.sent.filter(s => s.status === 'applied' && !s.change.deleted && s.change.data)
          if (own.length === 0)
            break
          const earlier = r.pick(own).change
          const table = earlier.table as MemberTable
          const data = validData(r, table, { memberId: actor.id, materialIds: dev.branch.materialIds, allowHugeBody: false })
          if (table === 'readingProgress')
            data.materialId = (earlier.data as Record<string, unknown>).materialId
          plans.push({ kind, label: `same id and updatedAt as an applied ${table}, other data`, change: { ...earlier, data }, table, id: String(earlier.id) })
          break
        }
        case 'poisoned': {
          // Prototype-pollution keys: the server refuses the whole body (the other changes too).
          const other = dev.otherBranch.members[0]!
          const mutant = mutateChange(r, validChange(dev), { memberId: other.id, branchId: other.branchId }, true)
          plans.push({ kind, label: mutant.label, change: mutant.change })
          break
        }
        case 'materialByMember': {
          if (actor.role === 'secretary')
            break
          const change = validChange(dev, 'materials')
          plans.push({ kind, label: 'a member publishes a material', change, table: 'materials', id: change.id, expect: ['rejected'], expectCode: 'forbidden' })
          break
        }
      }
    }
    return plans
  }

  async function pushAction(dev: Device): Promise<void> {
    const r = dev.rng
    const actor = dev.actor!
    const plans = r.chance(0.01) ? Array.from({ length: r.pick([500, 501]) }, () => ({ kind: 'bulk', label: 'bulk valid', change: validChange(dev, 'studyCheckins') } as Plan)) : planChanges(dev)
    const cursor = r.weighted([[6, dev.cursor], [3, null], [1, '0']] as const)
    const raws = plans.map(p => p.raw ?? encodeJson(p.change))
    const text = `{"clientId":${JSON.stringify(dev.clientId)},"cursor":${JSON.stringify(cursor)},"changes":[${raws.join(',')}]}`
    dev.bodies.push(text)
    if (dev.bodies.length > 50)
      dev.bodies.shift()
    const touches = plans.flatMap(p => (p.table && p.id ? [`${p.table}:${p.id}`] : []))
    for (const p of plans) {
      const c = p.change as Record<string, unknown> | null
      if (c && typeof c === 'object' && typeof c.table === 'string' && typeof c.id === 'string')
        touches.push(`${c.table}:${c.id}`)
    }
    run.changes += plans.length
    const tooBig = plans.length > 500 || Buffer.byteLength(text) > 1024 * 1024
    const poisoned = POISON.test(text)
    const { res, body: answer } = await dev.call(route.sync, { method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', ...dev.auth() }, body: text }, { label: tooBig ? 'push over a limit' : poisoned ? 'push with prototype-pollution keys' : 'push', expect: tooBig ? [413] : poisoned ? [400] : [200], touches })
    if (!answer)
      return
    const results = answer.results as { table: unknown, id: unknown, status: string, error?: { code?: unknown, message?: unknown } }[]
    if (!Array.isArray(results) || results.length !== plans.length) {
      run.find('results do not match the changes', route.sync, 'push', res)
      return
    }
    dev.cursor = typeof answer.cursor === 'string' ? answer.cursor : dev.cursor
    checkPulled(route.sync, actor, answer.changes, res)
    // The changes as the server read them (raw numbers such as 1e400 or -0 parsed).
    const sent = (JSON.parse(text) as { changes: unknown[] }).changes
    results.forEach((result, i) => {
      const plan = plans[i]!
      if (!['applied', 'stale', 'rejected'].includes(result.status))
        run.find('unknown result status', route.sync, plan.label, res)
      if (result.status === 'rejected' && (typeof result.error?.code !== 'string' || typeof result.error?.message !== 'string' || !result.error.message))
        run.find('rejected without {code, message}', route.sync, plan.label, { status: res.status, body: JSON.stringify(result) })
      if (plan.expect && !plan.expect.includes(result.status))
        run.find(`change ${result.status}, expected ${plan.expect.join('/')}`, route.sync, plan.label, { status: res.status, body: JSON.stringify(result).slice(0, 300) }, encodeJson(plan.change))
      else if (plan.expectCode && result.error?.code !== plan.expectCode)
        run.find(`change rejected ${String(result.error?.code)}, expected ${plan.expectCode}`, route.sync, plan.label, { status: res.status, body: JSON.stringify(result) })
      const change = sent[i] as Record<string, unknown>
      if (change && typeof change === 'object' && !Array.isArray(change) && typeof change.table === 'string' && typeof change.id === 'string') {
        if (plan.kind !== 'replay' && plan.kind !== 'bulk')
          dev.sent.push({ change, raw: raws[i]!, status: result.status, ...(typeof result.error?.code === 'string' ? { code: result.error.code } : {}) })
        if (dev.sent.length > 300)
          dev.sent.shift()
        if (result.status === 'applied')
          acknowledgePush(dev, change, plan.label, res)
        if (result.status === 'stale' && answer.hasMore === false && !(answer.changes as { table: string, id: string }[]).some(c => c.table === change.table && c.id === change.id))
          run.find('stale without the winning copy in changes', route.sync, plan.label, { status: res.status, body: JSON.stringify(result) })
      }
    })
  }

  function acknowledgePush(dev: Device, change: Record<string, unknown>, label: string, res: FuzzResponse): void {
    const table = change.table as MemberTable
    const deleted = change.deleted === true
    let data: Record<string, unknown> | null = null
    if (!deleted) {
      const checked = (MEMBER_TABLES as readonly string[]).includes(table) ? validateRecordData(table, change.data) : { ok: false as const }
      if (!checked.ok) {
        run.find('applied a change the domain schema refuses', route.sync, label, res, encodeJson(change))
        return
      }
      data = checked.data as Record<string, unknown>
    }
    run.acknowledge(table, String(change.id), { updatedAt: Number(change.updatedAt), clientId: dev.clientId, writerId: dev.actor!.id, ownerId: dev.actor!.id, deleted, data })
  }

  /** Every row a pull sends must be one the caller may read. */
  function checkPulled(where: string, actor: Actor, changes: unknown, res: FuzzResponse): void {
    if (!Array.isArray(changes)) {
      run.find('pull without a changes array', where, 'pull', res)
      return
    }
    for (const c of changes as { table: string, data: { memberId?: string, branchId?: string } }[]) {
      const readable = isShared(c.table) ? c.data?.branchId === actor.branchId : c.data?.memberId === actor.id
      if (!readable)
        run.find('pull sent a row the caller may not read', where, c.table, { status: res.status, body: JSON.stringify(c).slice(0, 300) })
    }
  }

  async function envelopeAction(dev: Device): Promise<void> {
    const r = dev.rng
    const field = r.pick(['clientId', 'cursor', 'changes', 'extra', 'poison'] as const)
    const hostile = hostileValue(r)
    const body: Record<string, unknown> = { clientId: dev.clientId, cursor: null, changes: [] }
    let expectStatus: number[] | undefined = [400]
    if (field === 'extra') {
      Object.assign(body, { memberId: dev.otherBranch.members[0]!.id, branchId: dev.otherBranch.id, role: 'secretary', constructor: { name: 'x' } })
      expectStatus = [200]
    }
    else if (field === 'poison') {
      // Written as text: an object literal would set the prototype instead of carrying the key.
      const poison = r.pick(['"__proto__":{"isAdmin":true}', '"constructor":{"prototype":{"x":1}}'])
      const text = `${encodeJson(body).slice(0, -1)},${poison}}`
      await dev.call(route.sync, { method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', ...dev.auth() }, body: text }, { label: 'envelope with prototype-pollution keys', expect: [400] })
      return
    }
    else if (field === 'clientId' && r.chance(0.5)) {
      // Client ids of 1–100 characters that are unusual but within the rules.
      body.clientId = r.pick([validText(r, 1, 100), 'device-🙂', ' '])
      expectStatus = undefined
    }
    else {
      body[field] = hostile.value
      if ((field === 'cursor' && hostile.value === null) || (field === 'changes' && Array.isArray(hostile.value)))
        expectStatus = [200]
      // A string of 1–15 ASCII digits ('60') is a cursor as the protocol spells it.
      if (field === 'cursor' && typeof hostile.value === 'string' && /^\d{1,15}$/.test(hostile.value))
        expectStatus = [200]
      // 1–100 characters (code points) is a client id, whatever they are; the server may still refuse U+0000.
      if (typeof hostile.value === 'string' && field === 'clientId' && [...hostile.value].length >= 1 && [...hostile.value].length <= 100)
        expectStatus = undefined
    }
    const { res, body: answer } = await dev.call(route.sync, { method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', ...dev.auth() }, body: encodeJson(body) }, { label: `envelope ${field}${field === 'extra' ? ' keys' : ` = ${hostile.label}`}`, ...(expectStatus ? { expect: expectStatus } : {}) })
    if (answer)
      checkPulled(route.sync, dev.actor!, answer.changes, res)
  }

  async function pullAction(dev: Device): Promise<void> {
    const { res, body } = await dev.call(route.sync, { method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', ...dev.auth() }, body: JSON.stringify({ clientId: dev.clientId, cursor: dev.cursor, changes: [] }) }, { label: 'pull', expect: [200] })
    if (body) {
      checkPulled(route.sync, dev.actor!, body.changes, res)
      dev.cursor = body.hasMore ? body.cursor : null
    }
  }

  async function replayRequestAction(dev: Device): Promise<void> {
    if (dev.bodies.length === 0)
      return
    const text = dev.rng.pick(dev.bodies)
    const { res, body } = await dev.call(route.sync, { method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', ...dev.auth() }, body: text }, { label: 'whole request replayed' })
    if (body)
      checkPulled(route.sync, dev.actor!, body.changes, res)
  }

  const BROKEN_BODIES: (string | Buffer)[] = ['', ' ', '{', '{"clientId":', '}', 'null', 'true', '42', '"text"', '[]', '[{}]', '{"a":1,}', '{\'a\':1}', 'NaN', '{"n":1e400}', '\u0000', '\uFEFF{}', Buffer.from([0xFF, 0xFE, 0x00, 0x7B]), Buffer.from([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]), `${'['.repeat(20_000)}${']'.repeat(20_000)}`, `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, '{"clientId":"c","cursor":null,"changes":[],"clientId":"d"}', '{"__proto__":{"polluted":true}}']
  const CONTENT_TYPES = [undefined, 'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'application/jsonx', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/json, text/plain', 'application/vnd.api+json', 'application/json;;;', '']

  async function malformedAction(dev: Device): Promise<void> {
    const r = dev.rng
    const member = r.pick([...dev.branch.members, dev.branch.victim])
    const targets = [
      ['POST', `${API}/join`, `POST ${API}/join`],
      ['POST', `${API}/setup`, `POST ${API}/setup`],
      ['POST', `${API}/sync`, `POST ${API}/sync`],
      ['POST', `${API}/branch/invite-codes`, `POST ${API}/branch/invite-codes`],
      ['PATCH', `${API}/branch/members/${member.id}`, `PATCH ${API}/branch/members/:id`],
      ['POST', `${API}/branch/members/${member.id}/records`, `POST ${API}/branch/members/:id/records`],
      ['PATCH', `${API}/branch/problems/${r.uuid()}`, `PATCH ${API}/branch/problems/:id`],
    ] as const
    const [method, path, name] = r.pick(targets)
    const kind = r.weighted([[3, 'broken'], [2, 'contentType'], [1, 'encoding']] as const)
    let body: string | Buffer = r.pick(BROKEN_BODIES)
    let contentType: string | undefined = 'application/json'
    let label = `broken JSON ${JSON.stringify(String(body).slice(0, 20))}`
    const headers: Record<string, string> = { ...dev.auth() }
    if (kind === 'contentType') {
      contentType = r.pick(CONTENT_TYPES)
      body = '{"inviteCode":"x","name":"y","clientId":"c","cursor":null,"changes":[],"kind":"member","status":"open"}'
      label = `content-type ${String(contentType)}`
    }
    else if (kind === 'encoding') {
      headers['content-encoding'] = r.pick(['gzip', 'br', 'identity', 'x-unknown'])
      body = Buffer.from([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03])
      label = `content-encoding ${headers['content-encoding']}`
    }
    if (contentType !== undefined)
      headers['content-type'] = contentType
    await dev.call(name, { method, path, headers, body }, { label })
  }

  async function joinAction(dev: Device): Promise<void> {
    const r = dev.rng
    const branch = r.pick(world.branches)
    const valid = r.chance(0.25)
    let body: unknown
    let label: string
    let expectStatus: number[] | undefined
    if (valid) {
      const spaced = r.chance(0.3)
      body = { inviteCode: spaced ? ` ${branch.memberInviteCode.toLowerCase()} ` : branch.memberInviteCode, name: validText(r, 1, 40) }
      label = 'valid member code'
      expectStatus = [201, 403]
    }
    else {
      const field = r.pick(['inviteCode', 'name', 'both', 'wrongCode'] as const)
      const hostile = hostileValue(r)
      if (field === 'wrongCode') {
        body = { inviteCode: r.pick(['WRONG-CODE', branch.memberInviteCode.slice(1), `${branch.memberInviteCode}x`, '0'.repeat(64)]), name: '猜码' }
        label = 'wrong invite code'
        expectStatus = [403]
      }
      else {
        body = { inviteCode: field === 'name' ? branch.memberInviteCode : hostile.value, name: field === 'inviteCode' ? '模糊' : hostile.value }
        label = `${field} = ${hostile.label}`
      }
    }
    await dev.call(`POST ${API}/join`, { method: 'POST', path: `${API}/join`, headers: { 'content-type': 'application/json' }, body: encodeJson(body) }, { label, ...(expectStatus ? { expect: expectStatus } : {}) })
  }

  async function setupAction(dev: Device): Promise<void> {
    const r = dev.rng
    if (r.chance(0.4)) {
      const code = r.pick([SETUP_CODE, hostileQueryValue(r), 'a&code=b', 'x[$ne]=1'])
      await dev.call(`GET ${API}/setup`, { method: 'GET', path: `${API}/setup?code=${code}` }, { label: 'setup code check', expect: [200, 400] })
      return
    }
    const hostile = hostileValue(r)
    const field = r.pick(['code', 'branchName', 'name'] as const)
    const body: Record<string, unknown> = { code: r.chance(0.5) ? SETUP_CODE : 'guess', branchName: '模糊支部', name: '模糊书记', [field]: hostile.value }
    await dev.call(`POST ${API}/setup`, { method: 'POST', path: `${API}/setup`, headers: { 'content-type': 'application/json' }, body: encodeJson(body) }, { label: `setup ${field} = ${hostile.label}` })
  }

  async function meAction(dev: Device): Promise<void> {
    const r = dev.rng
    const actor = dev.actor ?? world.branches[0]!.members[0]!
    const spelling = r.pick(authorizationSpellings(actor.token))
    const { body } = await dev.call(`GET ${API}/me`, { method: 'GET', path: `${API}/me`, headers: spelling.value === '' ? {} : { authorization: spelling.value } }, { label: `authorization ${spelling.valid ? 'valid' : 'invalid'} spelling`, expect: spelling.valid ? [200] : [401] })
    if (body && body.member?.id !== actor.id)
      run.find('me answered another member', `GET ${API}/me`, spelling.value.slice(0, 30), { status: 200, body: JSON.stringify(body) })
  }

  async function materialAction(dev: Device): Promise<void> {
    const r = dev.rng
    const choice = dev.actor ? r.weighted([[4, 'own'], [2, 'other'], [2, 'junk'], [1, 'noAuth']] as const) : 'noAuth'
    const id = choice === 'own' ? `${r.pick(dev.branch.materialIds)}${r.pick(['', '', '/', '?x=1'])}` : choice === 'other' ? r.pick(dev.otherBranch.materialIds) : choice === 'noAuth' ? r.pick(dev.branch.materialIds) : r.pick([r.uuid(), r.pick(dev.branch.materialIds).toUpperCase(), '..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(3000), '__proto__', '%ED%A0%80', `${r.pick(dev.branch.materialIds)}%00`, `${r.pick(dev.branch.materialIds)}%2F`])
    const expectStatus = choice === 'own' ? [200, 404] : choice === 'noAuth' ? [401] : [404, 400]
    await dev.call(`GET ${API}/materials/:id`, { method: 'GET', path: `${API}/materials/${id}`, headers: choice === 'noAuth' ? {} : dev.auth() }, { label: `material ${choice}`, expect: expectStatus })
  }

  /** `?a=…&b=…` with each parameter absent, valid, hostile, repeated or bracketed. */
  function query(r: Rng, params: Record<string, readonly string[]>): { text: string, hostile: boolean } {
    const parts: string[] = []
    let hostile = false
    for (const [name, valid] of Object.entries(params)) {
      const roll = r.next()
      if (roll < 0.4)
        continue
      if (roll < 0.7 && valid.length > 0) {
        parts.push(`${name}=${encodeURIComponent(r.pick(valid))}`)
        continue
      }
      hostile = true
      const value = hostileQueryValue(r)
      parts.push(r.weighted([[5, `${name}=${value}`], [1, `${name}=${value}&${name}=${value}`], [1, `${name}[]=${value}`], [1, `${name}[$ne]=1`], [1, `${name}`]] as const))
    }
    if (r.chance(0.1)) {
      hostile = true
      parts.push(r.pick(['__proto__[x]=1', 'constructor[prototype][x]=1', Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&'), '&&&', '=', '%26=%3D']))
    }
    return { text: parts.length > 0 ? `?${parts.join('&')}` : '', hostile }
  }

  async function branchViewAction(dev: Device): Promise<void> {
    const r = dev.rng
    const actor = dev.actor!
    const today = todayIn()
    const thisWeek = weekKey(today)
    const month = today.slice(0, 7)
    const ownMember = r.pick([...dev.branch.members, dev.branch.victim, dev.branch.secretary])
    const choice = r.pick(['completion', 'overview', 'members', 'records', 'recordsOther', 'grid', 'serviceMonths', 'problems', 'summary', 'summaryRecords', 'docx', 'csv'] as const)
    const views = {
      completion: ['/branch/completion', { week: [thisWeek, '2026-W01', '2020-W53'] }],
      overview: ['/branch', {}],
      members: ['/branch/members', {}],
      records: [`/branch/members/${ownMember.id}/records`, { table: ['studyCheckins', 'serviceLogs', 'readingNotes'], from: ['2024-01-01', today], to: [today, '2030-01-01'] }],
      recordsOther: [`/branch/members/${r.pick(dev.otherBranch.members).id}/records`, { table: ['studyCheckins'] }],
      grid: ['/branch/grid', { from: ['2025-W01', thisWeek], to: [thisWeek], group: ['all', 'active', 'retired'] }],
      serviceMonths: ['/branch/service-months', { from: ['2025-01', month], to: [month] }],
      problems: ['/branch/problems', { status: [...PROBLEM_STATUSES], category: ['livelihood', 'other'], community: ['东城社区', '社区'] }],
      summary: ['/branch/summary', { month: [month, '2025-12'] }],
      summaryRecords: ['/branch/summary/records', { month: [month], figure: ['branchStudy.held', 'service.hours', 'problems.open', 'notes.count'] }],
      docx: ['/branch/summary.docx', { month: [month] }],
      csv: ['/branch/summary.csv', { month: [month] }],
    } as const
    const [path, params] = views[choice]
    const q = query(r, params)
    // The rows behind a figure need the figure.
    if (choice === 'summaryRecords' && !/[?&]figure=/.test(q.text))
      q.hostile = true
    const name = `GET ${API}${path.replace(/members\/[^/]+/, 'members/:id')}`
    const secretary = actor.role === 'secretary'
    // A query that cannot be stored (U+0000) may be refused (400) before the token is read.
    const expectStatus = !secretary ? (q.hostile ? [403, 400] : [403]) : choice === 'recordsOther' ? (q.hostile ? [404, 400] : [404]) : q.hostile ? [200, 400] : [200]
    const { body } = await dev.call(name, { method: 'GET', path: `${API}${path}${q.text}`, headers: dev.auth() }, { label: `${secretary ? 'secretary' : 'member'}${q.hostile ? ', hostile query' : ''}`, expect: expectStatus, json: choice !== 'docx' && choice !== 'csv' })
    // A secretary's views never name a member of another branch.
    if (body) {
      const text = JSON.stringify(body)
      for (const other of [...dev.otherBranch.members, dev.otherBranch.secretary, dev.otherBranch.victim]) {
        if (text.includes(other.id))
          run.find('a branch view shows another branch\'s member', name, choice, { status: 200, body: text.slice(0, 300) })
      }
    }
  }

  /** A hostile value that is not, by chance, one the field accepts (hostileValue may draw 'secretary' or true). */
  function invalidValue(r: Rng, accepted: (value: unknown) => boolean): unknown {
    for (;;) {
      const { value } = hostileValue(r)
      if (!accepted(value))
        return value
    }
  }

  async function branchWriteAction(dev: Device): Promise<void> {
    const r = dev.rng
    const actor = dev.actor!
    const secretary = actor.role === 'secretary'
    const branch = dev.branch
    const choice = r.weighted([[1, 'inviteCodes'], [3, 'patchMember'], [1, 'revoke'], [6, 'proxy'], [3, 'patchProblem']] as const)
    const auth = { 'content-type': 'application/json', ...dev.auth() }
    const forbidden = secretary ? undefined : [403]
    switch (choice) {
      case 'inviteCodes': {
        const valid = r.chance(0.15)
        const kind = valid ? r.pick(['member', 'secretary']) : invalidValue(r, v => v === 'member' || v === 'secretary')
        const { body } = await dev.call(`POST ${API}/branch/invite-codes`, { method: 'POST', path: `${API}/branch/invite-codes`, headers: auth, body: encodeJson({ kind }) }, { label: valid ? 'valid kind' : 'hostile kind', expect: forbidden ?? (valid ? [200] : [400]) })
        if (body?.code && kind === 'member')
          branch.memberInviteCode = body.code
        if (body?.code && kind === 'secretary')
          branch.secretaryInviteCode = body.code
        return
      }
      case 'patchMember': {
        const target = r.weighted([[3, 'flipper'], [2, 'member'], [1, 'other'], [1, 'junk']] as const)
        const id = target === 'flipper' ? branch.flipper.id : target === 'member' ? r.pick(branch.members).id : target === 'other' ? dev.otherBranch.flipper.id : r.pick([r.uuid(), branch.flipper.id.toUpperCase(), '%00', 'x'.repeat(500)])
        const patch: Record<string, unknown> = {}
        let hostile = false
        if (r.chance(0.5))
          patch.retired = r.chance(0.7) ? r.chance(0.5) : (hostile = true, invalidValue(r, v => typeof v === 'boolean'))
        if (r.chance(0.4))
          patch.partyJoinDate = r.chance(0.6) ? r.pick([null, '1990-07-01', todayIn()]) : (hostile = true, invalidValue(r, v => v === null || (typeof v === 'string' && isIsoDate(v))))
        if (target === 'flipper' && r.chance(0.4))
          patch.role = r.chance(0.7) ? r.pick(['member', 'secretary']) : (hostile = true, invalidValue(r, v => v === 'member' || v === 'secretary'))
        else if (r.chance(0.2))
          patch.role = (hostile = true, r.pick(['admin', 'Secretary', null, 1]))
        if (Object.keys(patch).length === 0)
          hostile = true
        // A junk id may be refused as a URL (400) before the token is even read.
        const expectStatus = target === 'junk' ? [...(forbidden ?? [404]), 400] : forbidden ?? (target === 'other' ? [404, 400] : hostile ? [400] : [200])
        await dev.call(`PATCH ${API}/branch/members/:id`, { method: 'PATCH', path: `${API}/branch/members/${id}`, headers: auth, body: encodeJson(patch) }, { label: `${target}${hostile ? ', hostile patch' : ''}`, expect: expectStatus })
        return
      }
      case 'revoke': {
        const target = r.pick(['victim', 'other', 'junk'] as const)
        const id = target === 'victim' ? branch.victim.id : target === 'other' ? dev.otherBranch.victim.id : r.uuid()
        await dev.call(`POST ${API}/branch/members/:id/revoke-devices`, { method: 'POST', path: `${API}/branch/members/${id}/revoke-devices`, headers: dev.auth() }, { label: target, expect: forbidden ?? (target === 'victim' ? [200] : [404]) })
        return
      }
      case 'proxy': {
        const target = r.weighted([[5, 'own'], [1, 'other'], [2, 'foreignId'], [4, 'mutant']] as const)
        const member = target === 'other' ? r.pick(dev.otherBranch.members) : r.pick([...branch.members, branch.victim])
        const table = r.pick(['studyCheckins', 'serviceLogs'] as const)
        const data = validData(r, table, { memberId: member.id, materialIds: branch.materialIds, allowHugeBody: false })
        let entry: unknown = { table, id: r.uuid(), updatedAt: freshUpdatedAt(r), data }
        let expectStatus: number[] | undefined = forbidden ?? (target === 'other' ? [404] : [201])
        let label = `代录 ${target} ${table}`
        if (target === 'foreignId') {
          const seed = r.pick(world.seeded.filter(s => s.table === table && s.ownerId !== member.id))
          entry = { table, id: seed.id, updatedAt: Number.MAX_SAFE_INTEGER, data }
          expectStatus = forbidden ?? [403]
        }
        else if (target === 'mutant') {
          const other = dev.otherBranch.members[0]!
          const mutant = mutateChange(r, entry as { table: MemberTable, id: string, updatedAt: number, data: Record<string, unknown> }, { memberId: other.id, branchId: other.branchId })
          entry = mutant.change
          label = `代录 ${mutant.label}`
          expectStatus = forbidden
        }
        const e = entry as Record<string, unknown> | null
        const touches = e && typeof e === 'object' && typeof e.id === 'string' ? [`${String(e.table)}:${e.id}`] : []
        const { res, body } = await dev.call(`POST ${API}/branch/members/:id/records`, { method: 'POST', path: `${API}/branch/members/${member.id}/records`, headers: auth, body: encodeJson(entry) }, { label, ...(expectStatus ? { expect: expectStatus } : {}), touches })
        if (body?.result === 'applied' && e) {
          // What the server read: raw JSON numbers such as 0.1e1 arrive as the numbers they spell.
          const sent = JSON.parse(encodeJson(e)) as Record<string, unknown>
          const checked = (sent.table === 'studyCheckins' || sent.table === 'serviceLogs') ? validateRecordData(sent.table, sent.data) : { ok: false as const }
          if (!checked.ok)
            run.find('applied a 代录 the domain schema refuses', `POST ${API}/branch/members/:id/records`, label, res, encodeJson(e))
          else
            run.acknowledge(String(e.table), String(e.id), { updatedAt: Number(e.updatedAt), clientId: `proxy:${actor.id}`, writerId: actor.id, ownerId: member.id, deleted: false, data: checked.data as Record<string, unknown> })
        }
        return
      }
      case 'patchProblem': {
        const target = r.weighted([[4, 'own'], [1, 'other'], [1, 'junk']] as const)
        const problems = world.seeded.filter(s => s.table === 'problems')
        const id = target === 'own' ? r.pick(problems.filter(p => p.branchId === branch.id)).id : target === 'other' ? r.pick(problems.filter(p => p.branchId !== branch.id)).id : r.pick([r.uuid(), '%00', 'x'.repeat(300), '__proto__'])
        const body: Record<string, unknown> = { status: r.pick(PROBLEM_STATUSES) }
        let hostile = false
        if (r.chance(0.5))
          body.ownerName = r.chance(0.6) ? r.pick([null, '', '张三', validText(r, 1, 40)]) : (hostile = true, hostileValue(r).value)
        if (r.chance(0.5))
          body.resolution = r.chance(0.6) ? r.pick([null, '已联系物业', validText(r, 1, 2000)]) : (hostile = true, hostileValue(r).value)
        if (r.chance(0.15))
          body.status = (hostile = true, hostileValue(r).value)
        const expectStatus = target === 'junk' ? [...(forbidden ?? [404]), 400] : forbidden ?? (target !== 'own' ? [404, 400] : hostile ? undefined : [200])
        await dev.call(`PATCH ${API}/branch/problems/:id`, { method: 'PATCH', path: `${API}/branch/problems/${id}`, headers: auth, body: encodeJson(body) }, { label: `${target}${hostile ? ', hostile fields' : ''}`, ...(expectStatus ? { expect: expectStatus } : {}) })
      }
    }
  }

  async function miscAction(dev: Device): Promise<void> {
    const r = dev.rng
    // Every route refuses a query value no database could keep (U+0000) with a 400 naming the
    // parameter, the health check included; any other value it ignores (%ED%A0%80 is not UTF-8 and
    // is not decoded into a lone surrogate).
    const query = hostileQueryValue(r)
    const unstorable = query === '%00'
    const choice = r.pick([
      ['GET', `${API}/health`, `GET ${API}/health`, [200]],
      ['HEAD', `${API}/health`, `GET ${API}/health`, [200]],
      ['GET', `${API}/docs`, `GET ${API}/docs`, [200]],
      ['GET', `${API}/health?x=${query}`, `GET ${API}/health`, unstorable ? [400] : [200]],
      ['POST', `${API}/health`, 'unknown route', [404]],
      ['DELETE', `${API}/sync`, 'unknown route', [404]],
      ['PUT', `${API}/join`, 'unknown route', [404]],
      ['OPTIONS', `${API}/sync`, 'unknown route', [404, 204]],
      ['GET', `${API}/sync`, 'unknown route', [404]],
      ['GET', `${API}/nothing-here`, 'unknown route', [404]],
      ['GET', '/api', 'unknown route', [404]],
      ['GET', '/', 'unknown route', [404]],
      ['GET', `${API}/health/../sync`, 'odd path', [404, 400, 200]],
      ['GET', `${API}//health`, 'odd path', [404, 400, 200]],
      ['GET', `${API}/%ZZ`, 'odd path', [400, 404]],
      ['GET', `${API}/%E0%A4%A`, 'odd path', [400, 404]],
      ['GET', `${API}/health%00`, 'odd path', [400, 404]],
      ['GET', `${API}/${'a'.repeat(8000)}`, 'odd path', [404, 414, 400]],
      ['GET', `${API}/me/`, `GET ${API}/me`, undefined],
    ] as const)
    const [method, path, name, expectStatus] = choice
    await dev.call(name, { method, path, headers: dev.auth() }, { label: `${method} ${path.slice(0, 60)}`, json: name !== `GET ${API}/docs`, ...(expectStatus ? { expect: expectStatus } : {}) })
  }

  async function rawAction(dev: Device): Promise<void> {
    const r = dev.rng
    const token = dev.actor?.token ?? 'none'
    const sync = `{"clientId":"raw","cursor":null,"changes":[]}`
    const cases: [string, string | Buffer][] = [
      ['header over 16 KiB', `GET ${API}/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['many headers', `GET ${API}/health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: 1\r\n`).join('')}\r\n`],
      ['URL over 16 KiB', `GET ${API}/health?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['garbage request line', 'GARBAGE\r\n\r\n'],
      ['HTTP/0.9 style', `GET ${API}/health\r\n\r\n`],
      ['HTTP/1.0 without host', `GET ${API}/health HTTP/1.0\r\n\r\n`],
      ['NUL in a header', `GET ${API}/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0000${token}\r\n\r\n`],
      ['bytes above 0x7F in a header', Buffer.concat([Buffer.from(`GET ${API}/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer `), Buffer.from([0xFF, 0xFE, 0xC3]), Buffer.from(`\r\n\r\n`)])],
      ['content-length and chunked', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
      ['content-length not a number', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`],
      ['two content-lengths', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`],
      ['bad chunk size', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`],
      ['chunked valid body', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(10).toString(16)}\r\n${sync.slice(0, 10)}\r\n${(sync.length - 10).toString(16)}\r\n${sync.slice(10)}\r\n0\r\n\r\n`],
      ['body larger than its content-length', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n${sync}`],
      ['declared body over 1 MiB', `POST ${API}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n{`],
      ['expect 100-continue', `POST ${API}/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`],
      ['absolute-form target', `GET http://evil.example${API}/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['space in the path', `GET ${API}/he alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
      ['folded header', `GET ${API}/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n ${token}\r\nConnection: close\r\n\r\n`],
      ['unknown method', `BREW ${API}/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    ]
    const [label, bytes] = r.pick(cases)
    run.covered.add('raw')
    run.requests++
    const started = Date.now()
    const res = await sendRaw(port, bytes)
    run.time(`raw ${label}`, Date.now() - started)
    // The 100 interim answer precedes the real one: judge the final answer.
    if (res.status === 100) {
      run.statuses.set(100, (run.statuses.get(100) ?? 0) + 1)
      return
    }
    check('raw HTTP', { label }, res, {}, { method: 'RAW', path: label })
  }

  /**
   * Any route the API answers, including ones the actions above do not know: path parameters as
   * real or junk ids, hostile query and body, with and without the device's token.
   */
  async function genericAction(dev: Device, target = dev.rng.pick(app.apiRoutes)): Promise<void> {
    const r = dev.rng
    // A write names only members no fuzz device signs in as (the victim, another branch's), so a random
    // revoke, 转出 or merge never signs out a device whose later answers the checks expect to succeed.
    const known = target.method === 'GET' ? [...(dev.actor ? [dev.actor.id] : []), dev.branch.members[0]!.id] : [dev.branch.victim.id]
    const ids = [r.uuid(), ...known, dev.otherBranch.members[0]!.id, r.pick(dev.branch.materialIds), 'x'.repeat(300), '%00', '__proto__']
    const path = target.url.replace(/:\w+/g, () => encodeURI(r.pick(ids)))
    const q = r.chance(0.5) ? query(r, { code: [], week: [], month: [], from: [], to: [], table: [], kind: [] }).text : ''
    const fields = ['code', 'name', 'inviteCode', 'kind', 'table', 'id', 'updatedAt', 'data', 'status', 'role', 'retired', 'deviceName', 'clientId', 'changes']
    const body = Object.fromEntries(fields.filter(() => r.chance(0.3)).map(f => [f, hostileValue(r).value]))
    const withBody = target.method !== 'GET' && target.method !== 'HEAD'
    const headers = { ...(r.chance(0.8) ? dev.auth() : {}), ...(withBody ? { 'content-type': 'application/json' } : {}) }
    await dev.call(`${target.method} ${target.url}`, { method: target.method, path: `${path}${q}`, headers, ...(withBody ? { body: encodeJson(body) } : {}) }, { label: 'generic hostile request', json: !/docx|xlsx|csv|docs/.test(target.url) })
  }

  async function deviceLoop(dev: Device, deadline: number): Promise<void> {
    const r = dev.rng
    for (let step = 0; step < STEPS; step++) {
      if (Date.now() > deadline) {
        run.cutShort = true
        return
      }
      const action = dev.actor
        ? r.weighted([[34, pushAction], [4, pullAction], [5, envelopeAction], [3, replayRequestAction], [6, malformedAction], [2, joinAction], [1, setupAction], [4, meAction], [4, materialAction], [14, branchViewAction], [10, branchWriteAction], [3, miscAction], [3, rawAction], [4, genericAction]] as const)
        : r.weighted([[5, joinAction], [3, setupAction], [4, malformedAction], [4, meAction], [3, miscAction], [5, rawAction], [2, materialAction], [3, genericAction]] as const)
      await action(dev)
    }
  }

  it(`survives ${STEPS} random and hostile requests per device, nine devices at once`, async () => {
    await seedWorld()
    const [a, b] = world.branches as [World['branches'][number], World['branches'][number]]
    const devices = [
      new Device('a-secretary', rng.fork(1), a.secretary, 'fuzz-a-secretary'),
      new Device('a-m1-phone', rng.fork(2), a.members[0]!, 'fuzz-a-m1-phone'),
      new Device('a-m1-tablet', rng.fork(3), a.members[0]!, 'fuzz-a-m1-tablet'),
      new Device('a-m2', rng.fork(4), a.members[1]!, 'fuzz-a-m2'),
      new Device('b-secretary', rng.fork(5), b.secretary, 'fuzz-b-secretary'),
      new Device('b-m1', rng.fork(6), b.members[0]!, 'fuzz-b-m1'),
      new Device('b-m2-phone', rng.fork(7), b.members[1]!, 'fuzz-b-m2-phone'),
      new Device('b-m2-tablet', rng.fork(8), b.members[1]!, 'fuzz-b-m2-tablet'),
      new Device('stranger', rng.fork(9), null, 'fuzz-stranger'),
    ]
    try {
      // Several first-run setups at once with the live code: exactly one may win.
      const setups = await Promise.all(devices.slice(0, 4).map(dev => dev.call(`POST ${API}/setup`, { method: 'POST', path: `${API}/setup`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: SETUP_CODE, branchName: '首次支部', name: '首任书记' }) }, { label: 'simultaneous setup', expect: [201, 403] })))
      expect(setups.filter(s => s.res.status === 201)).toHaveLength(1)

      // Every route once before the random part (which a time budget may cut short), all devices at once.
      const sweep = devices[0]!
      await Promise.all(app.apiRoutes.map((target, i) => genericAction(devices[i % devices.length] ?? sweep, target)))

      const started = Date.now()
      await Promise.all(devices.map(dev => deviceLoop(dev, started + BUDGET_MS)))
      const seconds = (Date.now() - started) / 1000
      console.info(`[fuzz ${backend.name}] ${run.requests} requests, ${run.changes} changes in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...run.statuses].sort((x, y) => x[0] - y[0])))}; slowest: ${run.slowest()}`)
    }
    finally {
      for (const dev of devices)
        dev.client.close()
    }
    const expected = app.apiRoutes.map(r => `${r.method} ${r.url}`)
    expect(expected.filter(r => !run.covered.has(r)), 'routes the fuzz never reached').toEqual([])
    if (run.cutShort)
      console.warn(`[fuzz ${backend.name}] the ${BUDGET_MS} ms budget stopped the devices after ${run.requests} requests (a loaded machine); FUZZ_BUDGET_MS raises it`)
    expect(run.requests).toBeGreaterThan(500)
    const answers = [...run.findings.values()].filter(f => !f.rule.startsWith('stored') && !f.rule.startsWith('pull from null'))
    console.info(`[fuzz ${backend.name}] answers: ${run.report()}`)
    expect(answers.map(f => `[${f.rule}] ${f.where} | ${f.input} | ${f.status} | ${f.body}`), run.report()).toEqual([])
  })

  it('stored nothing invalid, unacknowledged or owned across branches', async () => {
    const stored: string[] = []
    const problem = (rule: string, table: string, row: Record<string, unknown>, detail = '') => stored.push(`[${rule}] ${table} ${String(row.id)}${detail ? `: ${detail}` : ''}`)
    const members = new Map((await storage.db.selectFrom('members').selectAll().execute()).map(m => [m.id, m]))
    const branches = new Map((await storage.db.selectFrom('branches').selectAll().execute()).map(b => [b.id, b]))
    // Revisions come from the global counter, or from one counter per branch (`rev:<branch id>`).
    const counters = new Map((await storage.db.selectFrom('counters').selectAll().execute()).map(c => [c.name, Number(c.value)]))
    const topRev = (branchId: string) => Math.max(counters.get('rev') ?? 0, counters.get(`rev:${branchId}`) ?? 0)
    const revs = new Map<string, string>()

    for (const branch of branches.values()) {
      if (typeof branch.name !== 'string' || !isWellFormed(branch.name) || [...branch.name.trim()].length < 1 || [...branch.name.trim()].length > 100)
        problem('branch name', 'branches', branch, JSON.stringify(branch.name))
    }
    for (const member of members.values()) {
      const name = member.name
      if (typeof name !== 'string' || !isWellFormed(name) || name !== name.trim() || [...name].length < 1 || [...name].length > 40)
        problem('member name', 'members', member, JSON.stringify(name).slice(0, 80))
      if (!branches.has(member.branch_id) || !['member', 'secretary'].includes(member.role) || !['active', 'left'].includes(member.status))
        problem('member row', 'members', member, JSON.stringify(member))
      if (member.party_join_date !== null && !(isIsoDate(member.party_join_date) && member.party_join_date <= todayIn()))
        problem('party join date', 'members', member, member.party_join_date)
    }

    for (const table of MEMBER_TABLES) {
      const rows = await (storage.db as any).selectFrom(SQL_TABLES[table]).selectAll().execute() as Record<string, any>[]
      for (const row of rows) {
        const key = `${table}:${row.id}`
        if (!UUID_RE.test(row.id))
          problem('id', table, row)
        const owner = members.get(row.member_id)
        if (!owner)
          problem('owner unknown', table, row, row.member_id)
        else if (owner.branch_id !== row.branch_id)
          problem('owned by a member of another branch than its branch_id', table, row, `member ${owner.branch_id}, row ${row.branch_id}`)
        if (!Number.isSafeInteger(row.updated_at) || row.updated_at < 0)
          problem('updated_at', table, row, String(row.updated_at))
        if (typeof row.client_id !== 'string' || !isWellFormed(row.client_id) || [...row.client_id].length < 1 || [...row.client_id].length > 100)
          problem('client_id', table, row, JSON.stringify(row.client_id).slice(0, 80))
        // A reader pages its branch's rows by rev: two rows of a branch may never share one.
        const revKey = `${row.branch_id}:${row.rev}`
        if (!Number.isSafeInteger(row.rev) || row.rev < 1 || row.rev > topRev(row.branch_id))
          problem('rev out of range', table, row, `${row.rev} > ${topRev(row.branch_id)}`)
        else if (revs.has(revKey))
          problem('rev shared with another row of the branch', table, row, `${row.rev} = ${revs.get(revKey)}`)
        revs.set(revKey, key)
        if (row.entered_by !== null && row.entered_by !== undefined && members.get(row.entered_by)?.branch_id !== row.branch_id)
          problem('entered by someone outside the branch', table, row, row.entered_by)
        for (const [column, value] of Object.entries(row)) {
          if (typeof value === 'string' && !isWellFormed(value))
            problem('text with U+0000 or a lone surrogate', table, row, column)
        }

        const data = dataOfRow(table, row)
        if (row.deleted !== 0 && row.deleted !== 1) {
          problem('deleted not 0/1', table, row, String(row.deleted))
        }
        else if (row.deleted === 1) {
          const content = [...Object.values(COLUMNS[table]), ...(DATED.includes(table) ? ['week'] : []), ...(table === 'materials' ? ['body_chars', 'body_bytes'] : [])]
          const kept = content.filter(c => row[c] !== null)
          if (kept.length > 0)
            problem('tombstone keeps content', table, row, kept.join(','))
        }
        else {
          const checked = validateRecordData(table, data)
          if (!checked.ok)
            problem('stored data fails the domain schema', table, row, JSON.stringify(checked.issues).slice(0, 200))
          if (DATED.includes(table) && (typeof row.date !== 'string' || !isIsoDate(row.date) || row.week !== weekKey(row.date)))
            problem('week is not the date\'s', table, row, `${row.date} ${row.week}`)
          if (table === 'materials' && typeof row.body === 'string' && (Number(row.body_chars) !== materialChars(row.body) || Number(row.body_bytes) !== Buffer.byteLength(row.body)))
            problem('material sizes do not match the body', table, row, `${row.body_chars}/${row.body_bytes}`)
        }
        if (table === 'problems') {
          if (!(PROBLEM_STATUSES as readonly string[]).includes(row.status))
            problem('problem status', table, row, String(row.status))
          if (row.owner_name !== null && (typeof row.owner_name !== 'string' || row.owner_name.trim() === '' || [...row.owner_name].length > 40))
            problem('problem owner name', table, row, JSON.stringify(row.owner_name).slice(0, 60))
          if (row.resolution !== null && (typeof row.resolution !== 'string' || row.resolution.trim() === '' || [...row.resolution].length > 2000))
            problem('problem resolution', table, row, JSON.stringify(row.resolution).slice(0, 60))
        }

        // Stored must be the newest acknowledged version, as it was acknowledged, by its owner.
        const versions = run.ledger.get(key)
        if (run.uncertain.has(key))
          continue
        if (!versions) {
          problem('stored without an acknowledgement', table, row, `${row.updated_at} ${row.client_id}`)
          continue
        }
        const newest = versions.reduce((top, v) => (versionAbove(v, top) || (v.updatedAt === top.updatedAt && v.clientId === top.clientId && v.seq > top.seq) ? v : top))
        if (newest.updatedAt !== Number(row.updated_at) || newest.clientId !== row.client_id) {
          problem('stored version is not the newest acknowledged', table, row, `stored ${row.updated_at}/${row.client_id}, acknowledged ${newest.updatedAt}/${newest.clientId}`)
          continue
        }
        if (newest.deleted !== (row.deleted === 1))
          problem('stored deleted flag differs from the acknowledged change', table, row)
        else if (newest.data && !sameData(table, newest.data, data))
          problem('stored data differs from the acknowledged change', table, row, DATA_FIELDS[table].filter(f => normalise(newest.data![f]) !== normalise(data[f])).map(f => `${f}: sent ${JSON.stringify(newest.data![f])?.slice(0, 40)} stored ${JSON.stringify(data[f])?.slice(0, 40)}`).join('; '))
        if (isSecretaryWritten(table)) {
          if (members.get(newest.writerId)?.branch_id !== row.branch_id)
            problem('secretary-written row written from another branch', table, row, newest.writerId)
        }
        else if (newest.ownerId !== row.member_id) {
          problem('row owned by someone other than its writer', table, row, `owner ${row.member_id}, acknowledged for ${newest.ownerId}`)
        }
      }
      // Every acknowledged row is still there.
      const ids = new Set(rows.map(r => r.id))
      for (const key of run.ledger.keys()) {
        const [t, id] = key.split(':') as [string, string]
        if (t === table && !ids.has(id) && !run.uncertain.has(key))
          stored.push(`[acknowledged but not stored] ${key}`)
      }
    }

    const changes = await storage.db.selectFrom('problem_status_changes').selectAll().execute()
    const problems = new Map((await storage.db.selectFrom('problems').select(['id', 'branch_id']).execute()).map(p => [p.id, p.branch_id]))
    for (const change of changes) {
      if (problems.get(change.problem_id) !== change.branch_id || members.get(change.changed_by)?.branch_id !== change.branch_id)
        problem('status change outside its branch', 'problem_status_changes', change, JSON.stringify(change))
    }
    console.info(`[fuzz ${backend.name}] stored rows checked: ${revs.size}; problems: ${stored.length}`)
    expect(stored.slice(0, 60), `${stored.length} stored row problem(s):\n${stored.slice(0, 60).join('\n')}`).toEqual([])
  })

  it('pulls from null, for every member, exactly the rows it may read, each valid', async () => {
    const problems: string[] = []
    const client = new FuzzClient(port)
    try {
      const members = await storage.db.selectFrom('members').selectAll().where('status', '=', 'active').execute()
      const rowsByTable = new Map<MemberTable, Record<string, any>[]>()
      for (const table of MEMBER_TABLES)
        rowsByTable.set(table, await (storage.db as any).selectFrom(SQL_TABLES[table]).selectAll().execute())
      for (const member of members) {
        const token = await storage.memberTokens.issue(member.id)
        const seen = new Map<string, { rev: number, deleted: boolean, data: Record<string, unknown> }>()
        let cursor: string | null = null
        let lastRev = 0
        for (let page = 0; page < 1000; page++) {
          const res = await client.send({ method: 'POST', path: `${API}/sync`, headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` }, body: JSON.stringify({ clientId: 'fuzz-audit', cursor, changes: [] }) })
          if (res.status !== 200) {
            problems.push(`[pull from null answered ${res.status}] ${member.name}: ${res.body.slice(0, 200)}`)
            break
          }
          const body = JSON.parse(res.body) as { changes: { table: MemberTable, id: string, rev: number, deleted: boolean, data: Record<string, unknown> }[], cursor: string | null, hasMore: boolean }
          for (const c of body.changes) {
            const key = `${c.table}:${c.id}`
            if (seen.has(key))
              problems.push(`[pull from null sent a row twice] ${member.name} ${key}`)
            if (c.rev <= lastRev)
              problems.push(`[pull from null out of rev order] ${member.name} ${key} ${c.rev} after ${lastRev}`)
            lastRev = Math.max(lastRev, c.rev)
            seen.set(key, c)
          }
          cursor = body.cursor
          if (!body.hasMore)
            break
        }
        for (const table of MEMBER_TABLES) {
          for (const row of rowsByTable.get(table)!) {
            const key = `${table}:${row.id}`
            const readable = isShared(table) ? row.branch_id === member.branch_id : row.member_id === member.id
            const got = seen.get(key)
            seen.delete(key)
            if (!readable) {
              if (got)
                problems.push(`[pull from null sent a row the member may not read] ${member.name} ${key}`)
              continue
            }
            if (!got) {
              problems.push(`[pull from null missed a readable row] ${member.name} ${key}`)
              continue
            }
            if (got.rev !== Number(row.rev) || got.deleted !== (row.deleted === 1))
              problems.push(`[pull from null differs from the stored row] ${member.name} ${key}: rev ${got.rev}/${row.rev}, deleted ${got.deleted}/${row.deleted}`)
            if (got.data.memberId !== row.member_id || got.data.branchId !== row.branch_id)
              problems.push(`[pull from null names another owner] ${member.name} ${key}`)
            if (got.deleted)
              continue
            const stored = dataOfRow(table, row)
            const checked = table === 'materials' ? validateRecordData('materials', { ...got.data, body: row.body }) : validateRecordData(table, got.data)
            if (!checked.ok)
              problems.push(`[pull from null sent data failing the domain schema] ${member.name} ${key}: ${JSON.stringify(got.data).slice(0, 200)}`)
            if (!sameData(table, got.data, stored, table === 'materials' ? ['body'] : []))
              problems.push(`[pull from null data differs from the stored row] ${member.name} ${key}`)
            if (table === 'materials' && 'body' in got.data)
              problems.push(`[pull from null sent a material body] ${member.name} ${key}`)
          }
        }
        for (const key of seen.keys())
          problems.push(`[pull from null sent a row that is not stored] ${member.name} ${key}`)
      }
      console.info(`[fuzz ${backend.name}] pulled from null for ${members.length} members; problems: ${problems.length}`)
    }
    finally {
      client.close()
    }
    expect(problems.slice(0, 60), `${problems.length} pull problem(s):\n${problems.slice(0, 60).join('\n')}`).toEqual([])
  })

  it('still answers 429 with the protocol body on the limited routes, under concurrency', async () => {
    // auth: failed tokens a minute per address, where the server limits them.
    const rateLimits = { join: 3, sync: 300, auth: 3 }
    const limited = await buildApp({ storage, rateLimits })
    await limited.listen({ host: '127.0.0.1', port: 0 })
    const address = limited.server.address()
    const limitedPort = typeof address === 'object' && address ? address.port : 0
    const clients = Array.from({ length: 4 }, () => new FuzzClient(limitedPort))
    const findings: string[] = []
    const expect429 = (label: string, res: FuzzResponse, lang: 'zh-CN' | 'en' = 'zh-CN') => {
      if (res.status !== 429)
        findings.push(`[${label}] status ${res.status}, expected 429: ${res.body.slice(0, 200)}`)
      else if (errorBodyProblem(res, lang) || JSON.parse(res.body).error.code !== 'rate_limited')
        findings.push(`[${label}] 429 without the protocol body: ${res.body.slice(0, 200)}`)
      else if (res.headers['retry-after'] === undefined)
        findings.push(`[${label}] 429 without Retry-After`)
    }
    try {
      const json = { 'content-type': 'application/json' }
      const wrongJoin = (client: FuzzClient, headers: Record<string, string> = {}) => client.send({ method: 'POST', path: `${API}/join`, headers: { ...json, ...headers }, body: JSON.stringify({ inviteCode: 'WRONG-CODE', name: '猜码' }) })
      // Join: 3 wrong codes a minute from this address, then 429, whatever a forwarded-for header says.
      const joins = await Promise.all(Array.from({ length: 8 }, (_, i) => wrongJoin(clients[i % 4]!)))
      const refused = joins.filter(r => r.status === 403).length
      if (refused !== 3)
        findings.push(`[join] ${refused} wrong codes answered 403 before the limit, expected 3`)
      for (const res of joins.filter(r => r.status !== 403))
        expect429('join', res)
      expect429('join with a forged X-Forwarded-For', await wrongJoin(clients[0]!, { 'x-forwarded-for': '203.0.113.9' }))
      expect429('join in English', await wrongJoin(clients[2]!, { 'accept-language': 'en' }), 'en')
      // Setup guesses are limited too (with join's allowance or one of their own), on both routes.
      for (let i = 0; i < 3; i++)
        await clients[0]!.send({ method: 'POST', path: `${API}/setup`, headers: json, body: '{"code":"guess","branchName":"x","name":"y"}' })
      expect429('setup', await clients[0]!.send({ method: 'POST', path: `${API}/setup`, headers: json, body: '{"code":"guess","branchName":"x","name":"y"}' }))
      expect429('setup check', await clients[0]!.send({ method: 'GET', path: `${API}/setup?code=guess` }))

      // Sync: 300 a minute per member, from four connections at once.
      // A member of a new branch, so each of the 320 pulls is empty and cheap.
      const quiet = await storage.createBranch('限流支部')
      const quietMember = await storage.members.create(quiet.branchId, '限流', 'member')
      const actor = { token: await storage.memberTokens.issue(quietMember.id) }
      const pull = (client: FuzzClient, authorization: string) => client.send({ method: 'POST', path: `${API}/sync`, headers: { ...json, authorization }, body: JSON.stringify({ clientId: 'limited', cursor: null, changes: [] }) })
      const answers = (await Promise.all(clients.map(async (client) => {
        const list: FuzzResponse[] = []
        for (let i = 0; i < 80; i++)
          list.push(await pull(client, `Bearer ${actor.token}`))
        return list
      }))).flat()
      const ok = answers.filter(r => r.status === 200).length
      if (ok !== 300)
        findings.push(`[sync] ${ok} of 320 answered 200, expected exactly 300`)
      for (const res of answers.filter(r => r.status !== 200))
        expect429('sync', res)
      // The same token spelled another way is the same member: still limited.
      for (const spelling of authorizationSpellings(actor.token).filter(s => s.valid))
        expect429(`sync as ${JSON.stringify(spelling.value.replace(actor.token, '<token>'))}`, await pull(clients[0]!, spelling.value))
      // Guessed tokens: 3 a minute from this address, then 429.
      const guesses = await Promise.all(Array.from({ length: 6 }, (_, i) => clients[i % 4]!.send({ method: 'GET', path: `${API}/me`, headers: { authorization: `Bearer guess${i}` } })))
      if (guesses.filter(r => r.status === 401).length !== 3)
        findings.push(`[guessed tokens] ${guesses.filter(r => r.status === 401).length} answered 401 before the limit, expected 3`)
      for (const res of guesses.filter(r => r.status !== 401))
        expect429('guessed token', res)
    }
    finally {
      for (const client of clients)
        client.close()
      await limited.close()
    }
    console.info(`[fuzz ${backend.name}] rate limits: ${findings.length ? findings.join('\n') : 'ok'}`)
    expect(findings, findings.join('\n')).toEqual([])
  })
})
