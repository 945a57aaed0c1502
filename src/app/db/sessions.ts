/**
 * The branch's sessions (组织生活) on this phone, in `sessions`: pulled by every member (so a typed
 * 签到码 can be checked offline) and written by secretaries, who may edit one another's sessions
 * (an edit keeps the first author as the row's owner, as materials do).
 */
import type { BranchSessionRow, StudyCheckinRow } from './database'
import type { SessionData } from '@/domain/sessions'
import Dexie from 'dexie'
import { db } from './database'
import { nextUpdatedAt, queueChange, saveRecord } from './records'
import { recordData, rowExtras } from './tables'

/**
 * Saves a session (new or edited) as `pending` and queues it, in ONE transaction. Another
 * secretary's session keeps its owner; `defaults` gives a new row its branch.
 */
export async function saveSession(memberId: string, id: string, data: SessionData, now: number = Date.now(), defaults?: { branchId?: string }): Promise<BranchSessionRow> {
  return db.transaction('rw', db.sessions, db.outbox, async () => {
    const previous = await db.sessions.get(id)
    if (!previous || previous.memberId === memberId)
      return saveRecord('sessions', memberId, id, data, now, defaults)
    const fields = recordData('sessions', data)
    const row = {
      ...fields,
      ...rowExtras('sessions', fields, previous),
      id,
      memberId: previous.memberId,
      updatedAt: nextUpdatedAt(previous.updatedAt, now),
      deleted: false,
      sync: 'pending',
    } as BranchSessionRow
    if (previous.base)
      row.base = previous.base
    await db.sessions.put(row)
    await queueChange('sessions', id, now)
    return row
  })
}

/** Cancels (取消) a session: a pending tombstone plus its outbox entry, whoever created it. */
export async function removeSession(id: string, now: number = Date.now()): Promise<void> {
  await db.transaction('rw', db.sessions, db.outbox, async () => {
    const previous = await db.sessions.get(id)
    if (!previous || previous.deleted)
      return
    const row: BranchSessionRow = { ...previous, updatedAt: nextUpdatedAt(previous.updatedAt, now), deleted: true, sync: 'pending' }
    delete row.rejection
    await db.sessions.put(row)
    await queueChange('sessions', id, now)
  })
}

/** A session on the phone (tombstones included), if any. */
export function getSession(id: string): Promise<BranchSessionRow | undefined> {
  return db.sessions.get(id)
}

/** Live sessions whose first day is from `from` to `to` (inclusive), by date then time. */
export async function sessionsStartingBetween(from: string, to: string): Promise<BranchSessionRow[]> {
  const rows = await db.sessions.where('date').between(from, to, true, true).filter(row => !row.deleted).toArray()
  return rows.sort((a, b) => a.date.localeCompare(b.date) || (a.time ?? '').localeCompare(b.time ?? '') || a.updatedAt - b.updatedAt)
}

/** Every live session on the phone with this 签到码 (normally one; codes of past sessions may repeat). */
export function sessionsWithCode(code: string): Promise<BranchSessionRow[]> {
  return db.sessions.where('code').equals(code).filter(row => !row.deleted).toArray()
}

/** The member's live check-ins dated from `from` to `to` (inclusive), by the `[owner+date+updatedAt]` index. */
export function checkinsDatedBetween(memberId: string, from: string, to: string): Promise<StudyCheckinRow[]> {
  return db.studyCheckins.where('[owner+date+updatedAt]').between([memberId, from], [memberId, to, Dexie.maxKey], true, true).toArray()
}

/** Every live session on the phone (a branch holds a few a week: years of them are a few hundred rows). */
export function listSessions(): Promise<BranchSessionRow[]> {
  return db.sessions.filter(row => !row.deleted).toArray()
}
