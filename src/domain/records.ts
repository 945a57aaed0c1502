import type { FieldMessageKey } from './messages'
import type { SessionData } from './sessions'
import type { MemberTable } from './tables'
import * as v from 'valibot'
import { fieldMessage } from './messages'
import { checkinSessionFields, sessionData } from './sessions'
import { charLength, textOfAtMost, UUID_RE } from './text'
import { addDays, DEFAULT_TIME_ZONE, isIsoDate, todayIn } from './week'

/**
 * The records members write, as the sync protocol carries them (`../shared/PROTOCOL.md`).
 * One schema per table serves the app's forms (messages at the field) and the server's
 * judgement of each pushed change, so both enforce the same limits.
 */

export const STUDY_FORMS = ['branch_study', 'party_lecture', 'party_day', 'reading_class', 'seminar', 'exchange', 'training', 'self_study', 'home_study'] as const
export type StudyForm = typeof STUDY_FORMS[number]

export const SERVICE_ACTIVITIES = ['publicity', 'visit', 'volunteer', 'charity_purchase', 'other'] as const
export type ServiceActivity = typeof SERVICE_ACTIVITIES[number]

export const PROBLEM_CATEGORIES = ['livelihood', 'environment', 'employment', 'other'] as const
export type ProblemCategory = typeof PROBLEM_CATEGORIES[number]

/** 待解决, 推进中, 已解决: set by the server (a new problem is `open`) and later by the secretary. */
export const PROBLEM_STATUSES = ['open', 'in_progress', 'solved'] as const
export type ProblemStatus = typeof PROBLEM_STATUSES[number]

/** 原著原文, 重要讲话, 学习辅导, 支部通知: how the branch files the study materials it publishes. */
export const MATERIAL_CATEGORIES = ['classic', 'speech', 'guidance', 'notice'] as const
export type MaterialCategory = typeof MATERIAL_CATEGORIES[number]

/** Longest material text the branch can publish (characters); 100,000 Chinese characters is about 300 KB. */
export const MATERIAL_BODY_MAX = 100_000

// Every table the sync endpoint carries: in tables.ts, so the app's database names them without the schemas.
export { MEMBER_TABLES } from './tables'
export type { MemberTable } from './tables'

/** Tables whose rows every member of the branch pulls (with the writer's name), not only the owner. */
export const BRANCH_SHARED_TABLES = ['problems', 'materials', 'sessions'] as const satisfies readonly MemberTable[]

/** Tables only a secretary of the branch may push; a member's change to them is rejected `forbidden`. */
export const SECRETARY_WRITE_TABLES = ['materials', 'sessions'] as const satisfies readonly MemberTable[]

export { charLength, inputMaxLength, isStorableText, textOfAtMost, UUID_RE } from './text'

const msg = (key: FieldMessageKey) => (issue: { lang?: string }) => fieldMessage(key, issue.lang)

/** A string of `min`–`max` characters; blank text does not count towards `min`. */
function text(key: FieldMessageKey, min: number, max: number) {
  return v.pipe(
    textOfAtMost(key, max),
    v.check(s => charLength(s.trim()) >= min, msg(key)),
  )
}

const uuid = (key: FieldMessageKey) => v.pipe(v.string(msg(key)), v.regex(UUID_RE, msg(key)))

// The latest date a record may carry, worked out once a second: a push of 500 changes judges 500 dates.
let latest = { second: -1, date: '' }
function latestRecordDate(): string {
  const second = Math.floor(Date.now() / 1000)
  if (latest.second !== second)
    latest = { second, date: addDays(todayIn(DEFAULT_TIME_ZONE, second * 1000), 1) }
  return latest.date
}

/** A record's date: a real `YYYY-MM-DD`, at most one day after today in the branch's zone. */
export const recordDate = v.pipe(
  v.string(msg('date')),
  v.check(isIsoDate, msg('date')),
  v.check(d => d <= latestRecordDate(), msg('dateFuture')),
)

export const studyCheckinData = v.object({
  date: recordDate,
  form: v.picklist(STUDY_FORMS, msg('form')),
  topic: text('topic', 1, 200),
  minutes: v.pipe(v.number(msg('minutes')), v.integer(msg('minutes')), v.minValue(1, msg('minutes')), v.maxValue(600, msg('minutes'))),
  materialId: v.optional(v.nullable(uuid('materialId'))),
  note: v.optional(v.nullable(textOfAtMost('note', 2000))),
  // 签到 (issue #13): the session signed in to, by id when the phone has it, else by its 签到码.
  ...checkinSessionFields,
})
export type StudyCheckinData = v.InferOutput<typeof studyCheckinData>

export const serviceLogData = v.object({
  date: recordDate,
  community: text('community', 1, 100),
  activity: v.picklist(SERVICE_ACTIVITIES, msg('activity')),
  hours: v.pipe(
    v.number(msg('hours')),
    v.minValue(0.5, msg('hours')),
    v.maxValue(24, msg('hours')),
    v.check(h => Number.isInteger(h * 2), msg('hours')),
  ),
  peopleServed: v.optional(v.nullable(v.pipe(v.number(msg('peopleServed')), v.integer(msg('peopleServed')), v.minValue(0, msg('peopleServed')), v.maxValue(10000, msg('peopleServed'))))),
  description: v.optional(textOfAtMost('description', 2000), ''),
})
export type ServiceLogData = v.InferOutput<typeof serviceLogData>

export const readingNoteData = v.object({
  title: text('title', 1, 200),
  source: v.optional(v.nullable(textOfAtMost('source', 200))),
  excerpt: v.optional(v.nullable(textOfAtMost('excerpt', 5000))),
  reflection: text('reflection', 1, 10000),
  materialId: v.optional(v.nullable(uuid('materialId'))),
})
export type ReadingNoteData = v.InferOutput<typeof readingNoteData>

/** A residents' problem as its reporter writes it; status, owner and resolution are not the reporter's to set. */
export const problemData = v.object({
  date: recordDate,
  community: text('community', 1, 100),
  category: v.picklist(PROBLEM_CATEGORIES, msg('category')),
  title: text('problemTitle', 1, 100),
  detail: v.optional(textOfAtMost('detail', 2000), ''),
})
export type ProblemData = v.InferOutput<typeof problemData>

/**
 * A study material the branch publishes. `body` is the text as pasted, in a light Markdown subset
 * (`#`/`##`/`###` headings, `>` quotes, `-`/`1.` list items, one paragraph per line); `studyBy` is an
 * optional date to have read it by (may be in the future); `publishedAt` is when it was first published
 * (ms, the secretary's clock) and orders the list newest first. Unpublishing deletes the row (tombstone).
 */
export const materialData = v.object({
  title: text('materialTitle', 1, 200),
  category: v.picklist(MATERIAL_CATEGORIES, msg('materialCategory')),
  body: text('materialBody', 1, MATERIAL_BODY_MAX),
  studyBy: v.optional(v.nullable(v.pipe(v.string(msg('studyBy')), v.check(isIsoDate, msg('studyBy'))))),
  // At most 2^53 − 1, as updatedAt: bigger integers lose precision, and PostgreSQL's bigint refuses them.
  publishedAt: v.pipe(v.number(msg('publishedAt')), v.integer(msg('publishedAt')), v.minValue(0, msg('publishedAt')), v.maxValue(Number.MAX_SAFE_INTEGER, msg('publishedAt'))),
})
export type MaterialData = v.InferOutput<typeof materialData>

/**
 * Where one member stopped in one material, synced to the member's other devices. The row's id is
 * `readingProgressId(idSeed, memberId, materialId)` (src/domain/homeStudy.ts), so two devices write the same row.
 * `position` is the index of the first block on screen; `percent` the furthest read (0–100);
 * `secondsSpent` the reading time so far; `finishedAt` when the end was first reached (ms) or null.
 */
export const readingProgressData = v.object({
  materialId: uuid('materialId'),
  position: v.pipe(v.number(msg('position')), v.integer(msg('position')), v.minValue(0, msg('position')), v.maxValue(MATERIAL_BODY_MAX, msg('position'))),
  percent: v.pipe(v.number(msg('percent')), v.minValue(0, msg('percent')), v.maxValue(100, msg('percent'))),
  secondsSpent: v.pipe(v.number(msg('secondsSpent')), v.integer(msg('secondsSpent')), v.minValue(0, msg('secondsSpent')), v.maxValue(10_000_000, msg('secondsSpent'))),
  finishedAt: v.optional(v.nullable(v.pipe(v.number(msg('finishedAt')), v.integer(msg('finishedAt')), v.minValue(0, msg('finishedAt')), v.maxValue(Number.MAX_SAFE_INTEGER, msg('finishedAt'))))),
})
export type ReadingProgressData = v.InferOutput<typeof readingProgressData>

/**
 * What the server adds to a material row it sends. A pulled material carries no `body`: the app
 * downloads it from `GET /api/v1/materials/:id` (with progress), so a pull stays small.
 */
export interface MaterialServerFields {
  authorName: string
  /** Characters in the body, and its size in UTF-8 bytes (what the phone will keep). */
  bodyChars: number
  bodyBytes: number
}

/** What the server adds to a problem row it sends: who reported it and where it stands. */
export interface ProblemServerFields {
  reporterName: string
  status: ProblemStatus
  ownerName: string | null
  resolution: string | null
  statusUpdatedAt: number | null
}

/** The `data` schema of each member table. */
export const recordDataSchemas = {
  studyCheckins: studyCheckinData,
  serviceLogs: serviceLogData,
  readingNotes: readingNoteData,
  problems: problemData,
  materials: materialData,
  readingProgress: readingProgressData,
  sessions: sessionData,
} as const satisfies Record<MemberTable, v.GenericSchema>

export interface RecordDataByTable {
  studyCheckins: StudyCheckinData
  serviceLogs: ServiceLogData
  readingNotes: ReadingNoteData
  problems: ProblemData
  materials: MaterialData
  readingProgress: ReadingProgressData
  sessions: SessionData
}

/** Fields the server sets on every row it sends back (`week` only where the row has a `date`). */
export interface ServerFields {
  memberId: string
  branchId: string
  week?: string
}

/** One problem with one field, `path` as the protocol writes it (`data.minutes`). */
export interface FieldIssue {
  path: string
  message: string
}

/** Turns valibot issues into protocol `details`, paths prefixed (e.g. `data`). */
export function toFieldIssues(issues: readonly v.BaseIssue<unknown>[], prefix: string): FieldIssue[] {
  return issues.map((issue) => {
    const keys = (issue.path ?? []).map(item => String(item.key))
    return { path: [prefix, ...keys].filter(Boolean).join('.'), message: issue.message }
  })
}

/**
 * Validates a record's `data` for a table; on failure returns the issues with paths relative to
 * the change (`data.topic`) and messages in `lang`.
 */
export function validateRecordData<T extends MemberTable>(table: T, data: unknown, lang?: string):
  { ok: true, data: RecordDataByTable[T] } | { ok: false, issues: FieldIssue[] } {
  const result = v.safeParse(recordDataSchemas[table], data, { lang })
  if (result.success)
    return { ok: true, data: result.output as RecordDataByTable[T] }
  return { ok: false, issues: toFieldIssues(result.issues, 'data') }
}
