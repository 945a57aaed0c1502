import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/app/api/client'
import { isRetryableSyncError, nextRetryDelay, RETRY_BASE_MS, RETRY_MAX_MS } from '@/app/sync/backoff'
import { createSyncRunner } from '@/app/sync/runner'

function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Lets pending promise callbacks run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++)
    await Promise.resolve()
}

/**
 * Web Locks as the browser grants an exclusive lock (Node has none): requests for one name wait in
 * order, each until the one before it has settled. One instance stands for one device's tabs.
 */
function webLocks() {
  const tails = new Map<string, Promise<unknown>>()
  const requested: string[] = []
  return {
    requested,
    request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T> {
      requested.push(name)
      const granted = (tails.get(name) ?? Promise.resolve()).then(() => callback({ name }))
      tails.set(name, granted.catch(() => {}))
      return granted
    },
  }
}

describe('retry backoff', () => {
  it('doubles from 2 s up to 5 min at the middle of the jitter', () => {
    const middle = () => 0.5
    const delays = Array.from({ length: 12 }, (_, i) => nextRetryDelay(i + 1, middle))
    expect(delays.slice(0, 5)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000])
    for (let i = 1; i < delays.length; i++)
      expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!)
    expect(delays.at(-1)).toBe(RETRY_MAX_MS)
  })

  it('keeps every delay within ×0.5..×1.5 of its step', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const step = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1))
      expect(nextRetryDelay(attempt, () => 0)).toBe(step * 0.5)
      expect(nextRetryDelay(attempt, () => 0.999999)).toBeLessThanOrEqual(step * 1.5)
      expect(nextRetryDelay(attempt, () => 0.999999)).toBeGreaterThan(step * 1.49)
    }
  })

  it('spreads retries of the same attempt apart', () => {
    const seen = new Set(Array.from({ length: 50 }, () => nextRetryDelay(3)))
    expect(seen.size).toBeGreaterThan(1)
  })

  it('retries network failures, 5xx and 429, but not 401 or validation errors', () => {
    expect(isRetryableSyncError(new ApiError(0, 'network', 'offline'))).toBe(true)
    expect(isRetryableSyncError(new ApiError(503, 'server_error', 'down'))).toBe(true)
    expect(isRetryableSyncError(new ApiError(429, 'rate_limited', 'slow down'))).toBe(true)
    expect(isRetryableSyncError(new ApiError(401, 'unauthorized', 'revoked'))).toBe(false)
    expect(isRetryableSyncError(new ApiError(400, 'validation_failed', 'bad'))).toBe(false)
    expect(isRetryableSyncError(new Error('bug'))).toBe(false)
  })
})

describe('one sync at a time', () => {
  it('does not start a parallel pass while one runs, and runs once more after it', async () => {
    let active = 0
    let maxActive = 0
    let passes = 0
    const gate = deferred()
    const runner = createSyncRunner(async () => {
      active++
      maxActive = Math.max(maxActive, active)
      passes++
      if (passes === 1)
        await gate.promise
      active--
      return passes
    }, undefined)
    const first = runner.run()
    const second = runner.run()
    const third = runner.run()
    expect(second).toBe(first)
    expect(third).toBe(first)
    expect(runner.running).toBe(true)
    await Promise.resolve()
    expect(passes).toBe(1)
    gate.resolve()
    expect(await first).toBe(2)
    expect(maxActive).toBe(1)
    expect(passes).toBe(2)
    expect(runner.running).toBe(false)
  })

  it('waits for the Web Lock another tab holds, then runs its own pass after that tab\'s', async () => {
    const locks = webLocks()
    const order: string[] = []
    const otherPass = deferred()
    const otherTab = createSyncRunner(async () => {
      order.push('other tab starts')
      await otherPass.promise
      order.push('other tab ends')
      return 'other'
    }, locks)
    const thisTab = createSyncRunner(async () => {
      order.push('this tab')
      return 'mine'
    }, locks)
    const other = otherTab.run()
    await flush()
    // A save here after the other tab's pass read the outbox: this tab must push it itself.
    const mine = thisTab.run()
    await flush()
    expect(order).toEqual(['other tab starts'])
    expect(thisTab.running).toBe(true)
    otherPass.resolve()
    expect(await other).toBe('other')
    expect(await mine).toBe('mine')
    expect(order).toEqual(['other tab starts', 'other tab ends', 'this tab'])
    expect(locks.requested).toEqual(['study-log-sync', 'study-log-sync'])
  })

  it('a call while waiting for the lock joins the pass to come; one during a pass asks for one more', async () => {
    const locks = webLocks()
    const otherPass = deferred()
    const otherTab = createSyncRunner(() => otherPass.promise, locks)
    let passes = 0
    const gate = deferred()
    const thisTab = createSyncRunner(async () => {
      passes++
      if (passes === 1)
        await gate.promise
      return passes
    }, locks)
    void otherTab.run()
    await flush()
    const first = thisTab.run()
    // Still queued for the lock: the pass has not read anything yet, so it covers this call too.
    expect(thisTab.run()).toBe(first)
    otherPass.resolve()
    await vi.waitFor(() => expect(passes).toBe(1))
    // Now inside the pass: a change made now may have been missed, so one more pass follows.
    expect(thisTab.run()).toBe(first)
    gate.resolve()
    expect(await first).toBe(2)
    expect(passes).toBe(2)
  })

  it('runs the pass under the lock when it is free', async () => {
    const locks = webLocks()
    const runner = createSyncRunner(async () => 'done', locks)
    expect(await runner.run()).toBe('done')
    expect(locks.requested).toEqual(['study-log-sync'])
  })

  it('lets the next call run after a failed pass', async () => {
    let calls = 0
    const runner = createSyncRunner(async () => {
      calls++
      if (calls === 1)
        throw new ApiError(0, 'network', 'offline')
      return calls
    }, undefined)
    await expect(runner.run()).rejects.toThrow('offline')
    expect(await runner.run()).toBe(2)
  })
})
