import type { ShallowRef, WatchSource } from 'vue'
import { liveQuery } from 'dexie'
import { getCurrentScope, onScopeDispose, shallowRef, watch } from 'vue'

/** While held, how often each live query reads again (at most). */
export const HELD_REFRESH_MS = 1000

/** How many holds are on (see `holdLiveQueries`), and a count that moves once per refresh. */
const holds = shallowRef(0)
const refresh = shallowRef(0)
let refreshTimer: ReturnType<typeof setInterval> | undefined

/**
 * Holds every live query to one read per `HELD_REFRESH_MS` until the returned release is called
 * (then each reads at once). The sync engine holds them while it stores a push or pull of many
 * batches: each batch is one commit over the record tables, and every list, count and the status
 * bar would otherwise read again after each of them, queued before the next batch's own
 * transaction. A page opened meanwhile still reads at once; what it shows follows within the
 * refresh. Holds nest; the release is idempotent.
 */
export function holdLiveQueries(): () => void {
  holds.value++
  if (holds.value === 1)
    refreshTimer = setInterval(() => { refresh.value++ }, HELD_REFRESH_MS)
  let released = false
  return () => {
    if (released)
      return
    released = true
    holds.value--
    if (holds.value === 0) {
      clearInterval(refreshTimer)
      refreshTimer = undefined
      refresh.value++
    }
  }
}

/**
 * A Dexie `liveQuery` as a Vue ref: re-runs whenever the tables it read change (in this tab or
 * another), and again when `deps` change (e.g. the signed-in member). Holds `initial` until the
 * first answer; unsubscribes when the calling component or store scope ends. While live queries
 * are held (`holdLiveQueries`) it does not listen: it reads once at once (when it starts or its
 * deps change) and once per refresh, and listens again when released. (Listening through a burst
 * of commits would not do: Dexie restarts a query at each commit, so a slow one never answers.)
 */
export function useLiveQuery<T>(querier: () => T | Promise<T>, initial: T, deps?: WatchSource | WatchSource[]): Readonly<ShallowRef<T>> {
  const result = shallowRef<T>(initial)
  let subscription: { unsubscribe: () => void } | undefined
  /** Moves with every listen(): a held read answers only if nothing newer has started since. */
  let generation = 0
  let reading = false
  let readAgain = false

  const readOnce = () => {
    if (reading) {
      readAgain = true
      return
    }
    reading = true
    const started = generation
    Promise.resolve().then(querier).then((value) => {
      if (started === generation && holds.value > 0)
        result.value = value
    }, (error: unknown) => { console.error('liveQuery failed', error) }).finally(() => {
      reading = false
      if (readAgain && holds.value > 0) {
        readAgain = false
        readOnce()
      }
    })
  }

  const listen = () => {
    generation++
    subscription?.unsubscribe()
    subscription = undefined
    readAgain = false
    if (holds.value > 0) {
      readOnce()
      return
    }
    subscription = liveQuery(querier).subscribe({
      next: (value) => { result.value = value },
      // A failed read keeps the last value; the next change of the tables re-runs the query.
      error: (error: unknown) => { console.error('liveQuery failed', error) },
    })
  }

  if (deps)
    watch(deps, listen, { immediate: true })
  else
    listen()
  watch(() => holds.value > 0, (held) => {
    if (held) {
      subscription?.unsubscribe()
      subscription = undefined
    }
    else {
      listen()
    }
  })
  watch(refresh, () => {
    if (holds.value > 0)
      readOnce()
  })

  if (getCurrentScope()) {
    onScopeDispose(() => {
      generation++
      subscription?.unsubscribe()
    })
  }
  return result
}
