import type { ShallowRef, WatchSource } from 'vue'
import { liveQuery } from 'dexie'
import { getCurrentScope, onScopeDispose, shallowRef, watch } from 'vue'

/**
 * A Dexie `liveQuery` as a Vue ref: re-runs whenever the tables it read change (in this tab or
 * another), and again when `deps` change (e.g. the signed-in member). Holds `initial` until the
 * first answer; unsubscribes when the calling component or store scope ends.
 */
export function useLiveQuery<T>(querier: () => T | Promise<T>, initial: T, deps?: WatchSource | WatchSource[]): Readonly<ShallowRef<T>> {
  const result = shallowRef<T>(initial)
  let subscription: { unsubscribe: () => void } | undefined

  const subscribe = () => {
    subscription?.unsubscribe()
    subscription = liveQuery(querier).subscribe({
      next: (value) => { result.value = value },
      // A failed read keeps the last value; the next change of the tables re-runs the query.
      error: (error: unknown) => { console.error('liveQuery failed', error) },
    })
  }

  if (deps)
    watch(deps, subscribe, { immediate: true })
  else
    subscribe()

  if (getCurrentScope())
    onScopeDispose(() => subscription?.unsubscribe())
  return result
}
