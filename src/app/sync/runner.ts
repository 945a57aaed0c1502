/** Name of the Web Lock that keeps sync to one tab at a time. */
export const SYNC_LOCK_NAME = 'study-log-sync'

/** The part of the Web Locks API the runner uses (absent under Node and in old browsers). */
export interface SyncLocks {
  request: <T>(name: string, callback: (lock: unknown) => Promise<T>) => Promise<T>
}

export interface SyncRunner<T> {
  /**
   * Runs a pass now. While one runs, a call does not start a second in parallel: it returns the
   * running promise and asks for one more pass after it, so a change made meanwhile is not missed.
   * While another tab holds the lock, the pass waits for it and then runs.
   */
  run: () => Promise<T>
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
 * One sync at a time: an in-process mutex for this tab, plus a Web Lock so two tabs never push the
 * same outbox in parallel. A tab that finds the lock taken waits its turn rather than skipping: the
 * other tab's pass may have read the outbox before this tab's save, and skipping would leave that
 * save to the periodic sync minutes later. Waiting needs no messages between tabs or timers, and
 * the browser hands the lock on even when the holding tab closes mid-pass.
 */
export function createSyncRunner<T>(pass: () => Promise<T>, locks: SyncLocks | undefined = browserLocks()): SyncRunner<T> {
  let current: Promise<T> | null = null
  let again = false
  // Queued for the lock, the pass has read nothing yet: a call then needs no extra pass after it.
  let waiting = false

  const locked = (): Promise<T> => {
    const body = (): Promise<T> => {
      waiting = false
      return pass()
    }
    if (!locks)
      return body()
    waiting = true
    return locks.request(SYNC_LOCK_NAME, body)
  }

  const loop = async (): Promise<T> => {
    try {
      let outcome: T
      do {
        again = false
        outcome = await locked()
      } while (again)
      return outcome
    }
    finally {
      current = null
      again = false
      waiting = false
    }
  }

  return {
    run() {
      if (current) {
        if (!waiting)
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
