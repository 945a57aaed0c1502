import type { Kysely } from 'kysely'
import type { MemberTable, RecordDataByTable, ServerFields } from '../../../domain/records'
import type { SyncChangeOut } from '../../../domain/wire'
import type { Database, RecordColumns } from '../schema'
import { weekKey } from '../../../domain/week'

/**
 * One repository per synced member table. Each maps the protocol's camelCase `data` onto real
 * typed columns (so later reports aggregate in SQL) and back, and reads/writes rows by id and rev.
 */

export type RecordSqlTable = 'study_checkins' | 'service_logs' | 'reading_notes'

/** What the sync judgement needs to know about a stored row. */
export interface StoredRecordHead {
  id: string
  memberId: string
  updatedAt: number
  clientId: string
}

/** A row as written by an applied change. */
export interface RecordWrite<T extends MemberTable = MemberTable> {
  id: string
  memberId: string
  branchId: string
  updatedAt: number
  clientId: string
  deleted: boolean
  rev: number
  /** Null on a tombstone: a deleted record keeps no content. */
  data: RecordDataByTable[T] | null
}

type Columns = Record<string, string | number | null>

interface RecordSpec<T extends MemberTable> {
  table: T
  sqlTable: RecordSqlTable
  hasDate: boolean
  /** Data fields to columns (every data column, null when absent). */
  toColumns: (data: RecordDataByTable[T] | null) => Columns
  fromColumns: (row: Columns) => RecordDataByTable[T]
}

const orNull = <V>(value: V | undefined | null): V | null => value ?? null

const studyCheckinSpec: RecordSpec<'studyCheckins'> = {
  table: 'studyCheckins',
  sqlTable: 'study_checkins',
  hasDate: true,
  toColumns: d => ({
    date: orNull(d?.date),
    week: d ? weekKey(d.date) : null,
    form: orNull(d?.form),
    topic: orNull(d?.topic),
    minutes: orNull(d?.minutes),
    material_id: orNull(d?.materialId),
    note: orNull(d?.note),
  }),
  fromColumns: r => ({
    date: r.date as string,
    form: r.form as RecordDataByTable['studyCheckins']['form'],
    topic: r.topic as string,
    minutes: Number(r.minutes),
    materialId: r.material_id as string | null,
    note: r.note as string | null,
  }),
}

const serviceLogSpec: RecordSpec<'serviceLogs'> = {
  table: 'serviceLogs',
  sqlTable: 'service_logs',
  hasDate: true,
  toColumns: d => ({
    date: orNull(d?.date),
    week: d ? weekKey(d.date) : null,
    community: orNull(d?.community),
    activity: orNull(d?.activity),
    hours: orNull(d?.hours),
    people_served: orNull(d?.peopleServed),
    description: orNull(d?.description),
  }),
  fromColumns: r => ({
    date: r.date as string,
    community: r.community as string,
    activity: r.activity as RecordDataByTable['serviceLogs']['activity'],
    hours: Number(r.hours),
    peopleServed: r.people_served === null ? null : Number(r.people_served),
    description: (r.description as string | null) ?? '',
  }),
}

const readingNoteSpec: RecordSpec<'readingNotes'> = {
  table: 'readingNotes',
  sqlTable: 'reading_notes',
  hasDate: false,
  toColumns: d => ({
    title: orNull(d?.title),
    source: orNull(d?.source),
    excerpt: orNull(d?.excerpt),
    reflection: orNull(d?.reflection),
    material_id: orNull(d?.materialId),
  }),
  fromColumns: r => ({
    title: r.title as string,
    source: r.source as string | null,
    excerpt: r.excerpt as string | null,
    reflection: r.reflection as string,
    materialId: r.material_id as string | null,
  }),
}

// Many-row statements are split so no dialect's bound-parameter limit is ever reached.
const CHUNK = 200

export class RecordRepository<T extends MemberTable = MemberTable> {
  readonly table: T
  readonly sqlTable: RecordSqlTable

  constructor(private readonly db: Kysely<Database>, private readonly spec: RecordSpec<T>) {
    this.table = spec.table
    this.sqlTable = spec.sqlTable
  }

  // The three tables share their record columns; one loosely typed handle serves them all.
  private handle(db: Kysely<Database>): Kysely<Record<RecordSqlTable, RecordColumns & Columns>> {
    return db as unknown as Kysely<Record<RecordSqlTable, RecordColumns & Columns>>
  }

  /** Owner, version and writer of the rows with these ids (any owner). */
  async findHeads(ids: readonly string[], db: Kysely<Database> = this.db): Promise<Map<string, StoredRecordHead>> {
    const heads = new Map<string, StoredRecordHead>()
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.handle(db).selectFrom(this.sqlTable).select(['id', 'member_id', 'updated_at', 'client_id']).where('id', 'in', ids.slice(i, i + CHUNK)).execute()
      for (const row of rows)
        heads.set(row.id, { id: row.id, memberId: row.member_id, updatedAt: Number(row.updated_at), clientId: row.client_id })
    }
    return heads
  }

  /** Inserts or replaces whole rows (the caller has already judged them). */
  async upsert(writes: readonly RecordWrite<T>[], db: Kysely<Database> = this.db): Promise<void> {
    for (let i = 0; i < writes.length; i += CHUNK) {
      const values = writes.slice(i, i + CHUNK).map(w => ({
        id: w.id,
        member_id: w.memberId,
        branch_id: w.branchId,
        updated_at: w.updatedAt,
        client_id: w.clientId,
        deleted: w.deleted ? 1 : 0,
        rev: w.rev,
        ...this.spec.toColumns(w.deleted ? null : w.data),
      }))
      const columns = Object.keys(values[0]!).filter(c => c !== 'id' && c !== 'member_id')
      await this.handle(db).insertInto(this.sqlTable).values(values).onConflict(oc => oc.column('id').doUpdateSet(eb => Object.fromEntries(columns.map(c => [c, eb.ref(`excluded.${c}` as any)])) as any)).execute()
    }
  }

  /** The member's rows changed after `afterRev`, oldest first, at most `limit`. */
  async changedForMember(memberId: string, afterRev: number, limit: number, db: Kysely<Database> = this.db): Promise<SyncChangeOut<T>[]> {
    const rows = await this.handle(db).selectFrom(this.sqlTable).selectAll().where('member_id', '=', memberId).where('rev', '>', afterRev).orderBy('rev').limit(limit).execute()
    return rows.map(row => this.toChange(row as RecordColumns & Columns))
  }

  /** The member's rows with these ids whose rev is at most `maxRev` (already behind a cursor). */
  async byIdsForMember(memberId: string, ids: readonly string[], maxRev: number, db: Kysely<Database> = this.db): Promise<SyncChangeOut<T>[]> {
    const changes: SyncChangeOut<T>[] = []
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.handle(db).selectFrom(this.sqlTable).selectAll().where('member_id', '=', memberId).where('id', 'in', ids.slice(i, i + CHUNK)).where('rev', '<=', maxRev).execute()
      changes.push(...rows.map(row => this.toChange(row as RecordColumns & Columns)))
    }
    return changes
  }

  private toChange(row: RecordColumns & Columns): SyncChangeOut<T> {
    const deleted = Number(row.deleted) === 1
    const server: ServerFields = { memberId: row.member_id, branchId: row.branch_id }
    if (this.spec.hasDate && row.week)
      server.week = row.week as string
    return {
      table: this.table,
      id: row.id,
      rev: Number(row.rev),
      updatedAt: Number(row.updated_at),
      deleted,
      data: deleted ? server : { ...this.spec.fromColumns(row), ...server },
    }
  }
}

export function createRecordRepositories(db: Kysely<Database>): { [T in MemberTable]: RecordRepository<T> } {
  return {
    studyCheckins: new RecordRepository(db, studyCheckinSpec),
    serviceLogs: new RecordRepository(db, serviceLogSpec),
    readingNotes: new RecordRepository(db, readingNoteSpec),
  }
}
