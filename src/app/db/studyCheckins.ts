import type { StudyCheckinBase, StudyCheckinRow } from './database'
import type { MemberTable, StudyCheckinData } from '@/domain/records'
import { toRaw } from 'vue'
import { weekKey } from '@/domain/week'
import { db, outboxKey } from './database'

/** A record's next `updatedAt`: the clock, but always after the previous stamp so an edit never goes back in time. */
export function nextUpdatedAt(previous: number | undefined, now: number = Date.now()): number {
  return Math.max(now, (previous ?? 0) + 1)
}

/** Only the protocol's fields of a check-in, as a plain object (Vue proxies and extra keys stay out). */
export function studyCheckinData(source: StudyCheckinData): StudyCheckinData {
  const raw = toRaw(source)
  const data: StudyCheckinData = { date: raw.date, form: raw.form, topic: raw.topic, minutes: raw.minutes }
  if (raw.materialId !== undefined)
    data.materialId = raw.materialId
  if (raw.note !== undefined)
    data.note = raw.note
  return data
}

/** The copy of a row the server holds once it accepted it (what a later `stale` restores). */
export function baseOf(row: StudyCheckinRow): StudyCheckinBase {
  return { updatedAt: row.updatedAt, deleted: row.deleted, data: studyCheckinData(row) }
}

/** Thrown when a device tries to write a record that belongs to another member. */
export class ForeignRecordError extends Error {
  constructor(id: string) {
    super(`Record ${id} belongs to another member`)
    this.name = 'ForeignRecordError'
  }
}

/** Adds or bumps a record's outbox entry; must run inside a rw transaction over `outbox`. */
async function queueChange(table: MemberTable, id: string, now: number): Promise<void> {
  const key = outboxKey(table, id)
  const entry = await db.outbox.get(key)
  await db.outbox.put({ key, table, id, version: (entry?.version ?? 0) + 1, queuedAt: entry?.queuedAt ?? now })
}

/**
 * Saves a check-in (new or edited) as `pending` and queues it for the next push, both in ONE
 * transaction: either the record and its outbox entry are stored, or neither is.
 */
export async function saveStudyCheckin(memberId: string, id: string, data: StudyCheckinData, now: number = Date.now()): Promise<StudyCheckinRow> {
  const fields = studyCheckinData(data)
  return db.transaction('rw', db.studyCheckins, db.outbox, async () => {
    const previous = await db.studyCheckins.get(id)
    if (previous && previous.memberId !== memberId)
      throw new ForeignRecordError(id)
    const row: StudyCheckinRow = {
      ...fields,
      id,
      memberId,
      week: weekKey(fields.date),
      updatedAt: nextUpdatedAt(previous?.updatedAt, now),
      deleted: false,
      sync: 'pending',
    }
    if (previous?.base)
      row.base = previous.base
    await db.studyCheckins.put(row)
    await queueChange('studyCheckins', id, now)
    return row
  })
}

/** Deletes a check-in: a pending tombstone plus its outbox entry, in one transaction. */
export async function removeStudyCheckin(memberId: string, id: string, now: number = Date.now()): Promise<void> {
  await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
    const previous = await db.studyCheckins.get(id)
    if (!previous)
      return
    if (previous.memberId !== memberId)
      throw new ForeignRecordError(id)
    const row: StudyCheckinRow = { ...previous, updatedAt: nextUpdatedAt(previous.updatedAt, now), deleted: true, sync: 'pending' }
    delete row.rejection
    await db.studyCheckins.put(row)
    await queueChange('studyCheckins', id, now)
  })
}

/** The member's live check-ins (tombstones left out), in no particular order. */
export function listStudyCheckins(memberId: string): Promise<StudyCheckinRow[]> {
  return db.studyCheckins.where('memberId').equals(memberId).filter(row => !row.deleted).toArray()
}

/** How many records wait in the outbox. */
export function countOutbox(): Promise<number> {
  return db.outbox.count()
}

/** How many of the member's records the server refused and still show the refusal. */
export function countRejected(memberId: string): Promise<number> {
  return db.studyCheckins.where('memberId').equals(memberId).filter(row => row.sync === 'rejected' && !row.deleted).count()
}
