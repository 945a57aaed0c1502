import type { Expression, Kysely, RawBuilder } from 'kysely'
import type { MemberTable, ProblemStatus, RecordDataByTable, ServerFields } from '../../../domain/records'
import type { MaterialBodyResponse, PulledDataByTable, ServerExtrasByTable, SyncChangeOut } from '../../../domain/wire'
import type { Database, RecordColumns } from '../schema'
import { CompiledQuery, sql } from 'kysely'
import { materialChars } from '../../../domain/materialText'
import { weekKey } from '../../../domain/week'

/**
 * One repository per synced member table. Each maps the protocol's camelCase `data` onto real
 * typed columns (so later reports aggregate in SQL) and back, and reads/writes rows by id and rev.
 */

export type RecordSqlTable = 'study_checkins' | 'service_logs' | 'reading_notes' | 'problems' | 'materials' | 'reading_progress' | 'sessions'

/** Who reads: a member sees its own rows, and every row of its branch in shared tables. */
export interface RecordReader {
  memberId: string
  branchId: string
}

/** What the sync judgement needs to know about a stored row. */
export interface StoredRecordHead {
  id: string
  memberId: string
  branchId: string
  updatedAt: number
  clientId: string
  deleted: boolean
  /** The stored rev: every write gives a row a new one, so an unchanged rev means an unchanged row. */
  rev: number
  /** The data columns as stored (what `columnsOf` gives for a change), to tell a replay from another change. */
  columns: Columns
}

/** Revisions `first`..`last` of a branch: a push's own applied rows, which its answer need not send back. */
export interface RevRange {
  first: number
  last: number
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

/**
 * Whether `written` (a change's `columnsOf`) is what `stored` holds: only then is a change with
 * the stored `updatedAt` and `clientId` a replay. Numbers compare as numbers (a driver may hand a
 * bigint or a double back in its own type); an absent column is null.
 */
export function sameColumns(stored: Readonly<Record<string, unknown>>, written: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(written).every(([column, value]) => {
    const held = stored[column] ?? null
    if (value === null || held === null)
      return value === held
    return typeof value === 'number' ? Number(held) === value : held === value
  })
}

interface RecordSpec<T extends MemberTable> {
  table: T
  sqlTable: RecordSqlTable
  hasDate: boolean
  /** Data fields to columns (every data column, null when absent). */
  toColumns: (data: RecordDataByTable[T] | null) => Columns
  /** What a pull sends of the row's data (a material's body stays behind). */
  fromColumns: (row: Columns) => PulledDataByTable[T]
  /** Every member of the branch reads these rows (BRANCH_SHARED_TABLES), not only the owner. */
  shared: boolean
  /**
   * Server-kept fields sent with a live row; when present, rows are read joined to their
   * member so `writer_name` (the reporter, the author) is there.
   */
  serverData?: (row: Columns) => ServerExtrasByTable[T]
  /** Rows a secretary may enter for the member (代录): read with the enterer's name. */
  enteredBy?: boolean
  /** The columns a pull reads, when not all of them (a material's body is large and not sent). */
  pulledColumns?: readonly string[]
}

const orNull = <V>(value: V | undefined | null): V | null => value ?? null

// A 代录 row names the secretary who entered it; the member's own rows say null.
const enteredByName = (r: Columns) => ({ enteredByName: (r.entered_by_name as string | null | undefined) ?? null })

const studyCheckinSpec: RecordSpec<'studyCheckins'> = {
  table: 'studyCheckins',
  sqlTable: 'study_checkins',
  hasDate: true,
  enteredBy: true,
  serverData: enteredByName,
  toColumns: d => ({
    date: orNull(d?.date),
    week: d ? weekKey(d.date) : null,
    form: orNull(d?.form),
    topic: orNull(d?.topic),
    minutes: orNull(d?.minutes),
    material_id: orNull(d?.materialId),
    note: orNull(d?.note),
    session_id: orNull(d?.sessionId),
    session_code: orNull(d?.sessionCode),
  }),
  fromColumns: r => ({
    date: r.date as string,
    form: r.form as RecordDataByTable['studyCheckins']['form'],
    topic: r.topic as string,
    minutes: Number(r.minutes),
    materialId: r.material_id as string | null,
    note: r.note as string | null,
    sessionId: (r.session_id as string | null | undefined) ?? null,
    sessionCode: (r.session_code as string | null | undefined) ?? null,
  }),
  shared: false,
}

const serviceLogSpec: RecordSpec<'serviceLogs'> = {
  table: 'serviceLogs',
  sqlTable: 'service_logs',
  hasDate: true,
  enteredBy: true,
  serverData: enteredByName,
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
  shared: false,
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
  shared: false,
}

const problemSpec: RecordSpec<'problems'> = {
  table: 'problems',
  sqlTable: 'problems',
  hasDate: true,
  // Status, owner and resolution are no columns of a member's write: an upsert never touches them.
  toColumns: d => ({
    date: orNull(d?.date),
    week: d ? weekKey(d.date) : null,
    community: orNull(d?.community),
    category: orNull(d?.category),
    title: orNull(d?.title),
    detail: orNull(d?.detail),
  }),
  fromColumns: r => ({
    date: r.date as string,
    community: r.community as string,
    category: r.category as RecordDataByTable['problems']['category'],
    title: r.title as string,
    detail: (r.detail as string | null) ?? '',
  }),
  shared: true,
  serverData: r => ({
    reporterName: r.writer_name as string,
    status: r.status as ProblemStatus,
    ownerName: (r.owner_name as string | null) ?? null,
    resolution: (r.resolution as string | null) ?? null,
    statusUpdatedAt: r.status_updated_at === null || r.status_updated_at === undefined ? null : Number(r.status_updated_at),
  }),
}

const materialSpec: RecordSpec<'materials'> = {
  table: 'materials',
  sqlTable: 'materials',
  hasDate: false,
  toColumns: d => ({
    title: orNull(d?.title),
    category: orNull(d?.category),
    body: orNull(d?.body),
    study_by: orNull(d?.studyBy),
    published_at: orNull(d?.publishedAt),
    // 字数 as the editor shows it, so the list and the editor agree.
    body_chars: d ? materialChars(d.body) : null,
    body_bytes: d ? Buffer.byteLength(d.body, 'utf8') : null,
  }),
  fromColumns: r => ({
    title: r.title as string,
    category: r.category as RecordDataByTable['materials']['category'],
    studyBy: (r.study_by as string | null) ?? null,
    publishedAt: Number(r.published_at),
  }),
  shared: true,
  serverData: r => ({
    authorName: r.writer_name as string,
    bodyChars: Number(r.body_chars),
    bodyBytes: Number(r.body_bytes),
  }),
  pulledColumns: ['id', 'member_id', 'branch_id', 'updated_at', 'client_id', 'deleted', 'rev', 'title', 'category', 'study_by', 'published_at', 'body_chars', 'body_bytes'],
}

const readingProgressSpec: RecordSpec<'readingProgress'> = {
  table: 'readingProgress',
  sqlTable: 'reading_progress',
  hasDate: false,
  toColumns: d => ({
    material_id: orNull(d?.materialId),
    position: orNull(d?.position),
    percent: orNull(d?.percent),
    seconds_spent: orNull(d?.secondsSpent),
    finished_at: orNull(d?.finishedAt),
  }),
  fromColumns: r => ({
    materialId: r.material_id as string,
    position: Number(r.position),
    percent: Number(r.percent),
    secondsSpent: Number(r.seconds_spent),
    finishedAt: r.finished_at === null || r.finished_at === undefined ? null : Number(r.finished_at),
  }),
  shared: false,
}

const jsonOrNull = (value: unknown[] | undefined | null): string | null => value === undefined || value === null ? null : JSON.stringify(value)
const parsedList = <V>(value: unknown): V[] => (typeof value === 'string' ? JSON.parse(value) as V[] : [])

const sessionSpec: RecordSpec<'sessions'> = {
  table: 'sessions',
  sqlTable: 'sessions',
  hasDate: true,
  toColumns: d => ({
    date: orNull(d?.date),
    week: d ? weekKey(d.date) : null,
    form: orNull(d?.form),
    topic: orNull(d?.topic),
    end_date: orNull(d?.endDate),
    time: orNull(d?.time),
    place: orNull(d?.place),
    host: orNull(d?.host),
    speaker: orNull(d?.speaker),
    material_ids: jsonOrNull(d?.materialIds),
    code: orNull(d?.code),
    meeting_minutes: orNull(d?.minutes),
    leaves: jsonOrNull(d?.leaves),
  }),
  fromColumns: r => ({
    form: r.form as RecordDataByTable['sessions']['form'],
    topic: r.topic as string,
    date: r.date as string,
    endDate: (r.end_date as string | null) ?? null,
    time: (r.time as string | null) ?? null,
    place: (r.place as string | null) ?? null,
    host: (r.host as string | null) ?? null,
    speaker: (r.speaker as string | null) ?? null,
    materialIds: parsedList<string>(r.material_ids),
    code: r.code as string,
    minutes: (r.meeting_minutes as string | null) ?? null,
    leaves: parsedList<{ memberId: string, reason: string }>(r.leaves),
  }),
  shared: true,
}

// Many-row statements are split so no dialect's bound-parameter limit is ever reached.
const CHUNK = 200
// An upsert's largest block of rows: 256 rows of at most 20 columns stay far under any dialect's parameter limit.
const UPSERT_BLOCK = 256

export class RecordRepository<T extends MemberTable = MemberTable> {
  readonly table: T
  readonly sqlTable: RecordSqlTable

  constructor(protected readonly db: Kysely<Database>, private readonly spec: RecordSpec<T>, private readonly dialect: 'sqlite' | 'postgres' = 'sqlite') {
    this.table = spec.table
    this.sqlTable = spec.sqlTable
  }

  // The record tables share their record columns; one loosely typed handle serves them all.
  private handle(db: Kysely<Database>): Kysely<Record<RecordSqlTable, RecordColumns & Columns>> {
    return db as unknown as Kysely<Record<RecordSqlTable, RecordColumns & Columns>>
  }

  /** The data columns a change writes: what the row would hold (all null on a delete). */
  columnsOf(deleted: boolean, data: RecordDataByTable[T] | null): Columns {
    return this.spec.toColumns(deleted ? null : data)
  }

  /**
   * Ids as ONE bound parameter, whatever their number: a PostgreSQL array, or a JSON array SQLite
   * unpacks with json_each. One statement per table instead of one per 200 ids, and no
   * bound-parameter limit.
   */
  private idsParam(ids: readonly string[]): RawBuilder<string> {
    return this.dialect === 'postgres'
      ? sql<string>`any(${sql.val([...ids])}::text[])`
      : sql<string>`(select value from json_each(${JSON.stringify(ids)}))`
  }

  /** Owner, version, writer and stored content of the rows with these ids (any owner). */
  async findHeads(ids: readonly string[], db: Kysely<Database> = this.db): Promise<Map<string, StoredRecordHead>> {
    const heads = new Map<string, StoredRecordHead>()
    if (ids.length === 0)
      return heads
    const dataColumns = Object.keys(this.spec.toColumns(null))
    const idIn = this.dialect === 'postgres' ? sql<boolean>`id = ${this.idsParam(ids)}` : sql<boolean>`id in ${this.idsParam(ids)}`
    const rows = await this.handle(db).selectFrom(this.sqlTable).select(['id', 'member_id', 'branch_id', 'updated_at', 'client_id', 'deleted', 'rev', ...dataColumns]).where(idIn).execute()
    for (const row of rows as (RecordColumns & Columns)[]) {
      const columns = Object.fromEntries(dataColumns.map(c => [c, row[c] ?? null]))
      heads.set(row.id, { id: row.id, memberId: row.member_id, branchId: row.branch_id, updatedAt: Number(row.updated_at), clientId: row.client_id, deleted: Number(row.deleted) === 1, rev: Number(row.rev), columns })
    }
    return heads
  }

  private rowValues(w: RecordWrite<T>, rev: number) {
    return {
      id: w.id,
      member_id: w.memberId,
      branch_id: w.branchId,
      updated_at: w.updatedAt,
      client_id: w.clientId,
      deleted: w.deleted ? 1 : 0,
      rev,
      ...this.spec.toColumns(w.deleted ? null : w.data),
    }
  }

  /**
   * Inserts or replaces rows' written columns (the caller has already judged them); columns no
   * spec writes, such as a problem's status, keep their value. Building the same INSERT through
   * Kysely's query builder for every push of 500 rows cost as much as SQLite writing them, so the
   * statement's text is kept, by table, columns and row count. The rows go in blocks of a power
   * of two up to UPSERT_BLOCK (500 = 256 + 128 + 64 + 32 + 16 + 4): nine texts a table, kept
   * prepared, whatever counts clients push, where one text per count would keep hundreds of
   * statements of several hundred KB each.
   */
  async upsert(writes: readonly RecordWrite<T>[], db: Kysely<Database> = this.db): Promise<void> {
    if (writes.length === 0)
      return
    const columns = Object.keys(this.rowValues(writes[0]!, 0))
    for (let i = 0; i < writes.length;) {
      let block = UPSERT_BLOCK
      while (block > writes.length - i)
        block /= 2
      const parameters: unknown[] = []
      for (const w of writes.slice(i, i + block)) {
        const row = this.rowValues(w, w.rev)
        for (const c of columns)
          parameters.push(row[c as keyof typeof row] ?? null)
      }
      await db.executeQuery(CompiledQuery.raw(this.upsertText(columns, block), parameters))
      i += block
    }
  }

  private readonly upsertTexts = new Map<string, string>()

  private upsertText(columns: readonly string[], rowCount: number): string {
    const key = `${rowCount}:${columns.join(',')}`
    let text = this.upsertTexts.get(key)
    if (text === undefined) {
      let n = 0
      const placeholder = this.dialect === 'postgres' ? () => `$${++n}` : () => '?'
      const quoted = columns.map(c => `"${c}"`)
      const rows = Array.from({ length: rowCount }, () => `(${columns.map(placeholder).join(', ')})`)
      const set = quoted.filter(c => c !== '"id"' && c !== '"member_id"').map(c => `${c} = excluded.${c}`)
      text = `insert into "${this.sqlTable}" (${quoted.join(', ')}) values ${rows.join(', ')} on conflict ("id") do update set ${set.join(', ')}`
      this.upsertTexts.set(key, text)
    }
    return text
  }

  /**
   * The upsert of `writes` as one statement to run inside a PostgreSQL WITH (not executed here):
   * write `i` takes rev `revBase + offsets[i]` (`revBase` an expression over the counter the
   * statement takes), and a stored row is replaced only while it is the version judged,
   * `expected` (id and rev; an id not there was judged absent). RETURNING id lists the rows
   * written: fewer than `writes` means another writer got there first.
   *
   * The rows go as ONE json parameter that json_populate_recordset reads with the table's own
   * column types, the expected versions as two arrays: three bound values and the same statement
   * text whatever the number of rows, where 500 rows of VALUES made PostgreSQL parse and bind
   * 8,500 parameters and plan 500 subqueries of the counter.
   */
  guardedUpsert(writes: readonly RecordWrite<T>[], revBase: Expression<number>, offsets: readonly number[], expected: readonly { id: string, rev: number }[]): RawBuilder<{ id: string }> {
    const t = this.sqlTable
    const rows = writes.map((w, i) => this.rowValues(w, offsets[i]!))
    const columns = Object.keys(rows[0]!)
    const updated = columns.filter(c => c !== 'id' && c !== 'member_id')
    const picked = columns.map(c => c === 'rev' ? sql`${revBase} + r.rev` : sql.ref(`r.${c}`))
    return sql<{ id: string }>`insert into ${sql.table(t)} (${sql.join(columns.map(c => sql.ref(c)))})
      select ${sql.join(picked)} from json_populate_recordset(null::${sql.table(t)}, ${JSON.stringify(rows)}::json) as r
      on conflict (id) do update set ${sql.join(updated.map(c => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`))}
      where (${sql.ref(`${t}.id`)}, ${sql.ref(`${t}.rev`)}) in (select * from unnest(${sql.val(expected.map(e => e.id))}::text[], ${sql.val(expected.map(e => e.rev))}::bigint[]))
      returning id`
  }

  /**
   * The reader's rows (or the branch's, for a shared table) changed after `afterRev`, oldest first,
   * at most `limit`; none with a rev in `skip` (the caller's own push, which it already holds).
   */
  async changedFor(reader: RecordReader, afterRev: number, limit: number, db: Kysely<Database> = this.db, skip: RevRange | null = null): Promise<SyncChangeOut<T>[]> {
    const t = this.sqlTable
    let query = this.readable(db, reader).where(`${t}.rev`, '>', afterRev)
    if (skip)
      query = query.where((eb: any) => eb.or([eb(`${t}.rev`, '<', skip.first), eb(`${t}.rev`, '>', skip.last)]))
    const rows = await query.orderBy(`${t}.rev`).limit(limit).execute()
    return rows.map((row: Columns) => this.toChange(row as RecordColumns & Columns))
  }

  /**
   * Whether the reader may read a row of this table with rev after `afterRev` (outside `skip`),
   * as an SQL condition: index range probes on (member_id, rev) or (branch_id, rev), no join.
   */
  newerExists(reader: RecordReader, afterRev: number, skip: RevRange | null): RawBuilder<boolean> {
    const owner = this.spec.shared ? sql`branch_id = ${reader.branchId}` : sql`member_id = ${reader.memberId}`
    const probe = (range: RawBuilder<unknown>) => sql<boolean>`exists (select 1 from ${sql.table(this.sqlTable)} where ${owner} and ${range})`
    if (!skip)
      return probe(sql`rev > ${afterRev}`)
    // Two ranges, each an index range scan: the push's own rows are never visited.
    return sql<boolean>`(${probe(sql`rev > ${afterRev} and rev < ${skip.first}`)} or ${probe(sql`rev > ${Math.max(afterRev, skip.last)}`)})`
  }

  /** The readable rows with these ids whose rev is at most `maxRev` (already behind a cursor). */
  async byIdsFor(reader: RecordReader, ids: readonly string[], maxRev: number, db: Kysely<Database> = this.db): Promise<SyncChangeOut<T>[]> {
    const t = this.sqlTable
    const changes: SyncChangeOut<T>[] = []
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.readable(db, reader).where(`${t}.id`, 'in', ids.slice(i, i + CHUNK)).where(`${t}.rev`, '<=', maxRev).execute()
      changes.push(...rows.map((row: Columns) => this.toChange(row as RecordColumns & Columns)))
    }
    return changes
  }

  // Rows the reader may see, every column qualified (a joined `members` has id, branch_id and status too).
  private readable(db: Kysely<Database>, reader: RecordReader) {
    const t = this.sqlTable
    const from = (db as Kysely<any>).selectFrom(t)
    let query = this.spec.pulledColumns ? from.select(this.spec.pulledColumns.map(c => `${t}.${c}`)) : from.selectAll(t)
    if (this.spec.serverData)
      query = query.innerJoin('members', 'members.id', `${t}.member_id`).select('members.name as writer_name')
    if (this.spec.enteredBy)
      query = query.leftJoin('members as enterer', 'enterer.id', `${t}.entered_by`).select('enterer.name as entered_by_name')
    return this.spec.shared
      ? query.where(`${t}.branch_id`, '=', reader.branchId)
      : query.where(`${t}.member_id`, '=', reader.memberId)
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
      data: deleted ? server : { ...this.spec.fromColumns(row), ...this.spec.serverData?.(row), ...server } as SyncChangeOut<T>['data'],
    }
  }
}

/** Materials: the shared rows of the sync, plus the body a member downloads on its own. */
export class MaterialRepository extends RecordRepository<'materials'> {
  constructor(db: Kysely<Database>, dialect: 'sqlite' | 'postgres' = 'sqlite') {
    super(db, materialSpec, dialect)
  }

  /** The text of a live material of the reader's branch, or undefined (unknown, unpublished, another branch's). */
  async bodyFor(reader: RecordReader, id: string, db: Kysely<Database> = this.db): Promise<MaterialBodyResponse | undefined> {
    const row = await db.selectFrom('materials')
      .select(['id', 'updated_at', 'body'])
      .where('id', '=', id)
      .where('branch_id', '=', reader.branchId)
      .where('deleted', '=', 0)
      .executeTakeFirst()
    if (!row || row.body === null)
      return undefined
    return { id: row.id, updatedAt: Number(row.updated_at), body: row.body }
  }
}

export type RecordRepositories = { [T in MemberTable]: RecordRepository<T> } & { materials: MaterialRepository }

export function createRecordRepositories(db: Kysely<Database>, dialect: 'sqlite' | 'postgres' = 'sqlite'): RecordRepositories {
  return {
    studyCheckins: new RecordRepository(db, studyCheckinSpec, dialect),
    serviceLogs: new RecordRepository(db, serviceLogSpec, dialect),
    readingNotes: new RecordRepository(db, readingNoteSpec, dialect),
    problems: new RecordRepository(db, problemSpec, dialect),
    materials: new MaterialRepository(db, dialect),
    readingProgress: new RecordRepository(db, readingProgressSpec, dialect),
    sessions: new RecordRepository(db, sessionSpec, dialect),
  }
}
