import type { Ref } from 'vue'
import type { ApiError } from '@/app/api/client'
import type { ReportResponse, ReportWriteRequest } from '@/domain/report'
import { computed, ref, shallowRef, watch } from 'vue'
import { reportApi as branchReportApi } from '@/app/api/report'
import { deleteDraft, getDraft, putDraft } from '@/app/db/drafts'
import { useSyncStore } from '@/app/stores/sync'
import { asApiError } from './useBranchResource'

/**
 * The secretary's report draft for a month, offline-safe: a small outbox in Dexie's `drafts` table
 * under `report:<month>` keeps the last report seen (`base`, so the page opens offline) and the
 * paragraphs edited since (`edits`, templates by id), written on every edit. Edits are pushed
 * (PUT over `base.revision`) when saved and again whenever the phone comes back online; a 409 means
 * the report changed elsewhere: the edits stay, beside the server's text, until the secretary
 * keeps one or the other. Drafts are not a synced table: one row per month that only secretaries
 * write, with optimistic concurrency instead of last-writer-wins.
 */

interface KeptDraft { base: ReportResponse, edits: Record<string, string> }

export type ReportDraftState = 'loading' | 'saved' | 'unsaved' | 'saving' | 'offline' | 'conflict' | 'error'

export interface ReportDraft {
  report: Ref<ReportResponse | null>
  /** Templates edited on this phone and not yet on the server. */
  edits: Ref<Record<string, string>>
  state: Ref<ReportDraftState>
  /** The server's report when a write was refused as stale (409). */
  conflict: Ref<ReportResponse | null>
  error: Ref<ApiError | null>
  /** The template shown for a paragraph: the local edit, else the report's. */
  templateOf: (id: string) => string
  edit: (id: string, template: string) => Promise<void>
  save: () => Promise<void>
  keepMine: () => Promise<void>
  keepTheirs: () => Promise<void>
  finalise: () => Promise<void>
  reload: () => Promise<void>
}

/** Where a draft is read and written: the branch's report by default, the organisation's (组织) with its own. */
export interface ReportDraftApi {
  get: (month: string) => Promise<ReportResponse>
  save: (body: ReportWriteRequest) => Promise<ReportResponse>
  finalise: (month: string, revision: number) => Promise<ReportResponse>
}

export interface ReportDraftOptions {
  api?: ReportDraftApi
  /** The `drafts` key's prefix: `report` (the branch's) or `organisation-report`. */
  keyPrefix?: string
  /** Whether the phone is online: the member sync's state by default. */
  online?: () => boolean
}

function memberSyncOnline(): () => boolean {
  const sync = useSyncStore()
  return () => sync.online
}

export function useReportDraft(month: () => string, options: ReportDraftOptions = {}): ReportDraft {
  const reportApi = options.api ?? branchReportApi
  const prefix = options.keyPrefix ?? 'report'
  const keyOf = (month: string) => `${prefix}:${month}`
  const online = options.online ?? memberSyncOnline()
  const report = shallowRef<ReportResponse | null>(null)
  const edits = ref<Record<string, string>>({})
  const state = ref<ReportDraftState>('loading')
  const conflict = shallowRef<ReportResponse | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const dirty = computed(() => Object.keys(edits.value).length > 0)

  async function keep(): Promise<void> {
    if (report.value)
      await putDraft(keyOf(report.value.month), { base: report.value, edits: { ...edits.value } })
  }

  function failed(cause: unknown): void {
    const apiError = asApiError(cause)
    if (apiError.code === 'network') {
      state.value = dirty.value ? 'offline' : (report.value ? 'saved' : 'offline')
      return
    }
    error.value = apiError
    state.value = 'error'
  }

  async function refused(): Promise<void> {
    // The 409's body holds the current report; reading it again keeps the API client generic.
    conflict.value = await reportApi.get(month())
    state.value = 'conflict'
  }

  async function reload(): Promise<void> {
    const wanted = month()
    state.value = 'loading'
    error.value = null
    conflict.value = null
    const kept = await getDraft(keyOf(wanted)) as KeptDraft | undefined
    if (kept) {
      report.value = kept.base
      edits.value = { ...kept.edits }
    }
    else {
      report.value = null
      edits.value = {}
    }
    try {
      const current = await reportApi.get(wanted)
      if (wanted !== month())
        return
      if (dirty.value && kept && current.revision !== kept.base.revision) {
        // Written elsewhere since these edits were made: never push them over it unasked.
        conflict.value = current
        state.value = 'conflict'
        return
      }
      report.value = current
      await keep()
      if (dirty.value && current.finalisedAt === null)
        await save()
      else
        state.value = 'saved'
    }
    catch (cause) {
      failed(cause)
    }
  }

  async function save(): Promise<void> {
    const base = report.value
    if (!base || !dirty.value) {
      state.value = base ? 'saved' : state.value
      return
    }
    state.value = 'saving'
    const sent = { ...edits.value }
    try {
      const saved = await reportApi.save({ month: base.month, revision: base.revision, paragraphs: Object.entries(sent).map(([id, template]) => ({ id, template })) })
      report.value = saved
      // An edit typed while the write was on its way stays for the next one.
      edits.value = Object.fromEntries(Object.entries(edits.value).filter(([id, template]) => sent[id] !== template))
      await keep()
      state.value = dirty.value ? 'unsaved' : 'saved'
    }
    catch (cause) {
      if (asApiError(cause).code === 'conflict')
        await refused().catch(failed)
      else
        failed(cause)
    }
  }

  async function edit(id: string, template: string): Promise<void> {
    if (!report.value)
      return
    const stored = report.value.paragraphs.find(p => p.id === id)?.template
    const next = { ...edits.value }
    if (template === stored)
      delete next[id]
    else
      next[id] = template
    edits.value = next
    state.value = dirty.value ? 'unsaved' : 'saved'
    await keep()
  }

  async function keepMine(): Promise<void> {
    if (!conflict.value)
      return
    report.value = conflict.value
    conflict.value = null
    if (report.value.finalisedAt !== null) {
      // Finalised elsewhere: nothing can be written over it.
      edits.value = {}
      await keep()
      state.value = 'saved'
      return
    }
    await keep()
    await save()
  }

  async function keepTheirs(): Promise<void> {
    if (!conflict.value)
      return
    report.value = conflict.value
    conflict.value = null
    edits.value = {}
    await keep()
    state.value = 'saved'
  }

  async function finalise(): Promise<void> {
    await save()
    const base = report.value
    if (!base || state.value !== 'saved')
      return
    state.value = 'saving'
    try {
      report.value = await reportApi.finalise(base.month, base.revision)
      edits.value = {}
      await deleteDraft(keyOf(base.month))
      await keep()
      state.value = 'saved'
    }
    catch (cause) {
      if (asApiError(cause).code === 'conflict')
        await refused().catch(failed)
      else
        failed(cause)
    }
  }

  watch(month, () => void reload(), { immediate: true })
  // Back online: push what was kept on the phone meanwhile (or load what could not be loaded).
  watch(online, (isOnline) => {
    if (!isOnline)
      return
    if (!report.value || state.value === 'error')
      void reload()
    else if (dirty.value && state.value !== 'conflict')
      void save()
  })

  return {
    report,
    edits,
    state,
    conflict,
    error,
    templateOf: id => edits.value[id] ?? report.value?.paragraphs.find(p => p.id === id)?.template ?? '',
    edit,
    save,
    keepMine,
    keepTheirs,
    finalise,
    reload,
  }
}
