import type { ReadingNoteRow } from '@/app/db/database'

/** A note with the lower-cased text a search looks through, made once per list change. */
export interface SearchableNote {
  note: ReadingNoteRow
  text: string
}

/** Prepares notes for searching: title, source, excerpt and reflection, lower-cased, joined. */
export function searchableNotes(notes: readonly ReadingNoteRow[]): SearchableNote[] {
  return notes.map(note => ({
    note,
    text: [note.title, note.source, note.excerpt, note.reflection].filter(Boolean).join('\n').toLowerCase(),
  }))
}

/**
 * The notes whose title, source, excerpt or reflection contains `query` (case-insensitive
 * substring, works on Chinese text); a blank query keeps them all. Order is kept.
 */
export function filterNotes(index: readonly SearchableNote[], query: string): ReadingNoteRow[] {
  const needle = query.trim().toLowerCase()
  if (!needle)
    return index.map(entry => entry.note)
  return index.filter(entry => entry.text.includes(needle)).map(entry => entry.note)
}
