import type { ComputedRef, Ref } from 'vue'
import type { ReadingNoteRow } from '@/app/db/database'
import { computed, getCurrentScope, onScopeDispose, ref, watch } from 'vue'
import { filterNotes, searchableNotes } from './notesSearch'
import { compareByEdit, useMemberRecords } from './useMemberRecords'

/** Wait after a keystroke before filtering, so fast typing filters once. */
export const NOTE_SEARCH_DEBOUNCE_MS = 120

/**
 * The signed-in member's reading notes, most recently written first, filtered by `query`
 * (case-insensitive substring over title, source, excerpt and reflection). Offline: the notes are
 * read live from IndexedDB once and searched in memory, so typing never re-queries the database.
 */
export function useReadingNotes(query: Ref<string>): { notes: ComputedRef<ReadingNoteRow[]> } {
  const rows = useMemberRecords('readingNotes', compareByEdit)
  const index = computed(() => searchableNotes(rows.value))
  const settled = ref(query.value)
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(query, (next) => {
    clearTimeout(timer)
    // Clearing the box answers at once; typing waits a moment.
    if (!next.trim())
      settled.value = next
    else
      timer = setTimeout(() => (settled.value = next), NOTE_SEARCH_DEBOUNCE_MS)
  })
  if (getCurrentScope())
    onScopeDispose(() => clearTimeout(timer))
  const notes = computed(() => filterNotes(index.value, settled.value))
  return { notes }
}
