import type { ComputedRef, Ref } from 'vue'
import type { RecordPage } from './useMemberRecords'
import type { ReadingNoteRow } from '@/app/db/database'
import { computed, getCurrentScope, onScopeDispose, ref, watch } from 'vue'
import { PAGE_SIZE } from '@/app/components/app/paging'
import { countRecords, listRecords, newestRecords } from '@/app/db/records'
import { useSessionStore } from '@/app/stores/session'
import { filterNotes, searchableNotes } from './notesSearch'
import { useLiveQuery } from './useLiveQuery'
import { compareByEdit, useFirstPage, useMemberRecords } from './useMemberRecords'

/** Wait after a keystroke before filtering, so fast typing filters once. */
export const NOTE_SEARCH_DEBOUNCE_MS = 120

/** `query` once typing pauses (`NOTE_SEARCH_DEBOUNCE_MS`); clearing the box answers at once. */
function useSettledQuery(query: Ref<string>): Ref<string> {
  const settled = ref(query.value)
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(query, (next) => {
    clearTimeout(timer)
    if (!next.trim())
      settled.value = next
    else
      timer = setTimeout(() => (settled.value = next), NOTE_SEARCH_DEBOUNCE_MS)
  })
  if (getCurrentScope())
    onScopeDispose(() => clearTimeout(timer))
  return settled
}

/**
 * The signed-in member's reading notes, most recently written first, filtered by `query`
 * (case-insensitive substring over title, source, excerpt and reflection). Offline: the notes are
 * read live from IndexedDB once and searched in memory, so typing never re-queries the database.
 */
export function useReadingNotes(query: Ref<string>): { notes: ComputedRef<ReadingNoteRow[]> } {
  const rows = useMemberRecords('readingNotes', compareByEdit)
  const index = computed(() => searchableNotes(rows.value))
  const settled = useSettledQuery(query)
  const notes = computed(() => filterNotes(index.value, settled.value))
  return { notes }
}

interface NoteListAnswer {
  /** `page`: the newest `limit` notes and the count; `all`: every note, for a search. */
  mode: 'page' | 'all'
  rows: ReadingNoteRow[]
  total: number
}

/**
 * The 笔记 list: without a search, the newest notes a page at a time (only that page and an index
 * count are read); with one, every note is read once (from the first keystroke, while typing
 * settles) and searched in memory like `useReadingNotes`, its matches shown a page at a time.
 * `total` is the number of notes, or of matches while searching; a new search starts at page one.
 */
export function useReadingNoteList(query: Ref<string>): RecordPage<ReadingNoteRow> {
  const session = useSessionStore()
  const settled = useSettledQuery(query)
  const searching = computed(() => settled.value.trim() !== '')
  const loadAll = computed(() => searching.value || query.value.trim() !== '')
  const limit = ref(PAGE_SIZE)
  watch(settled, () => (limit.value = PAGE_SIZE))
  const answer = useLiveQuery<NoteListAnswer | null>(
    async () => {
      const memberId = session.member?.id
      if (!memberId)
        return { mode: 'page', rows: [], total: 0 }
      if (loadAll.value) {
        const rows = (await listRecords('readingNotes', memberId)).sort(compareByEdit)
        return { mode: 'all', rows, total: rows.length }
      }
      const [rows, total] = await Promise.all([
        newestRecords('readingNotes', memberId, 'updatedAt', limit.value, compareByEdit),
        countRecords('readingNotes', memberId),
      ])
      return { mode: 'page', rows, total }
    },
    null,
    // A search reads every note once: more pages of its matches need no new query.
    [() => session.member?.id, () => loadAll.value ? -1 : limit.value],
  )
  // The first page was read at start (db/firstPage.ts): shown until the live query answers.
  const early = useFirstPage('readingNotes')
  const current = computed<NoteListAnswer>(() => answer.value ?? (early.value ? { mode: 'page', rows: early.value.rows, total: early.value.total } : { mode: 'page', rows: [], total: 0 }))
  const index = computed(() => current.value.mode === 'all' ? searchableNotes(current.value.rows) : [])
  // Between a search starting or ending and the matching answer, the list keeps what it showed.
  let shown: { matches: readonly ReadingNoteRow[], total: number } = { matches: [], total: 0 }
  const view = computed(() => {
    const { mode, rows, total } = current.value
    if (mode !== (searching.value ? 'all' : 'page'))
      return shown
    const matches = mode === 'all' ? filterNotes(index.value, settled.value) : rows
    shown = { matches, total: mode === 'all' ? matches.length : total }
    return shown
  })
  return {
    rows: computed(() => view.value.matches.slice(0, limit.value)),
    total: computed(() => view.value.total),
    more: () => (limit.value += PAGE_SIZE),
  }
}
