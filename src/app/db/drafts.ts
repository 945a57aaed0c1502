import { toRaw } from 'vue'
import { db } from './database'

/** Keeps a form's unsaved fields under `key` (one draft per key, the latest wins). */
export async function putDraft(key: string, fields: Record<string, unknown>, now: number = Date.now()): Promise<void> {
  await db.drafts.put({ key, fields: { ...toRaw(fields) }, savedAt: now })
}

/** The unsaved fields kept under `key`, if any. */
export async function getDraft(key: string): Promise<Record<string, unknown> | undefined> {
  return (await db.drafts.get(key))?.fields
}

/** Forgets the draft under `key` (after a save, or when the member discards it). */
export async function deleteDraft(key: string): Promise<void> {
  await db.drafts.delete(key)
}
