import type { MemberTable } from '../../../src/domain/records'
import { MATERIAL_CATEGORIES, PROBLEM_CATEGORIES, SERVICE_ACTIVITIES, STUDY_FORMS } from '../../../src/domain/records'
import { SESSION_FORMS } from '../../../src/domain/sessions'
import { addDays, todayIn } from '../../../src/domain/week'

/**
 * Seeded inputs for the fuzz test: a small PRNG (mulberry32, so FUZZ_SEED replays a run), valid
 * records of every table, and the hostile values and mutations the sync contract must survive.
 */

export class Rng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6D2B79F5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** One of `choices` by weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let roll = this.next() * choices.reduce((sum, [w]) => sum + w, 0)
    for (const [weight, value] of choices) {
      roll -= weight
      if (roll < 0)
        return value
    }
    return choices.at(-1)![1]
  }

  /** A lower-case UUID v4 drawn from this generator (so a replay sends the same ids). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16))
    hex[12] = '4'
    hex[16] = (8 + this.int(0, 3)).toString(16)
    const s = hex.join('')
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
  }

  /** A generator of its own for a sub-stream (one per simulated device). */
  fork(label: number): Rng {
    return new Rng(Math.imul(this.int(0, 0xFFFFFFFF) ^ label, 0x9E3779B1))
  }
}

/** A JSON number written as-is (`1e400`, `-0`), which `JSON.stringify` cannot produce. */
export class RawNumber {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `\u0001RAW:${this.text}\u0001`
  }
}

/** JSON text of `value`, with every `RawNumber` spliced in unquoted. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001RAW:([^"\\]*)\\u0001"/g, '$1')
}

const CHINESE = '学习党的二十大精神社区服务为民办实事读书笔记心得体会原著原文重要讲话支部集中开展志愿活动楼道灯坏了'
// Astral-plane characters: one code point, two UTF-16 units each.
const EMOJI = ['😀', '📚', '🎉', '🔥', '🧧', '𠮷']
const ASCII_WORDS = ['study', 'party', 'branch', 'note', 'service', 'x', 'Lorem', 'ipsum']

/** Text of exactly `n` code points drawn from `alphabet`. */
function codePoints(rng: Rng, n: number, alphabet: readonly string[]): string {
  let s = ''
  for (let i = 0; i < n; i++)
    s += rng.pick(alphabet)
  return s
}

const CHINESE_CHARS = [...CHINESE]

/**
 * Valid text of `min`–`max` characters (code points, as the API counts them), at least `min` of
 * them not blank: short Chinese, ASCII, spaces around, combining marks, and text at the limit
 * in Chinese or in emoji (each emoji is two UTF-16 units).
 */
export function validText(rng: Rng, min: number, max: number): string {
  return anyValidText(rng, min, max)
}

function plainText(rng: Rng, min: number, max: number): string {
  return codePoints(rng, rng.int(Math.max(min, 1), Math.min(max, 12)), CHINESE_CHARS)
}

function anyValidText(rng: Rng, min: number, max: number): string {
  const kind = rng.weighted([[5, 'chinese'], [2, 'ascii'], [1, 'padded'], [1, 'emojiLimit'], [1, 'chineseLimit'], [1, 'combining'], [1, 'mixedLimit']] as const)
  const short = () => rng.int(Math.max(min, 1), Math.max(Math.max(min, 1), Math.min(max, 24)))
  switch (kind) {
    case 'chinese':
      return codePoints(rng, short(), CHINESE_CHARS)
    case 'ascii': {
      let s = rng.pick(ASCII_WORDS)
      while (s.length < min || (rng.chance(0.5) && s.length + 8 < max))
        s += ` ${rng.pick(ASCII_WORDS)}`
      return [...s].slice(0, max).join('')
    }
    case 'padded': {
      const core = codePoints(rng, Math.max(min, 1), CHINESE_CHARS)
      const room = max - [...core].length
      const pad = Math.floor(Math.min(room, 6) / 2)
      return `${' '.repeat(pad)}${core}${'\u3000'.repeat(Math.max(0, Math.min(room - pad, pad)))}`
    }
    case 'emojiLimit':
      return codePoints(rng, max, EMOJI)
    case 'chineseLimit':
      return codePoints(rng, max, CHINESE_CHARS)
    case 'combining': {
      // 'é' as e + U+0301: two code points a reader sees as one letter; counted as two.
      const n = Math.max(1, Math.min(Math.floor(max / 2), rng.int(1, 10)))
      return 'e\u0301'.repeat(Math.max(n, Math.ceil(min / 2)))
    }
    case 'mixedLimit':
      return codePoints(rng, max, [...CHINESE_CHARS.slice(0, 5), ...EMOJI, 'a', ' ', '\u200B'])
        .replace(/^\s+/u, '学')
  }
}

/** Optional text: absent, null (where allowed), empty, or valid text up to `max`. */
function anyOptionalText(rng: Rng, max: number, nullable: boolean): string | null | undefined {
  const roll = rng.int(0, 5)
  if (roll === 0)
    return undefined
  if (roll === 1 && nullable)
    return null
  if (roll === 2)
    return ''
  return anyValidText(rng, 0, max)
}

const withoutUndefined = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined))

export function validDate(rng: Rng): string {
  const today = todayIn()
  return rng.chance(0.05) ? addDays(today, 1) : addDays(today, -rng.int(0, 800))
}

export interface RecordContext {
  memberId: string
  /** Live materials of the member's branch, to reference. */
  materialIds: readonly string[]
  /** Large bodies are sent rarely: they take a third of a MiB each. */
  allowHugeBody: boolean
  /** Plain short Chinese text only (the seed rows, which must apply whatever the edge cases do). */
  plain?: boolean
}

/** Study forms whose check-in a valid change may use with a random id (home study ids are derived). */
const FREE_FORMS = STUDY_FORMS.filter(f => f !== 'home_study')

/** Valid `data` for `table`. */
export function validData(rng: Rng, table: MemberTable, ctx: RecordContext): Record<string, unknown> {
  const text = ctx.plain ? plainText : anyValidText
  const optional = (r: Rng, max: number, nullable: boolean) => (ctx.plain ? undefined : anyOptionalText(r, max, nullable))
  const material = () => (ctx.materialIds.length > 0 && rng.chance(0.7) ? rng.pick(ctx.materialIds) : rng.uuid())
  switch (table) {
    case 'studyCheckins':
      return withoutUndefined({
        date: validDate(rng),
        form: rng.pick(FREE_FORMS),
        topic: text(rng, 1, 200),
        minutes: rng.int(1, 600),
        materialId: rng.weighted([[3, undefined], [1, null], [2, material()]] as const),
        note: optional(rng, 2000, true),
      })
    case 'serviceLogs':
      return withoutUndefined({
        date: validDate(rng),
        community: text(rng, 1, 100),
        activity: rng.pick(SERVICE_ACTIVITIES),
        hours: rng.int(1, 48) / 2,
        peopleServed: rng.weighted([[2, undefined], [1, null], [3, rng.int(0, 10_000)]] as const),
        description: optional(rng, 2000, false),
      })
    case 'readingNotes':
      return withoutUndefined({
        title: text(rng, 1, 200),
        source: optional(rng, 200, true),
        excerpt: optional(rng, 5000, true),
        reflection: text(rng, 1, 10_000),
        materialId: rng.weighted([[3, undefined], [1, null], [2, material()]] as const),
      })
    case 'problems':
      return withoutUndefined({
        date: validDate(rng),
        community: text(rng, 1, 100),
        category: rng.pick(PROBLEM_CATEGORIES),
        title: text(rng, 1, 100),
        detail: optional(rng, 2000, false),
      })
    case 'readingProgress':
      return withoutUndefined({
        materialId: material(),
        position: rng.int(0, 100_000),
        percent: rng.weighted([[3, rng.int(0, 100)], [2, Math.round(rng.next() * 1000) / 10], [1, rng.next() * 100]] as const),
        secondsSpent: rng.int(0, 10_000_000),
        finishedAt: rng.weighted([[2, undefined], [1, null], [2, Date.now() - rng.int(0, 1e10)]] as const),
      })
    case 'sessions': {
      const date = addDays(todayIn(), rng.int(-60, 30))
      return withoutUndefined({
        form: rng.pick(SESSION_FORMS),
        topic: text(rng, 1, 200),
        date,
        endDate: rng.weighted([[3, undefined], [1, null], [1, addDays(date, rng.int(0, 14))]] as const),
        time: rng.weighted([[2, undefined], [1, null], [2, `${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`]] as const),
        place: optional(rng, 100, true),
        host: optional(rng, 100, true),
        speaker: optional(rng, 100, true),
        code: String(rng.int(0, 999_999)).padStart(6, '0'),
        minutes: optional(rng, 2000, true),
      })
    }
    case 'materials': {
      const huge = ctx.allowHugeBody && rng.chance(0.02)
      const lines = Array.from({ length: rng.int(1, 8) }, () => `${rng.pick(['', '# ', '## ', '> ', '- ', '1. '])}${text(rng, 1, 80)}`)
      return withoutUndefined({
        title: text(rng, 1, 200),
        category: rng.pick(MATERIAL_CATEGORIES),
        body: huge ? codePoints(rng, 100_000, CHINESE_CHARS) : lines.join('\n'),
        studyBy: rng.weighted([[2, undefined], [1, null], [2, addDays(todayIn(), rng.int(-30, 60))]] as const),
        publishedAt: Date.now() - rng.int(0, 1e9),
      })
    }
  }
}

/** Every field each table's data may carry. */
export const DATA_FIELDS: Record<MemberTable, readonly string[]> = {
  studyCheckins: ['date', 'form', 'topic', 'minutes', 'materialId', 'note'],
  serviceLogs: ['date', 'community', 'activity', 'hours', 'peopleServed', 'description'],
  readingNotes: ['title', 'source', 'excerpt', 'reflection', 'materialId'],
  problems: ['date', 'community', 'category', 'title', 'detail'],
  materials: ['title', 'category', 'body', 'studyBy', 'publishedAt'],
  readingProgress: ['materialId', 'position', 'percent', 'secondsSpent', 'finishedAt'],
  sessions: ['form', 'topic', 'date', 'endDate', 'time', 'place', 'host', 'speaker', 'code', 'minutes'],
}

function nested(depth: number, array: boolean): unknown {
  let value: unknown = array ? [] : {}
  for (let i = 0; i < depth; i++)
    value = array ? [value] : { a: value }
  return value
}

/**
 * A value from the catalogue of hostile inputs, with a label for the report. `poison` adds
 * prototype-pollution keys, which make the server refuse the whole request body.
 */
export function hostileValue(rng: Rng, poison = false): { value: unknown, label: string } {
  const poisons: (() => { value: unknown, label: string })[] = [
    () => ({ value: JSON.parse('{"__proto__":{"polluted":true,"minutes":60}}'), label: '__proto__ object' }),
    () => ({ value: { constructor: { prototype: { polluted: true } } }, label: 'constructor.prototype' }),
  ]
  if (poison)
    return rng.pick(poisons)()
  const choices: (() => { value: unknown, label: string })[] = [
    () => ({ value: null, label: 'null' }),
    () => ({ value: rng.pick([true, false]), label: 'boolean' }),
    () => ({ value: rng.pick([0, -1, -600, -0.5]), label: 'negative or zero' }),
    () => ({ value: rng.pick([1.5, 0.25, 599.999, 2.0000001]), label: 'float where integer' }),
    () => ({ value: rng.pick([1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 2 ** 31, 2 ** 31 - 1, 2 ** 32]), label: 'huge number' }),
    () => ({ value: new RawNumber(rng.pick(['1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '0.1e1', '1E2'])), label: 'raw JSON number' }),
    () => ({ value: rng.pick(['NaN', 'Infinity', '-Infinity', '1e3', '0x10', '-0', '60', ' 60', '1_000', '١٢', '６０']), label: 'NaN-like string' }),
    () => ({ value: rng.pick(['', ' ', '\t\n', '\u3000', '\u200B']), label: 'blank string' }),
    () => ({ value: rng.pick(['\u0000', 'a\u0000b', '学习\u0000', '\u0000'.repeat(10)]), label: 'U+0000' }),
    () => ({ value: rng.pick(['\uD800', 'x\uDC00y', '学\uD83D', '\uDE00学习', `${'学'.repeat(10)}\uD800`]), label: 'lone surrogate' }),
    () => ({ value: codePoints(rng, rng.pick([101, 201, 2001, 5001, 10_001]), EMOJI), label: 'emoji past a limit' }),
    () => ({ value: codePoints(rng, rng.pick([40, 100, 200, 2000]), EMOJI), label: 'emoji at a limit' }),
    () => ({ value: 'x'.repeat(rng.pick([201, 2001, 10_001, 100_001, 300_000])), label: 'very long string' }),
    () => ({ value: nested(rng.int(20, 3000), rng.chance(0.5)), label: 'deep nesting' }),
    () => ({ value: { constructor: { name: 'x' }, toString: 1, hasOwnProperty: 2 }, label: 'constructor and toString keys' }),
    () => ({ value: rng.pick([[], [1, 2], ['studyCheckins'], [{ a: 1 }]]), label: 'array where scalar' }),
    () => ({ value: rng.pick<unknown>([{}, { toString: 'x' }, { valueOf: 60 }, { length: 3 }]), label: 'object where scalar' }),
    () => ({ value: rng.pick(['2026-02-30', '2026-13-01', '20261124', '2026-1-2', '9999-12-31', '0000-01-01', '２０２６-11-24', '2026-11-24T00:00:00Z', '-2026-01-01', '+02026-01-01']), label: 'bad date' }),
    () => ({ value: rng.pick(['7D0C5A36-4A8F-4B59-9B8A-2F0D8C1E9A11', '7d0c5a364a8f4b599b8a2f0d8c1e9a11', '{7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a11}', ' 7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a11', '7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a1g', '00000000-0000-0000-0000-000000000000\u0000']), label: 'bad UUID' }),
    () => ({ value: rng.pick(['\' OR 1=1 --', '"; DROP TABLE members; --', '../../etc/passwd', '<script>alert(1)</script>', '$' + '{7*7}', '%00', '\r\nX-Injected: 1']), label: 'injection text' }),
    () => ({ value: rng.pick(['branch_study ', 'BRANCH_STUDY', 'admin', 'secretary', 'solved', '__proto__', 'constructor', 'toString']), label: 'near-miss enum' }),
  ]
  return rng.pick(choices)()
}

const TABLE_MUTANTS: unknown[] = ['StudyCheckins', 'study_checkins', 'members', 'member_tokens', 'counters', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' studyCheckins', 'studyCheckins\u0000', 'materials ', null, 5, ['studyCheckins'], {}]

/** A change that `mutate` made hostile, and what it did (for the report). */
export interface Mutant {
  change: unknown
  label: string
}

/**
 * A valid change with one hostile alteration: of a data field, the envelope, or the whole shape.
 * `poison` makes it carry prototype-pollution keys instead (the server refuses the whole body).
 */
export function mutateChange(rng: Rng, change: { table: MemberTable, id: string, updatedAt: number, data: Record<string, unknown> }, others: { memberId: string, branchId: string }, poison = false): Mutant {
  const data = { ...change.data }
  const kind = poison ? 'protoData' : rng.weighted([[10, 'field'], [2, 'drop'], [3, 'extra'], [2, 'table'], [2, 'id'], [2, 'updatedAt'], [1, 'deleted'], [2, 'dataShape'], [1, 'changeShape']] as const)
  switch (kind) {
    case 'field': {
      const field = rng.pick(DATA_FIELDS[change.table])
      const { value, label } = hostileValue(rng)
      return { change: { ...change, data: { ...data, [field]: value } }, label: `data.${field} = ${label}` }
    }
    case 'drop': {
      const field = rng.pick(DATA_FIELDS[change.table])
      delete data[field]
      return { change: { ...change, data }, label: `data.${field} missing` }
    }
    case 'extra': {
      const extra = rng.pick([
        { memberId: others.memberId },
        { branchId: others.branchId },
        { memberId: others.memberId, branchId: others.branchId },
        { status: 'solved', ownerName: '冒名', resolution: '已处理', statusUpdatedAt: 1 },
        { week: '1999-W01' },
        { enteredBy: others.memberId, enteredByName: '书记' },
        { rev: 1, deleted: true },
        { body: '正文', bodyChars: 1, bodyBytes: 1, authorName: '冒名' },
        { reporterName: '冒名' },
      ])
      return { change: { ...change, data: { ...data, ...extra } }, label: `data + ${Object.keys(extra).join(',')}` }
    }
    case 'table':
      return { change: { ...change, table: rng.pick(TABLE_MUTANTS) }, label: 'unknown table' }
    case 'id': {
      const { value, label } = rng.chance(0.5) ? { value: change.id.toUpperCase(), label: 'upper-case UUID' } : hostileValue(rng)
      return { change: { ...change, id: value }, label: `id = ${label}` }
    }
    case 'updatedAt': {
      const { value, label } = hostileValue(rng)
      return { change: { ...change, updatedAt: value }, label: `updatedAt = ${label}` }
    }
    case 'deleted':
      return { change: { ...change, deleted: rng.pick(['true', 1, 0, null, 'false', [], {}]) }, label: 'deleted not boolean' }
    case 'dataShape':
      return { change: { ...change, data: rng.pick<unknown>([[data], 'data', 5, [], true, JSON.stringify(data)]) }, label: 'data not an object' }
    case 'changeShape':
      return { change: rng.pick<unknown>([null, [], 'change', 5, [change], true]), label: 'change not an object' }
    case 'protoData': {
      if (rng.chance(0.5)) {
        const field = rng.pick(DATA_FIELDS[change.table])
        const { value, label } = hostileValue(rng, true)
        return { change: { ...change, data: { ...data, [field]: value } }, label: `data.${field} = ${label}` }
      }
      const raw = JSON.parse(`{"__proto__":{"minutes":60,"topic":"t","isSecretary":true},"constructor":{"prototype":{"polluted":true}}}`) as Record<string, unknown>
      return { change: { ...change, data: Object.assign(raw, data) }, label: 'data with __proto__ and constructor keys' }
    }
  }
}

/** Ways to write an `Authorization` header for `token`, and whether each names the token. */
export function authorizationSpellings(token: string): { value: string, valid: boolean }[] {
  return [
    { value: `Bearer ${token}`, valid: true },
    { value: `bearer ${token}`, valid: true },
    { value: `BEARER ${token}`, valid: true },
    { value: `  Bearer ${token}  `, valid: true },
    { value: `Bearer  ${token}`, valid: false },
    { value: `Bearer\t${token}`, valid: false },
    { value: `Bearer ${token} extra`, valid: false },
    { value: `Bearer ${token},Bearer ${token}`, valid: false },
    { value: `Basic ${token}`, valid: false },
    { value: `Token ${token}`, valid: false },
    { value: `Bearer "${token}"`, valid: false },
    { value: `Bearer ${token.slice(0, -1)}`, valid: false },
    { value: `Bearer ${token.toUpperCase()}`, valid: false },
    { value: 'Bearer', valid: false },
    { value: 'Bearer ', valid: false },
    { value: '', valid: false },
    { value: `Bearer ${'x'.repeat(8000)}`, valid: false },
    { value: 'Bearer null', valid: false },
    { value: 'Bearer undefined', valid: false },
    { value: `Bearer ${token}\u00E9`, valid: false },
  ]
}

/** Hostile values for one query parameter, already percent-encoded where they must be. */
export function hostileQueryValue(rng: Rng): string {
  return rng.pick([
    '',
    '%00',
    '%ED%A0%80',
    '%E0%A4%A',
    '%',
    '%ZZ',
    '%F0%9F%98%80'.repeat(100),
    'x'.repeat(rng.pick([300, 5000])),
    '9'.repeat(400),
    '2026-W99',
    '2026-W00',
    '0000-W01',
    '9999-W52',
    '2026-W53',
    '2026-13',
    '2026-00',
    '0000-01',
    '9999-12',
    '-2026-01',
    '2026-02-30',
    '9999-12-31',
    '0001-01-01',
    '%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-W01',
    '__proto__',
    'constructor',
    '..%2F..%2Fetc',
    '\' OR 1=1 --'.replace(/ /g, '+'),
    'all',
    'retired',
    'open',
    'solved',
    'studyCheckins',
    'branchStudy.held',
    'service.byActivity.visit',
  ])
}
