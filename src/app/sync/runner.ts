/** Name of the Web Lock that keeps sync to one tab at a time. */
export const SYNC_LOCK_NAME = 'study-log-sync'

/** Returned when another tab holds the sync lock: that tab's sync covers this device's data. */
export const SYNC_BUSY = Symbol('sync-busy')

/** The part of the Web Locks API the runner uses (absent under Node and in old browsers). */
export interface SyncLocks {
  request: <T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>) => Promise<T>
}

export interface SyncRunner<T> {
  /**
   * Runs a pass now. While one runs, a call does not start a second in parallel: it returns the
   * running promise and asks for one more pass after it, so a change made meanwhile is not missed.
   */
  run: () => Promise<T | typeof SYNC_BUSY>
  /** Whether a pass is running in this tab. */
  readonly running: boolean
  /** Resolves when no pass is running in this tab. */
  idle: () => Promise<void>
}

function browserLocks(): SyncLocks | undefined {
  const nav = (globalThis as { navigator?: { locks?: SyncLocks } }).navigator
  return nav?.locks
}

/**
 * One sync at a time: an in-process mutex for this tab, plus a Web Lock requested with
 * `ifAvailable` so a second tab skips instead of pushing the same outbox in parallel.
 */
export function createSyncRunner<T>(pass: () => Promise<T>, locks: SyncLocks | undefined = browserLocks()): SyncRunner<T> {
  let current: Promise<T | typeof SYNC_BUSY> | null = null
  let again = false

  const locked = (): Promise<T | typeof SYNC_BUSY> => {
    if (!locks)
      return pass()
    return locks.request(SYNC_LOCK_NAME, { ifAvailable: true }, async lock => lock ? pass() : SYNC_BUSY)
  }

  const loop = async (): Promise<T | typeof SYNC_BUSY> => {
    try {
      let outcome: T | typeof SYNC_BUSY
      do {
        again = false
        outcome = await locked()
      } while (again)
      return outcome
    }
    finally {
      current = null
      again = false
    }
  }

  return {
    run() {
      if (current) {
        again = true
        return current
      }
      current = loop()
      return current
    },
    get running() {
      return current !== null
    },
    async idle() {
      for (let pending = current; pending; pending = current)
        await pending.catch(() => {})
    },
  }
}
