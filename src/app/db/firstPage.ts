import type { ReadingNoteRow, StudyCheckinRow } from './database'
import { db } from './database'
import { compareByDateThenEdit, compareByEdit, countRecords, newestRecords } from './records'

/**
 * The first screen's rows, read at start before anything else: the app opens on 学习 or 笔记, and
 * the newest page of that list is one indexed, limited read (with the session, in one transaction)
 * started while the rest of the app's code is still evaluated, so the list draws its first rows
 * without waiting on the settings, the sync, the counts or its own live query's first answer.
 */

/** The lists the app opens on, and the rows they show first. */
export interface FirstPageRows {
  studyCheckins: StudyCheckinRow
  readingNotes: ReadingNoteRow
}
export type FirstPageTable = keyof FirstPageRows

/** The newest `rows` of a member's list and how many there are in all, as the list's live query reads them. */
export interface FirstPage<T extends FirstPageTable> {
  memberId: string
  rows: FirstPageRows[T][]
  total: number
}

const early = new Map<FirstPageTable, Promise<FirstPage<FirstPageTable> | null>>()

/** The signed-in member's newest `limit` rows of the list and their count; null when nobody is signed in. */
export async function readFirstPage<T extends FirstPageTable>(table: T, limit: number): Promise<FirstPage<T> | null> {
  return db.transaction('r', [db.session, db.records(table)], async () => {
    const memberId = (await db.session.get('current'))?.member.id
    if (!memberId)
      return null
    const [rows, total] = await Promise.all([
      table === 'studyCheckins'
        ? newestRecords('studyCheckins', memberId, 'date', limit, compareByDateThenEdit)
        : newestRecords('readingNotes', memberId, 'updatedAt', limit, compareByEdit),
      countRecords(table, memberId),
    ])
    return { memberId, rows: rows as FirstPageRows[T][], total }
  })
}

/** Starts reading the list's first page now (it opens the database); the list takes it with `takeFirstPage`. */
export function startFirstPage(table: FirstPageTable, limit: number): void {
  early.set(table, readFirstPage(table, limit).catch(() => null))
}

/** The early read of the list's first page, to the first list that asks; later opens read live only. */
export function takeFirstPage<T extends FirstPageTable>(table: T): Promise<FirstPage<T> | null> | undefined {
  const page = early.get(table)
  early.delete(table)
  return page as Promise<FirstPage<T> | null> | undefined
}
