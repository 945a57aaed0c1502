import type { RecordBase, RecordRowByTable } from './database'
import type { MemberTable, RecordDataByTable } from '@/domain/records'
import { toRaw } from 'vue'
import { materialBytes, materialChars } from '@/domain/materialText'
import { weekKey } from '@/domain/week'

/**
 * The table registry: for each member table, which fields are the protocol's `data` and what else
 * a local row carries. The db, the sync engine and backups work through it, never per table.
 */
export interface RecordTableSpec<T extends MemberTable> {
  table: T
  /** Fields every `data` has, then fields that may be absent (copied only when set). */
  required: readonly (keyof RecordDataByTable[T] & string)[]
  optional: readonly (keyof RecordDataByTable[T] & string)[]
  /**
   * Fields a row keeps beside `data` and its bookkeeping: derived from `data` (the ISO week) or
   * carried from the server's copy or the previous row (a problem's status, reporter, branch).
   */
  extras: (data: RecordDataByTable[T], carried: Record<string, unknown> | undefined) => Record<string, unknown>
  /**
   * `data` fields the server does not send back: the row keeps them only until a push is applied
   * (a material's `body`, which lives in `materialBodies` and is downloaded apart).
   */
  pushOnly?: readonly (keyof RecordDataByTable[T] & string)[]
}

function dated(data: { date: string }): Record<string, unknown> {
  return { week: weekKey(data.date) }
}

/** A dated row a secretary may have entered for the member (代录): the server's `enteredByName` is kept. */
function datedEnteredBy(data: { date: string }, carried: Record<string, unknown> | undefined): Record<string, unknown> {
  return typeof carried?.enteredByName === 'string' ? { week: weekKey(data.date), enteredByName: carried.enteredByName } : dated(data)
}

const nullable = (value: unknown) => value ?? null

export const RECORD_TABLES: { [T in MemberTable]: RecordTableSpec<T> } = {
  studyCheckins: {
    table: 'studyCheckins',
    required: ['date', 'form', 'topic', 'minutes'],
    optional: ['materialId', 'note', 'sessionId', 'sessionCode'],
    extras: datedEnteredBy,
  },
  serviceLogs: {
    table: 'serviceLogs',
    required: ['date', 'community', 'activity', 'hours'],
    optional: ['peopleServed', 'description'],
    extras: datedEnteredBy,
  },
  readingNotes: {
    table: 'readingNotes',
    required: ['title', 'reflection'],
    optional: ['source', 'excerpt', 'materialId'],
    extras: () => ({}),
  },
  problems: {
    table: 'problems',
    required: ['date', 'community', 'category', 'title'],
    optional: ['detail'],
    extras: (data, carried) => {
      const extra: Record<string, unknown> = {
        week: weekKey(data.date),
        reporterName: typeof carried?.reporterName === 'string' ? carried.reporterName : '',
        status: carried?.status ?? 'open',
        ownerName: nullable(carried?.ownerName),
        resolution: nullable(carried?.resolution),
        statusUpdatedAt: nullable(carried?.statusUpdatedAt),
      }
      if (typeof carried?.branchId === 'string')
        extra.branchId = carried.branchId
      return extra
    },
  },
  materials: {
    table: 'materials',
    // A pulled material has no `body` (the app downloads it apart), so it is optional here.
    required: ['title', 'category', 'publishedAt'],
    optional: ['studyBy', 'body'],
    pushOnly: ['body'],
    extras: (data, carried) => {
      const body = data.body
      const extra: Record<string, unknown> = {
        authorName: typeof carried?.authorName === 'string' ? carried.authorName : '',
        // 字数 as the server and the editor count it (materialChars), so the row does not change when pulled back.
        bodyChars: typeof body === 'string' ? materialChars(body) : Number(carried?.bodyChars ?? 0),
        bodyBytes: typeof body === 'string' ? materialBytes(body) : Number(carried?.bodyBytes ?? 0),
      }
      if (typeof carried?.branchId === 'string')
        extra.branchId = carried.branchId
      return extra
    },
  },
  readingProgress: {
    table: 'readingProgress',
    required: ['materialId', 'position', 'percent', 'secondsSpent'],
    optional: ['finishedAt'],
    extras: () => ({}),
  },
  sessions: {
    table: 'sessions',
    required: ['form', 'topic', 'date', 'code'],
    optional: ['endDate', 'time', 'place', 'host', 'speaker', 'materialIds', 'minutes', 'leaves'],
    extras: (data, carried) => {
      const extra: Record<string, unknown> = { week: weekKey(data.date) }
      if (typeof carried?.branchId === 'string')
        extra.branchId = carried.branchId
      return extra
    },
  },
}

/** Only the protocol's fields of a record, as a plain object (Vue proxies, bookkeeping and extra keys stay out). */
export function recordData<T extends MemberTable>(table: T, source: object): RecordDataByTable[T] {
  const raw = toRaw(source) as Record<string, unknown>
  const spec = RECORD_TABLES[table] as RecordTableSpec<MemberTable>
  const data: Record<string, unknown> = {}
  for (const key of spec.required)
    data[key] = raw[key]
  for (const key of spec.optional) {
    if (raw[key] !== undefined)
      data[key] = raw[key]
  }
  return data as RecordDataByTable[T]
}

/** The row's extra fields for `data`, carrying status and the like from `carried`. */
export function rowExtras<T extends MemberTable>(table: T, data: RecordDataByTable[T], carried?: object): Record<string, unknown> {
  return (RECORD_TABLES[table] as RecordTableSpec<T>).extras(data, carried as Record<string, unknown> | undefined)
}

/** The copy of a row the server holds once it accepted it (what a later `stale` restores). */
export function baseOfRow<T extends MemberTable>(table: T, row: RecordRowByTable[T]): RecordBase<T> {
  return { updatedAt: row.updatedAt, deleted: row.deleted, data: recordData(table, row) }
}

/** A server copy without the table's push-only fields (what the server holds and sends back). */
export function slimBase<T extends MemberTable>(table: T, base: RecordBase<T>): RecordBase<T> {
  const pushOnly = (RECORD_TABLES[table] as RecordTableSpec<MemberTable>).pushOnly
  if (!pushOnly?.length)
    return base
  const data = { ...base.data } as Record<string, unknown>
  for (const key of pushOnly)
    delete data[key]
  return { ...base, data: data as RecordDataByTable[T] }
}

/** A row the server now holds, without the push-only fields it kept while waiting (they live elsewhere). */
export function slimSyncedRow<T extends MemberTable>(table: T, row: RecordRowByTable[T]): RecordRowByTable[T] {
  const pushOnly = (RECORD_TABLES[table] as RecordTableSpec<MemberTable>).pushOnly
  if (!pushOnly?.length)
    return row
  const slim = { ...row } as Record<string, unknown>
  for (const key of pushOnly)
    delete slim[key]
  if (row.base)
    slim.base = slimBase(table, row.base as RecordBase<T>)
  return slim as unknown as RecordRowByTable[T]
}

/** Whether `table` is one of the member tables this app keeps (a newer server may send others). */
export function isRecordTable(table: string): table is MemberTable {
  return Object.hasOwn(RECORD_TABLES, table)
}
