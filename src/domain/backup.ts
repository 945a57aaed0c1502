import type { MaterialCategory, MemberTable, ProblemCategory, ProblemStatus, ServiceActivity, StudyForm } from './records'
import type { SessionForm } from './sessions'
import type { MemberInfo } from './wire'
import * as v from 'valibot'
import { MEMBER_TABLES, UUID_RE, validateRecordData } from './records'

/**
 * The member's backup file (导出我的记录): every own record of every table, with its sync state, and
 * the login (`session`) so a new phone can be restored from it alone. Also CSV per table for Excel,
 * and the merge rule an import follows. Pure: the app reads and writes IndexedDB around it.
 */

export const BACKUP_FORMAT = 'study-log-backup'
export const BACKUP_VERSION = 1

/** One record in a backup: the protocol's `data`, its bookkeeping, and server-set fields (a problem's status). */
export interface BackupRow {
  id: string
  updatedAt: number
  deleted: boolean
  sync: 'pending' | 'synced' | 'rejected'
  data: Record<string, unknown>
  serverFields?: Record<string, unknown>
}

export interface BackupFile {
  format: typeof BACKUP_FORMAT
  version: typeof BACKUP_VERSION
  /** ISO-8601 time of the export. */
  exportedAt: string
  member: { id: string, name: string, branchName: string }
  /**
   * The member's login key; whoever holds the file can sign in as the member. `member.idSeed`
   * (added later, optional: older backups lack it) is the member's secret seed of derived ids.
   */
  session?: { token: string, member: MemberInfo & { idSeed?: string } }
  records: { [T in MemberTable]?: BackupRow[] }
}

const backupRowSchema = v.object({
  id: v.pipe(v.string(), v.regex(UUID_RE)),
  updatedAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
  deleted: v.boolean(),
  sync: v.picklist(['pending', 'synced', 'rejected']),
  data: v.record(v.string(), v.unknown()),
  serverFields: v.optional(v.record(v.string(), v.unknown())),
})

const memberInfoSchema = v.object({
  id: v.string(),
  name: v.string(),
  role: v.picklist(['member', 'secretary']),
  branchId: v.string(),
  branchName: v.string(),
  idSeed: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{32,128}$/))),
})

/** The shape of a backup file (record `data` is checked per table by `parseBackup`). */
export const backupSchema = v.object({
  format: v.literal(BACKUP_FORMAT),
  version: v.literal(BACKUP_VERSION),
  exportedAt: v.string(),
  member: v.object({ id: v.string(), name: v.string(), branchName: v.string() }),
  session: v.optional(v.object({ token: v.pipe(v.string(), v.minLength(1)), member: memberInfoSchema })),
  records: v.object(Object.fromEntries(MEMBER_TABLES.map(table => [table, v.optional(v.array(backupRowSchema))])) as Record<MemberTable, v.OptionalSchema<v.ArraySchema<typeof backupRowSchema, undefined>, undefined>>),
})

const messages = {
  'zh-CN': {
    notJson: '这不是学习打卡的备份文件（无法读取为 JSON）',
    notBackup: '这不是学习打卡的备份文件',
    badRecord: (where: string, detail: string) => `备份文件中的记录有误（${where}）：${detail}`,
    otherMember: '这是另一位党员的备份',
    noSession: '这份备份不含登录信息，无法用于恢复',
  },
  'en': {
    notJson: 'This is not a Study Log backup (it is not JSON)',
    notBackup: 'This is not a Study Log backup file',
    badRecord: (where: string, detail: string) => `A record in the backup is invalid (${where}): ${detail}`,
    otherMember: 'This backup belongs to another member',
    noSession: 'This backup carries no login and cannot restore a device',
  },
} as const

function say(lang: string | undefined) {
  return lang?.toLowerCase().startsWith('en') ? messages.en : messages['zh-CN']
}

/** A file that is not a usable backup; `message` says what is wrong, in the requested language. */
export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupFormatError'
  }
}

/** The backup belongs to a different member than the one signed in (这是另一位党员的备份). */
export class BackupMemberError extends Error {
  constructor(lang?: string) {
    super(say(lang).otherMember)
    this.name = 'BackupMemberError'
  }
}

/** A message for a backup with no login used to restore a device. */
export function noSessionMessage(lang?: string): string {
  return say(lang).noSession
}

/**
 * Reads a backup file's text. Throws `BackupFormatError` for anything else: not JSON, another
 * format or version, or a record whose `data` the domain schema refuses (refused records the
 * server already turned down are kept as they are, to be fixed by the member).
 */
export function parseBackup(text: string, lang?: string): BackupFile {
  const m = say(lang)
  let raw: unknown
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''))
  }
  catch {
    throw new BackupFormatError(m.notJson)
  }
  const parsed = v.safeParse(backupSchema, raw)
  if (!parsed.success) {
    const issue = parsed.issues[0]!
    const path = (issue.path ?? []).map(item => String(item.key)).join('.')
    if (!path || path === 'format' || path === 'version')
      throw new BackupFormatError(m.notBackup)
    throw new BackupFormatError(m.badRecord(path, issue.message))
  }
  const backup = parsed.output as BackupFile
  for (const table of MEMBER_TABLES) {
    for (const [i, row] of (backup.records[table] ?? []).entries()) {
      if (row.sync === 'rejected' || row.deleted)
        continue
      const checked = validateRecordData(table, row.data, lang)
      if (!checked.ok)
        throw new BackupFormatError(m.badRecord(`${table}[${i}]`, checked.issues.map(issue => `${issue.path} ${issue.message}`).join('；')))
    }
  }
  return backup
}

/** What an import does with one backup row given the local copy: by id, the newer `updatedAt` wins. */
export type MergeDecision = 'add' | 'update' | 'skip'

/** Adds a row the device lacks, replaces an older local copy, and skips an equal or newer one. */
export function mergeDecision(local: { updatedAt: number } | undefined, incoming: { updatedAt: number }): MergeDecision {
  if (!local)
    return 'add'
  return incoming.updatedAt > local.updatedAt ? 'update' : 'skip'
}

const FORM_LABELS: Record<StudyForm, string> = {
  branch_study: '支部集中学习',
  party_lecture: '专题党课',
  party_day: '主题党日',
  reading_class: '读书班',
  seminar: '专题研讨',
  exchange: '学习交流',
  training: '专题培训',
  self_study: '个人自学',
  home_study: '居家学习',
}
const ACTIVITY_LABELS: Record<ServiceActivity, string> = { publicity: '宣讲', visit: '走访慰问', volunteer: '志愿服务', charity_purchase: '爱心消费', other: '其他' }
const CATEGORY_LABELS: Record<ProblemCategory, string> = { livelihood: '民生', environment: '环境', employment: '就业', other: '其他' }
const STATUS_LABELS: Record<ProblemStatus, string> = { open: '待解决', in_progress: '推进中', solved: '已解决' }
const MATERIAL_LABELS: Record<MaterialCategory, string> = { classic: '原著原文', speech: '重要讲话', guidance: '学习辅导', notice: '支部通知' }
const SESSION_LABELS: Record<SessionForm, string> = {
  branch_study: '支部集中学习',
  party_congress: '支部党员大会',
  committee: '支部委员会',
  group_meeting: '党小组会',
  party_lecture: '专题党课',
  party_day: '主题党日',
  reading_class: '读书班',
  seminar: '专题研讨',
  exchange: '学习交流',
  training: '专题培训',
}

type Cell = string | number | null | undefined
type Column = [header: string, value: (row: BackupRow) => Cell]

const label = (labels: Record<string, string>, value: unknown): string => labels[String(value)] ?? String(value ?? '')
const field = (key: string) => (row: BackupRow): Cell => row.data[key] as Cell

/** The CSV columns of each table: Chinese headers, enum values in Chinese. */
export const CSV_COLUMNS: Record<MemberTable, Column[]> = {
  studyCheckins: [
    ['日期', field('date')],
    ['学习形式', row => label(FORM_LABELS, row.data.form)],
    ['主题', field('topic')],
    ['时长（分钟）', field('minutes')],
    ['备注', field('note')],
  ],
  serviceLogs: [
    ['日期', field('date')],
    ['报到社区', field('community')],
    ['服务类型', row => label(ACTIVITY_LABELS, row.data.activity)],
    ['时长（小时）', field('hours')],
    ['服务人数', field('peopleServed')],
    ['服务内容', field('description')],
  ],
  readingNotes: [
    ['书名或篇目', field('title')],
    ['出处', field('source')],
    ['原文摘抄', field('excerpt')],
    ['心得体会', field('reflection')],
    ['字数', row => [...String(row.data.reflection ?? '')].length],
  ],
  problems: [
    ['日期', field('date')],
    ['所在社区', field('community')],
    ['问题类别', row => label(CATEGORY_LABELS, row.data.category)],
    ['问题标题', field('title')],
    ['问题详情', field('detail')],
    ['状态', row => label(STATUS_LABELS, row.serverFields?.status ?? 'open')],
  ],
  materials: [
    ['标题', field('title')],
    ['类别', row => label(MATERIAL_LABELS, row.data.category)],
    ['学习截止日期', field('studyBy')],
    ['正文', field('body')],
  ],
  readingProgress: [
    ['资料 ID', field('materialId')],
    ['阅读进度（%）', field('percent')],
    ['阅读时长（秒）', field('secondsSpent')],
  ],
  sessions: [
    ['日期', field('date')],
    ['结束日期', field('endDate')],
    ['时间', field('time')],
    ['活动形式', row => label(SESSION_LABELS, row.data.form)],
    ['主题', field('topic')],
    ['地点', field('place')],
    ['主持人', field('host')],
    ['主讲人', field('speaker')],
    ['签到码', field('code')],
    ['会议记录', field('minutes')],
  ],
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break (quotes doubled). Text that a
 * spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe.
 */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined)
    return ''
  if (typeof value === 'number')
    return String(value)
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** A table's live rows as CSV for Excel: UTF-8 BOM, Chinese headers, CRLF lines; tombstones left out. */
export function backupCsv(table: MemberTable, rows: readonly BackupRow[]): string {
  const columns = CSV_COLUMNS[table]
  const lines = [columns.map(([header]) => csvCell(header)).join(',')]
  for (const row of rows) {
    if (!row.deleted)
      lines.push(columns.map(([, value]) => csvCell(value(row))).join(','))
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
