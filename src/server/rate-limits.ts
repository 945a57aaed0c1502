import type { FastifyInstance } from 'fastify'
import { isIPv6 } from 'node:net'
import { ApiError } from './errors'

/**
 * Limits per client address: wrong tokens on every route that needs one, wrong invite or setup
 * codes, and (generously) successful joins. Only failures count against codes, so a whole branch
 * joining at one meeting from one Wi-Fi (or through one proxy) all get in, while guessing stays slow.
 *
 * An address is an IPv4 address or an IPv6 /64 (`addressKey`): one phone or one home network is
 * given a /64, so keying on the full IPv6 address would hand a guesser 2^64 allowances.
 *
 * @fastify/rate-limit counts every request before the route runs and cannot take a success back,
 * hence this small counter. For codes (`attempt`), once an address has `max` failures in the
 * window, every attempt from it is refused until the window ends, the right ones too: a guesser
 * must not learn from a 429-or-not which guess was right. Attempts in flight hold a place against
 * the limit (more wait for a place), so a burst of guesses sent at once is judged `max` at a time,
 * never all before the first failure is counted. A `globalMax` bounds the failures of all
 * addresses together, against guessing spread over many addresses.
 *
 * Tokens (`fail`) are 256 random bits: there is nothing to guess, so a right token always passes
 * and only wrong or missing ones count and are refused past the limit; otherwise anyone could lock
 * out every member behind one address (a meeting's Wi-Fi, the proxy) with 30 bad requests.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Per client address: failed tokens (`auth`), failed invite or setup codes (`codes`, also
     * bounded across all addresses), and successful joins (`joins`, a generous cap, so one who
     * knows the code cannot make members without end).
     */
    failureLimits: { auth: FailureLimiter, codes: FailureLimiter, joins: FailureLimiter }
  }
}

interface Entry {
  failures: number
  windowStart: number
  inFlight: number
  /** Attempts waiting for a place, and their wake-ups (pending until each resumes). */
  queued: number
  waiting: (() => void)[]
}

const isIdle = (entry: Entry): boolean => entry.inFlight === 0 && entry.queued === 0
const newEntry = (): Entry => ({ failures: 0, windowStart: 0, inFlight: 0, queued: 0, waiting: [] })

/** Eight 16-bit groups of a valid IPv6 address (zone removed), an embedded IPv4 tail included. */
function ipv6Groups(address: string): number[] {
  let text = address
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, -v4[0].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const front = head === '' ? [] : head.split(':')
  const back = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? front : [...front, ...Array.from({ length: 8 - front.length - back.length }, () => '0'), ...back]
  return groups.map(group => Number.parseInt(group, 16))
}

/**
 * The key an address is limited by: an IPv4 address as it is, an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, a dual-stack socket's view of an IPv4 client) as that IPv4 address, any
 * other IPv6 address as its /64 (`2001:db8:1:2::/64`). Anything else (not an address) as it is.
 */
export function addressKey(address: string): string {
  const bare = address.split('%')[0]!
  if (!isIPv6(bare))
    return address
  const groups = ipv6Groups(bare)
  if (groups.slice(0, 5).every(g => g === 0) && groups[5] === 0xFFFF)
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  return `${groups.slice(0, 4).map(g => g.toString(16)).join(':')}::/64`
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>()
  /** All addresses together, against `globalMax`. */
  private readonly total = newEntry()

  constructor(
    readonly max: number,
    readonly windowMs = 60_000,
    // Bounds the memory a flood of addresses can take; the oldest idle addresses are forgotten.
    private readonly maxKeys = 10_000,
    // Beyond this many waiting for a place, an address is refused at once.
    private readonly maxWaiting = 1_000,
    // Failures of all addresses together in a window; past it every attempt is refused.
    readonly globalMax = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Runs `attempt` for `address` (a client address, keyed by `addressKey`) unless it, or all
   * addresses together, are over the limit (→ 429 rate_limited); a result `isFailure` calls a
   * failure counts, anything else (and a thrown error, e.g. a database fault) does not.
   */
  async attempt<T>(address: string, attempt: () => Promise<T>, isFailure: (result: T) => boolean): Promise<T> {
    const key = addressKey(address)
    const entry = this.entryFor(key)
    const total = this.total
    for (;;) {
      const now = Date.now()
      this.expire(entry, now)
      this.expire(total, now)
      if (entry.failures >= this.max)
        throw rateLimited(entry.windowStart + this.windowMs - now)
      if (total.failures >= this.globalMax)
        throw rateLimited(total.windowStart + this.windowMs - now)
      const blocker = entry.failures + entry.inFlight >= this.max
        ? entry
        : total.failures + total.inFlight >= this.globalMax ? total : null
      if (!blocker)
        break
      if (blocker.queued >= this.maxWaiting)
        throw rateLimited(1000)
      // The entry counts its waiters even when all addresses are the blocker: it stays remembered.
      entry.queued++
      if (blocker === total)
        total.queued++
      await new Promise<void>(resolve => blocker.waiting.push(resolve))
      entry.queued--
      if (blocker === total)
        total.queued--
    }
    entry.inFlight++
    total.inFlight++
    try {
      const result = await attempt()
      if (isFailure(result)) {
        const now = Date.now()
        this.count(entry, now)
        this.count(total, now)
      }
      return result
    }
    finally {
      entry.inFlight--
      total.inFlight--
      // Every waiter looks again: a success frees a place, a failure may have reached the limit.
      entry.waiting.splice(0).forEach(wake => wake())
      total.waiting.splice(0).forEach(wake => wake())
      this.forgetIfIdle(key, entry)
    }
  }

  /**
   * Counts a failure already known (a wrong or missing token) against `address`, or, when the
   * address is past the limit, throws 429 rate_limited instead (the failure is then not counted).
   */
  fail(address: string): void {
    const key = addressKey(address)
    const entry = this.entryFor(key)
    const now = Date.now()
    this.expire(entry, now)
    this.expire(this.total, now)
    if (entry.failures + entry.inFlight >= this.max)
      throw rateLimited(entry.windowStart + this.windowMs - now)
    if (this.total.failures + this.total.inFlight >= this.globalMax)
      throw rateLimited(this.total.windowStart + this.windowMs - now)
    this.count(entry, now)
    this.count(this.total, now)
  }

  private expire(entry: Entry, now: number): void {
    if (entry.failures > 0 && now >= entry.windowStart + this.windowMs)
      entry.failures = 0
  }

  private count(entry: Entry, now: number): void {
    if (entry.failures === 0)
      entry.windowStart = now
    entry.failures++
  }

  private forgetIfIdle(key: string, entry: Entry): void {
    if (isIdle(entry) && entry.failures === 0 && this.entries.get(key) === entry)
      this.entries.delete(key)
  }

  private entryFor(key: string): Entry {
    let entry = this.entries.get(key)
    if (entry) {
      // Most recently used last, so the oldest are the first to be forgotten.
      this.entries.delete(key)
    }
    else {
      entry = newEntry()
      for (const [oldKey, old] of this.entries) {
        if (this.entries.size < this.maxKeys)
          break
        if (isIdle(old))
          this.entries.delete(oldKey)
      }
    }
    this.entries.set(key, entry)
    return entry
  }
}

function rateLimited(ms: number): ApiError {
  return new ApiError('rate_limited', 'rateLimited', undefined, { seconds: Math.max(1, Math.ceil(ms / 1000)) })
}

/** Decorates the app with its failure limits, and gives their 429s a Retry-After like the plugin's. */
export function installFailureLimits(app: FastifyInstance, limits: { auth: number, codes: number, codesGlobal: number, joins: number }): void {
  app.decorate('failureLimits', {
    auth: new FailureLimiter(limits.auth),
    codes: new FailureLimiter(limits.codes, 60_000, 10_000, 1_000, limits.codesGlobal),
    joins: new FailureLimiter(limits.joins),
  })
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof ApiError && error.code === 'rate_limited' && !reply.hasHeader('retry-after'))
      reply.header('retry-after', String(error.params.seconds ?? 60))
  })
}
