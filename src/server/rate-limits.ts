import type { FastifyInstance } from 'fastify'
import { ApiError } from './errors'

/**
 * Limits on failed attempts per client address: wrong tokens on every route that needs one, and
 * wrong invite or setup codes. Only failures count, so a whole branch joining at one meeting from
 * one Wi-Fi (or through one proxy) all get in, while guessing stays slow.
 *
 * @fastify/rate-limit counts every request before the route runs and cannot take a success back,
 * hence this small counter. Once an address has `max` failures in the window, every attempt from
 * it is refused until the window ends, the right ones too: a guesser must not learn from a
 * 429-or-not which guess was right. Attempts in flight hold a place against the limit (more
 * wait for a place), so a burst of guesses sent at once is judged `max` at a time, never all
 * before the first failure is counted.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** Failed attempts per client address: tokens (`auth`) and invite or setup codes (`codes`). */
    failureLimits: { auth: FailureLimiter, codes: FailureLimiter }
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

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>()

  constructor(
    readonly max: number,
    readonly windowMs = 60_000,
    // Bounds the memory a flood of addresses can take; the oldest idle addresses are forgotten.
    private readonly maxKeys = 10_000,
    // Beyond this many waiting for a place, an address is refused at once.
    private readonly maxWaiting = 1_000,
  ) {}

  /**
   * Runs `attempt` for `key` (a client address) unless it is over the limit (→ 429 rate_limited);
   * a result `isFailure` calls a failure counts against the key, anything else (and a thrown
   * error, e.g. a database fault) does not.
   */
  async attempt<T>(key: string, attempt: () => Promise<T>, isFailure: (result: T) => boolean): Promise<T> {
    const entry = this.entryFor(key)
    for (;;) {
      const now = Date.now()
      if (entry.failures > 0 && now >= entry.windowStart + this.windowMs)
        entry.failures = 0
      if (entry.failures >= this.max)
        throw rateLimited(entry.windowStart + this.windowMs - now)
      if (entry.failures + entry.inFlight < this.max)
        break
      if (entry.queued >= this.maxWaiting)
        throw rateLimited(1000)
      entry.queued++
      await new Promise<void>(resolve => entry.waiting.push(resolve))
      entry.queued--
    }
    entry.inFlight++
    try {
      const result = await attempt()
      if (isFailure(result)) {
        if (entry.failures === 0)
          entry.windowStart = Date.now()
        entry.failures++
      }
      return result
    }
    finally {
      entry.inFlight--
      // Every waiter looks again: a success frees a place, a failure may have reached the limit.
      entry.waiting.splice(0).forEach(wake => wake())
      if (isIdle(entry) && entry.failures === 0 && this.entries.get(key) === entry)
        this.entries.delete(key)
    }
  }

  private entryFor(key: string): Entry {
    let entry = this.entries.get(key)
    if (entry) {
      // Most recently used last, so the oldest are the first to be forgotten.
      this.entries.delete(key)
    }
    else {
      entry = { failures: 0, windowStart: 0, inFlight: 0, queued: 0, waiting: [] }
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
export function installFailureLimits(app: FastifyInstance, limits: { auth: number, codes: number }): void {
  app.decorate('failureLimits', { auth: new FailureLimiter(limits.auth), codes: new FailureLimiter(limits.codes) })
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof ApiError && error.code === 'rate_limited' && !reply.hasHeader('retry-after'))
      reply.header('retry-after', String(error.params.seconds ?? 60))
  })
}
