import type { SyncPassSummary, SyncTransport } from '@/app/sync/engine'
import type { MaterialBodyTransport, MaterialDownloadSummary } from '@/app/sync/materialBodies'
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { api, ApiError } from '@/app/api/client'
import { holdLiveQueries, useLiveQuery } from '@/app/composables/useLiveQuery'
import { getMeta, setMeta } from '@/app/db/meta'
import { countOutbox, countRejected } from '@/app/db/studyCheckins'
import { isRetryableSyncError, nextRetryDelay } from '@/app/sync/backoff'
import { MemberMergedError, runSyncPass, SessionChangedError } from '@/app/sync/engine'
import { downloadMaterialBodies } from '@/app/sync/materialBodies'
import { createSyncRunner } from '@/app/sync/runner'
import { useMaterialDownloadsStore } from './materialDownloads'
import { useSessionStore } from './session'

/** Wait after a save before pushing, so a burst of edits goes in one request. */
export const SAVE_DEBOUNCE_MS = 1_500
/** While online and visible, pull this often to pick up changes made on other devices. */
export const PERIODIC_SYNC_MS = 3 * 60_000

/** Whether this runs in a page (not under Node tests without a DOM); checked when triggers are installed. */
function hasWindow(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined'
}

function isOnline(): boolean {
  const nav = (globalThis as { navigator?: Navigator }).navigator
  return nav?.onLine ?? true
}

function isVisible(): boolean {
  return !hasWindow() || document.visibilityState !== 'hidden'
}

/**
 * Sync state and triggers: runs the engine (then downloads missing material texts) on app start, on coming online, when the app returns to
 * the foreground, shortly after a save, on 立即同步, periodically while online and visible, and
 * retries with exponential backoff and jitter while the server fails. Never relies on Background Sync.
 */
export const useSyncStore = defineStore('sync', () => {
  const session = useSessionStore()

  /** Records waiting in the outbox (live). */
  const pendingCount = useLiveQuery(countOutbox, 0)
  /** The member's records the server refused (live); each shows the server's message. */
  const rejectedCount = useLiveQuery(() => session.member ? countRejected(session.member.id) : 0, 0, () => session.member?.id)
  /** Whether the browser believes it has a network. */
  const online = ref(isOnline())
  /** Whether a sync pass is running in this tab. */
  const syncing = ref(false)
  /** When the last sync pass finished (ms since epoch), kept in `meta`. */
  const lastSyncedAt = ref<number | null>(null)
  /** Why the last sync failed, for the status bar; null after a success. */
  const lastError = ref<string | null>(null)
  /** Whether the browser granted persistent storage; null until asked or loaded. */
  const storagePersisted = ref<boolean | null>(null)
  /** When the next automatic retry after a failure is due (ms since epoch); null when none is planned. */
  const nextRetryAt = ref<number | null>(null)
  /** The last pass's counts (for diagnostics and tests). */
  const lastSummary = ref<SyncPassSummary | null>(null)
  /** The last pass's material text downloads (for diagnostics and tests). */
  const lastDownloads = ref<MaterialDownloadSummary | null>(null)

  let transport: SyncTransport = api
  let started = false
  let attempt = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let soonTimer: ReturnType<typeof setTimeout> | undefined
  let periodicTimer: ReturnType<typeof setInterval> | undefined
  let stopWatch: (() => void) | undefined
  let removeListeners: (() => void) | undefined
  // Callers that joined the same failed pass all see its error; only the first plans a retry.
  let lastFailure: unknown
  let failedAt = 0

  const downloads = useMaterialDownloadsStore()

  const runner = createSyncRunner(async () => {
    const memberId = session.member?.id
    if (!memberId)
      return null
    const summary = await runSyncPass(transport, { memberId, hold: holdLiveQueries })
    // Texts of materials come apart from the pull; a failed one is tried again next pass.
    lastDownloads.value = await downloadMaterialBodies(bodyTransport(), { memberId, onState: downloads.setDownload })
    return summary
  })

  /** Replaces how requests reach the server (tests); the app uses the API client. */
  function setTransport(next: SyncTransport & Partial<MaterialBodyTransport>): void {
    transport = next
  }

  function bodyTransport(): MaterialBodyTransport {
    const custom = transport as Partial<MaterialBodyTransport>
    return typeof custom.materialBody === 'function' ? custom as MaterialBodyTransport : api
  }

  function clearRetry(): void {
    clearTimeout(retryTimer)
    retryTimer = undefined
    nextRetryAt.value = null
  }

  /** Syncs now (push then pull). Never rejects: a failure lands in `lastError` and schedules a retry. */
  async function syncNow(): Promise<void> {
    if (!session.member || session.revoked)
      return
    clearRetry()
    syncing.value = true
    try {
      const outcome = await runner.run()
      attempt = 0
      lastError.value = null
      if (outcome)
        lastSummary.value = outcome
      lastSyncedAt.value = (await getMeta<number>('lastSyncedAt')) ?? null
    }
    catch (caught) {
      let error = caught
      if (error instanceof SessionChangedError || error === lastFailure)
        return
      // Merged into another member: the device becomes them, and the member id's watch syncs again.
      if (error instanceof MemberMergedError) {
        try {
          await session.followMerge()
          return
        }
        catch (cause) {
          error = cause
        }
      }
      lastFailure = error
      failedAt = Date.now()
      lastError.value = error instanceof Error ? error.message : String(error)
      if (error instanceof ApiError && error.status === 401) {
        session.revoked = true
        attempt = 0
        return
      }
      if (started && isRetryableSyncError(error)) {
        attempt++
        clearRetry()
        const delay = nextRetryDelay(attempt)
        nextRetryAt.value = Date.now() + delay
        retryTimer = setTimeout(() => void syncNow(), delay)
      }
    }
    finally {
      syncing.value = runner.running
    }
  }

  // Another tab's pass that succeeded after this tab's failure synced this device (one outbox, one
  // database): its time shows here and this tab's failure is over, so no tab keeps saying 同步失败.
  const storedSyncedAt = useLiveQuery(() => getMeta<number>('lastSyncedAt'), undefined)
  watch(storedSyncedAt, (at) => {
    if (typeof at !== 'number' || !session.member)
      return
    lastSyncedAt.value = at
    if (lastError.value !== null && at >= failedAt) {
      lastError.value = null
      attempt = 0
      clearRetry()
    }
  })

  /** Asks for a sync shortly (debounced), e.g. after a save. */
  function scheduleSoon(): void {
    if (!started)
      return
    clearTimeout(soonTimer)
    soonTimer = setTimeout(() => void syncNow(), SAVE_DEBOUNCE_MS)
  }

  /** Asks the browser once to keep this site's data (it may say no); remembers the answer in `meta`. */
  async function requestPersistentStorage(): Promise<boolean> {
    const storage = (globalThis as { navigator?: Navigator }).navigator?.storage
    let granted = false
    if (storage?.persist) {
      try {
        granted = (await storage.persisted?.()) || await storage.persist()
      }
      catch {
        granted = false
      }
    }
    storagePersisted.value = granted
    await setMeta('storagePersisted', granted)
    return granted
  }

  const onOnline = () => {
    online.value = true
    attempt = 0
    void syncNow()
  }
  const onOffline = () => {
    online.value = false
  }
  const onVisibility = () => {
    if (document.visibilityState === 'visible')
      void syncNow()
  }

  /** Installs the triggers and syncs now; loads the stored sync time and storage state. Idempotent. */
  async function start(): Promise<void> {
    if (started)
      return
    started = true
    online.value = isOnline()
    if (hasWindow()) {
      const page = window
      const doc = document
      page.addEventListener('online', onOnline)
      page.addEventListener('offline', onOffline)
      doc.addEventListener('visibilitychange', onVisibility)
      removeListeners = () => {
        page.removeEventListener('online', onOnline)
        page.removeEventListener('offline', onOffline)
        doc.removeEventListener('visibilitychange', onVisibility)
      }
    }
    periodicTimer = setInterval(() => {
      if (online.value && isVisible())
        void syncNow()
    }, PERIODIC_SYNC_MS)
    stopWatch = watch(() => session.member?.id, (id, previous) => {
      clearRetry()
      attempt = 0
      if (!id) {
        lastSyncedAt.value = null
        lastError.value = null
        downloads.clear()
      }
      else if (id !== previous) {
        void syncNow()
        if (storagePersisted.value !== true)
          void requestPersistentStorage()
      }
    })
    lastSyncedAt.value = (await getMeta<number>('lastSyncedAt')) ?? null
    storagePersisted.value = (await getMeta<boolean>('storagePersisted')) ?? null
    if (session.member) {
      if (storagePersisted.value !== true)
        void requestPersistentStorage()
      await syncNow()
    }
  }

  /** Removes every trigger and pending timer (a running pass finishes). */
  function stop(): void {
    started = false
    clearRetry()
    clearTimeout(soonTimer)
    clearInterval(periodicTimer)
    stopWatch?.()
    removeListeners?.()
    removeListeners = undefined
  }

  /** Resolves when no sync pass is running in this tab. */
  function idle(): Promise<void> {
    return runner.idle()
  }

  return {
    pendingCount,
    rejectedCount,
    online,
    syncing,
    lastSyncedAt,
    lastError,
    storagePersisted,
    nextRetryAt,
    lastSummary,
    lastDownloads,
    syncNow,
    start,
    stop,
    scheduleSoon,
    requestPersistentStorage,
    setTransport,
    idle,
  }
})
