import { ApiError } from '@/app/api/client'

/** First retry after a failed sync waits about this long… */
export const RETRY_BASE_MS = 2_000
/** …doubling per failure up to this ceiling. */
export const RETRY_MAX_MS = 5 * 60_000

/**
 * How long to wait before retry number `attempt` (1 = first retry): 2 s doubling to 5 min, times a
 * jitter factor in [0.5, 1.5) drawn from `random()` so many phones coming online together do not
 * hit the server in step.
 */
export function nextRetryDelay(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1)
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(exponent, 30))
  return Math.round(ceiling * (0.5 + random()))
}

/** Failures worth retrying by themselves: no answer, a server fault, or being asked to slow down. */
export function isRetryableSyncError(error: unknown): boolean {
  if (!(error instanceof ApiError))
    return false
  return error.code === 'network' || error.status >= 500 || error.status === 429
}
