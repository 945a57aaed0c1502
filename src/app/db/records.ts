import type { AnyRecordRow, RecordRowByTable } from './database'
import type { MemberTable, RecordDataByTable } from '@/domain/records'
import Dexie from 'dexie'
import { MEMBER_TABLES } from '@/domain/records'
import { db, outboxKey } from './database'
import { recordData, rowExtras } from './tables'

/** A record's next `updatedAt`: the clock, but always after the previous stamp so an edit never goes back in time. */
export function nextUpdatedAt(previous: number | undefined, now: number = Date.now()): number {
  return Math.max(now, (previous ?? 0) + 1)
}

/** Thrown when a device tries to write a record that belongs to another member. */
export class ForeignRecordError extends Error {
  constructor(id: string) {
    super(`Record ${id} belongs to another member`)
    this.name = 'ForeignRecordError'
  }
}

/** Thrown when a member tries to delete a problem the branch is already working on. */
export class RecordLockedError extends Error {
  constructor(id: string) {
    super(`Record ${id} can no longer be changed by its reporter`)
    this.name = 'RecordLockedError'
  }
}

/** Adds or bumps a record's outbox entry; must run inside a rw transaction over `outbox`. */
export async function queueChange(table: MemberTable, id: string, now: number): Promise<void> {
  const key = outboxKey(table, id)
  const entry = await db.outbox.get(key)
  await db.outbox.put({ key, table, id, version: (entry?.version ?? 0) + 1, queuedAt: entry?.queuedAt ?? now })
}

/**
 * Saves a record (new or edited) as `pending` and queues it for the next push, both in ONE
 * transaction: either the record and its outbox entry are stored, or neither is. `defaults` fill
 * a new row's extra fields (a problem's reporter name and branch); an edit keeps the previous ones.
 */
export async function saveRecord<T extends MemberTable>(table: T, memberId: string, id: string, data: RecordDataByTable[T], now: number = Date.now(), defaults?: object): Promise<RecordRowByTable[T]> {
  const fields = recordData(table, data)
  const rows = db.records(table)
  return db.transaction('rw', rows, db.outbox, async () => {
    const previous = await rows.get(id) as AnyRecordRow | undefined
    if (previous && previous.memberId !== memberId)
      throw new ForeignRecordError(id)
    const row = {
      ...fields,
      ...rowExtras(table, fields, previous ?? defaults),
      id,
      memberId,
      updatedAt: nextUpdatedAt(previous?.updatedAt, now),
      deleted: false,
      sync: 'pending',
    } as unknown as RecordRowByTable[T]
    if (previous?.base)
      row.base = previous.base as RecordRowByTable[T]['base']
    await rows.put(row)
    await queueChange(table, id, now)
    return row
  })
}

/**
 * Deletes a record: a pending tombstone plus its outbox entry, in one transaction. `guard` may
 * refuse (throw) after seeing the stored row, e.g. a problem no longer open.
 */
export async function removeRecord<T extends MemberTable>(table: T, memberId: string, id: string, now: number = Date.now(), guard?: (row: RecordRowByTable[T]) => void): Promise<void> {
  const rows = db.records(table)
  await db.transaction('rw', rows, db.outbox, async () => {
    const previous = await rows.get(id) as RecordRowByTable[T] | undefined
    if (!previous)
      return
    if (previous.memberId !== memberId)
      throw new ForeignRecordError(id)
    guard?.(previous)
    const row = { ...previous, updatedAt: nextUpdatedAt(previous.updatedAt, now), deleted: true, sync: 'pending' } as RecordRowByTable[T]
    delete row.rejection
    await rows.put(row)
    await queueChange(table, id, now)
  })
}

/** Newest date first, then the most recently edited (ids break ties so the order is stable). */
export function compareByDateThenEdit(a: { date: string, updatedAt: number, id: string }, b: { date: string, updatedAt: number, id: string }): number {
  if (a.date !== b.date)
    return a.date < b.date ? 1 : -1
  if (a.updatedAt !== b.updatedAt)
    return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The most recently edited first (ids break ties). */
export function compareByEdit(a: { updatedAt: number, id: string }, b: { updatedAt: number, id: string }): number {
  if (a.updatedAt !== b.updatedAt)
    return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The member's live records of a table (tombstones left out), in no particular order. */
export function listRecords<T extends MemberTable>(table: T, memberId: string): Promise<RecordRowByTable[T][]> {
  // The `owner` index lists live rows only (database.ts, LIVE_OWNER).
  return db.records(table).where('owner').equals(memberId).toArray()
}

/** How many live records of a table the member has (an index count). */
export function countRecords(table: MemberTable, memberId: string): Promise<number> {
  return db.records(table).where('owner').equals(memberId).count()
}

/** The tables with a `[owner+date+updatedAt]` index, and those listed by `[owner+updatedAt]`. */
type DatedTable = 'studyCheckins' | 'serviceLogs' | 'problems'
type EditedTable = 'serviceLogs' | 'readingNotes'

/**
 * The member's `limit` newest live records, in `compare` order (newest date then latest edit, or
 * latest edit), read from the end of an `owner` index: a page costs `limit` rows however many the
 * phone holds. The index breaks ties by id descending where `compare` wants ascending, so the rows
 * sharing the last key are read whole and the page is cut after sorting: the same rows as sorting
 * every record and slicing.
 */
export async function newestRecords<T extends DatedTable | EditedTable>(table: T, memberId: string, by: T extends DatedTable ? 'date' | 'updatedAt' : 'updatedAt', limit: number, compare: (a: RecordRowByTable[T], b: RecordRowByTable[T]) => number): Promise<RecordRowByTable[T][]> {
  const rows = db.records(table)
  const index = by === 'date' ? '[owner+date+updatedAt]' : '[owner+updatedAt]'
  // Every key of the member's lies between [memberId] (a shorter array sorts first) and [memberId, maxKey].
  const page = await rows.where(index).between([memberId], [memberId, Dexie.maxKey], true, true).reverse().limit(limit).toArray()
  const last = page.at(-1) as (RecordRowByTable[T] & { date?: string }) | undefined
  if (!last || page.length < limit)
    return page.sort(compare)
  const lastKey = by === 'date' ? [memberId, last.date ?? '', last.updatedAt] : [memberId, last.updatedAt]
  const tied = await rows.where(index).equals(lastKey).toArray()
  const byId = new Map(page.map(row => [row.id, row]))
  for (const row of tied)
    byId.set(row.id, row)
  return [...byId.values()].sort(compare).slice(0, limit)
}

/** How many records wait in the outbox. */
export function countOutbox(): Promise<number> {
  return db.outbox.count()
}

/** How many of the member's records, over every table, the server refused and still show the refusal. */
export async function countRejected(memberId: string): Promise<number> {
  const counts = await Promise.all(MEMBER_TABLES.map(table =>
    db.records(table).where('[owner+sync]').equals([memberId, 'rejected']).count(),
  ))
  return counts.reduce((sum, n) => sum + n, 0)
}
