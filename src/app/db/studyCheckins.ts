import type { StudyCheckinBase, StudyCheckinRow } from './database'
import type { StudyCheckinData } from '@/domain/records'
import { db } from './database'
import { listRecords, removeRecord, saveRecord } from './records'
import { baseOfRow, recordData } from './tables'

export { countOutbox, countRejected, ForeignRecordError, nextUpdatedAt } from './records'

/** Only the protocol's fields of a check-in, as a plain object (Vue proxies and extra keys stay out). */
export function studyCheckinData(source: StudyCheckinData): StudyCheckinData {
  return recordData('studyCheckins', source)
}

/** The copy of a row the server holds once it accepted it (what a later `stale` restores). */
export function baseOf(row: StudyCheckinRow): StudyCheckinBase {
  return baseOfRow('studyCheckins', row)
}

/**
 * Saves a check-in (new or edited) as `pending` and queues it for the next push, both in ONE
 * transaction: either the record and its outbox entry are stored, or neither is.
 */
export function saveStudyCheckin(memberId: string, id: string, data: StudyCheckinData, now: number = Date.now()): Promise<StudyCheckinRow> {
  return saveRecord('studyCheckins', memberId, id, data, now)
}

/** Deletes a check-in: a pending tombstone plus its outbox entry, in one transaction. */
export function removeStudyCheckin(memberId: string, id: string, now: number = Date.now()): Promise<void> {
  return removeRecord('studyCheckins', memberId, id, now)
}

/** The member's live check-ins (tombstones left out), in no particular order. */
export function listStudyCheckins(memberId: string): Promise<StudyCheckinRow[]> {
  return listRecords('studyCheckins', memberId)
}

/** The member's live check-ins dated in one ISO week (`YYYY-Www`), read by the `[owner+week]` index. */
export function listWeekCheckins(memberId: string, week: string): Promise<StudyCheckinRow[]> {
  return db.studyCheckins.where('[owner+week]').equals([memberId, week]).toArray()
}
