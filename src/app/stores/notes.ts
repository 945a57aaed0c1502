import type { ReadingNoteData } from '@/domain/records'
import { defineStore } from 'pinia'
import { deleteDraft, getDraft, putDraft } from '@/app/db/drafts'
import { recordWriter } from './recordWriter'

/** Fields of the note form while it is being typed (all optional, unchecked). */
export type ReadingNoteDraft = Partial<Record<keyof ReadingNoteData, string | null>>

/** Where a note draft is kept: `'new'` for an unsaved note, else the note's id. */
function draftKey(key: string): string {
  return `readingNotes:${key}`
}

/** Writes reading notes and keeps their drafts; read notes with `useReadingNotes`. */
export const useNotesStore = defineStore('notes', () => {
  const writer = recordWriter('readingNotes')

  /**
   * Saves a new note (no `id`) or an edit, checked against the domain schema (throws
   * `RecordValidationError`); queued for the next push. Its draft (`'new'` or the id) is cleared.
   */
  async function save(input: ReadingNoteData, id?: string): Promise<string> {
    const saved = await writer.save(input, id)
    await deleteDraft(draftKey(id ?? 'new'))
    return saved
  }

  /** Deletes a note: a tombstone plus an outbox entry; its draft goes too. */
  async function remove(id: string): Promise<void> {
    await writer.remove(id)
    await deleteDraft(draftKey(id))
  }

  /** Keeps the form's fields under `key` (`'new'` or the note id) so closing the app loses nothing. */
  function saveDraft(key: string, fields: ReadingNoteDraft): Promise<void> {
    return putDraft(draftKey(key), fields as Record<string, unknown>)
  }

  /** The draft kept under `key`, if any. */
  async function loadDraft(key: string): Promise<ReadingNoteDraft | undefined> {
    return (await getDraft(draftKey(key))) as ReadingNoteDraft | undefined
  }

  /** Forgets the draft under `key`. */
  function clearDraft(key: string): Promise<void> {
    return deleteDraft(draftKey(key))
  }

  /**
   * 摘抄: starts a reading note from a passage of a material. Writes the `'new'` draft with the
   * material's title, the passage as 原文摘抄 and the material's id, so `/notes/new` opens prefilled
   * (it replaces an unsaved new note's draft).
   */
  function startFromExcerpt(source: { materialId: string, title: string, excerpt: string }): Promise<void> {
    const excerpt = source.excerpt.trim().slice(0, 5000)
    return saveDraft('new', { title: source.title.trim().slice(0, 200), excerpt, materialId: source.materialId, source: '', reflection: '' })
  }

  return { save, remove, saveDraft, loadDraft, clearDraft, startFromExcerpt }
})
