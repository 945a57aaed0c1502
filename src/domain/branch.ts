import type { ProblemCategory, ProblemStatus, ReadingNoteData, ServiceLogData, StudyCheckinData } from './records'
import type { Role } from './wire'

/**
 * The secretary's branch views (`/api/v1/branch/...`, issue #5): request and response bodies the
 * server's routes and the app's client both type against. Every endpoint is secretary-only.
 */

/** The completion grid's default range (weeks back to the current one) and its widest range. */
export const GRID_DEFAULT_WEEKS = 12
export const GRID_MAX_WEEKS = 104
/** A service-months range is at most this many months. */
export const SERVICE_MONTHS_MAX = 36

/** Which members a grid shows: everyone, those in work (在职), or the retired (退休). */
export const MEMBER_GROUPS = ['all', 'active', 'retired'] as const
export type MemberGroup = typeof MEMBER_GROUPS[number]

export const INVITE_KINDS = ['member', 'secretary'] as const
export type InviteKind = typeof INVITE_KINDS[number]

// ---- GET /branch ----------------------------------------------------------------------------

export interface BranchInfo {
  id: string
  name: string
  memberInviteCode: string
  secretaryInviteCode: string
  timeZone: string
}

/** A member whose Party birthday (the month and day of `partyJoinDate`) falls in the current month. */
export interface PartyBirthday {
  id: string
  name: string
  partyJoinDate: string
  /** Full years in the Party on this year's birthday. */
  years: number
}

export interface BranchOverviewResponse {
  branch: BranchInfo
  /** `members`: everyone in the branch (retired included); `retired` and `secretaries` are among them. */
  counts: { members: number, retired: number, secretaries: number }
  /** Sorted by day of the month, then name. */
  partyBirthdaysThisMonth: PartyBirthday[]
}

// ---- POST /branch/invite-codes --------------------------------------------------------------

export interface RotateInviteCodeRequest { kind: InviteKind }
/** The new code of that kind; the old one stops working at once. */
export interface RotateInviteCodeResponse { kind: InviteKind, code: string }

// ---- members --------------------------------------------------------------------------------

export interface BranchMember {
  id: string
  name: string
  role: Role
  retired: boolean
  /** 入党日期 `YYYY-MM-DD`, or null when not entered. */
  partyJoinDate: string | null
  /** When the member joined the branch in the app (ms). */
  joinedAt: number
  /** Tokens (devices) not revoked. */
  activeDevices: number
  /** The member's last change that reached the server (ms, server clock), or null. */
  lastSyncAt: number | null
}

/** `GET /branch/members`: sorted secretaries first, then by name. */
export interface BranchMembersResponse { members: BranchMember[] }

/** `PATCH /branch/members/:id`: any subset; unmaking the branch's last secretary is refused at `role`. */
export interface MemberPatchRequest {
  retired?: boolean
  partyJoinDate?: string | null
  role?: Role
}
/** The member as it now is. */
export type MemberPatchResponse = BranchMember

/** `POST /branch/members/:id/revoke-devices`: how many live tokens were revoked (the member's next call is 401). */
export interface RevokeDevicesResponse { revoked: number }

// ---- records (a member's list, a figure's rows, 代录) ---------------------------------------

/** Tables a secretary can list for a member. */
export const MEMBER_RECORD_TABLES = ['studyCheckins', 'serviceLogs', 'readingNotes'] as const
export type MemberRecordTable = typeof MEMBER_RECORD_TABLES[number]

/** Tables a secretary can write for a member (代录). */
export const PROXY_ENTRY_TABLES = ['studyCheckins', 'serviceLogs'] as const
export type ProxyEntryTable = typeof PROXY_ENTRY_TABLES[number]

/** Who entered a row on the member's behalf (代录), sent with pulled study and service rows. */
export interface EnteredByFields {
  /** The secretary's name when a secretary entered the row for the member, else null. */
  enteredByName: string | null
}

/** A problem as the branch register shows it. */
export interface BranchProblem {
  id: string
  date: string
  week: string
  community: string
  category: ProblemCategory
  title: string
  detail: string
  status: ProblemStatus
  ownerName: string | null
  resolution: string | null
  reporterId: string
  reporterName: string
  statusUpdatedAt: number | null
  /** The day the current status took effect (`YYYY-MM-DD`), or null while it was never set. */
  statusDate: string | null
  updatedAt: number
}

interface BranchRecordBase {
  id: string
  memberId: string
  memberName: string
  updatedAt: number
}

/** One live row behind a list or a figure; `data` is the record's own fields plus server fields. */
export type BranchRecord
  = | (BranchRecordBase & { table: 'studyCheckins', data: StudyCheckinData & EnteredByFields & { week: string } })
    | (BranchRecordBase & { table: 'serviceLogs', data: ServiceLogData & EnteredByFields & { week: string } })
    | (BranchRecordBase & { table: 'readingNotes', data: ReadingNoteData })
    | (BranchRecordBase & { table: 'problems', data: BranchProblem })

/**
 * `GET /branch/members/:id/records?table=&from=&to=` (`from`/`to` optional `YYYY-MM-DD`, inclusive;
 * for reading notes they bound the day of `updatedAt` in the branch's time zone). Newest first.
 */
export interface MemberRecordsResponse {
  member: BranchMember
  table: MemberRecordTable
  records: BranchRecord[]
}

/** `POST /branch/members/:id/records` (代录): the same `id` again is harmless. */
export type ProxyEntryRequest
  = | { table: 'studyCheckins', id: string, updatedAt: number, data: StudyCheckinData }
    | { table: 'serviceLogs', id: string, updatedAt: number, data: ServiceLogData }
/** `201`; `stale` when the stored row is newer (the member's own later edit wins). */
export interface ProxyEntryResponse { result: 'applied' | 'stale', rev: number }

// ---- GET /branch/grid -----------------------------------------------------------------------

export interface GridCell {
  studied: boolean
  minutes: number
  checkins: number
  /** Whether the member was in the branch, and in the grid's group, that week (else the cell is empty and counts nowhere). */
  counted: boolean
}

export interface GridMember {
  id: string
  name: string
  role: Role
  /** The status today; a week's own status is in its cell's `counted` for a group. */
  retired: boolean
  /** 入支部日期 and 转出/离开 (see `MemberHistory`). */
  joinedOn: string
  leftOn: string | null
  /** One cell per entry of `weeks`, in the same order. */
  cells: GridCell[]
  weeksStudied: number
  minutes: number
}

export interface GridWeekTotal {
  week: string
  /** Members of the group who studied that week, of `total` (the group's members that week, from the membership history). */
  studied: number
  total: number
  /** Percent with one decimal (93.3), or null when the group is empty. */
  rate: number | null
}

/** `?from=YYYY-Www&to=YYYY-Www&group=` (default: the 12 weeks up to the current one, `all`). */
export interface GridResponse {
  from: string
  to: string
  group: MemberGroup
  weeks: string[]
  /** Not-studied-this-range first is the app's choice; the server sorts by name. */
  members: GridMember[]
  totals: GridWeekTotal[]
}

// ---- GET /branch/service-months --------------------------------------------------------------

export interface ServiceMonth {
  month: string
  hours: number
  /** 人次: live service logs dated in the month. */
  count: number
  /** Distinct members with one. */
  members: number
}
/** `?from=YYYY-MM&to=YYYY-MM` (default: the 12 months up to the current one): every month of the range, oldest first. */
export type ServiceMonthsResponse = ServiceMonth[]

// ---- problems -------------------------------------------------------------------------------

/** `GET /branch/problems?status=&category=&community=`: counts are over the whole branch, the list is filtered; newest date first. */
export interface BranchProblemsResponse {
  counts: { open: number, in_progress: number, solved: number, total: number }
  communities: string[]
  problems: BranchProblem[]
}

/** How far back a problem's status date may go (a change entered late, not history rewritten). */
export const STATUS_DATE_MAX_DAYS_BACK = 60

/** `PATCH /branch/problems/:id`: `ownerName` ≤ 40 and `resolution` ≤ 2000 characters; blank clears them. */
export interface ProblemPatchRequest {
  status: ProblemStatus
  /** The day the status took effect: today by default, at most 60 days back, never in the future. */
  statusDate?: string
  ownerName?: string | null
  resolution?: string | null
}
/** The problem as it now is (it has a new rev, so every member pulls it). */
export type ProblemPatchResponse = BranchProblem

// ---- summary ---------------------------------------------------------------------------------

export interface SummaryFigure {
  /** Stable key, e.g. `branchStudy.held`, `service.byActivity.visit` (see src/domain/summary.ts). */
  key: string
  /** In the request's language. */
  label: string
  value: number
  /** 次, 人次, 人, %, 小时, 个, 篇 (zh-CN) or its English word. */
  unit?: string
  /** The seed report's monthly target, where it sets one. */
  target?: number
  /** How the value was reached, e.g. `112/120`. */
  detail?: string
}

/** `GET /branch/summary?month=YYYY-MM` (default: last month). */
export interface SummaryResponse {
  month: string
  /** The month's first and last day. */
  from: string
  to: string
  figures: SummaryFigure[]
  /** zh-CN sentences in the report's style, ready to paste. */
  sentences: string[]
}

/** `GET /branch/summary/records?month=&figure=<key>`: the rows a figure counts (newest first). */
export interface SummaryRecordsResponse {
  month: string
  figure: SummaryFigure
  records: BranchRecord[]
}

// ---- membership history (issue #12) ---------------------------------------------------------

/** Why a member left the branch: 转出 (transferred), 去世 (died), 其他. */
export const LEAVE_REASONS = ['transfer', 'death', 'other'] as const
export type LeaveReason = typeof LEAVE_REASONS[number]

/** 在职 or 退休 from `from` (`YYYY-MM-DD`) until the next change. */
export interface MemberStatusChange {
  id: string
  retired: boolean
  from: string
  /** When the secretary entered it (ms). */
  createdAt: number
}

/**
 * `GET /branch/members/:id/history`: the member is in the branch from `joinedOn` (入支部日期) up to
 * the day before `leftOn` (转出/离开), and has each status from its `from` on. Oldest change first.
 */
export interface MemberHistory {
  id: string
  name: string
  joinedOn: string
  leftOn: string | null
  leftReason: LeaveReason | null
  /** The status today (the same as `BranchMember.retired`). */
  retired: boolean
  statuses: MemberStatusChange[]
}

/** `PATCH /branch/members/:id/membership`: any subset; `leftOn: null` takes the member back. */
export interface MembershipPatchRequest {
  joinedOn?: string
  leftOn?: string | null
  /** Required with a `leftOn`; `other` by default. */
  leftReason?: LeaveReason
}

/** `POST /branch/members/:id/status`: 在职/退休 from a day (not before joining, not after today). */
export interface StatusChangeRequest {
  retired: boolean
  from: string
}

/** `GET /branch/former-members`: members who left, the latest first. */
export interface FormerMembersResponse {
  members: { id: string, name: string, joinedOn: string, leftOn: string, leftReason: LeaveReason }[]
}

/** `POST /branch/members/:id/merge` (合并到…): the member `:id` (a duplicate) becomes `into`. */
export interface MemberMergeRequest {
  into: string
}

/** What a merge moved: the duplicate's rows per table, and the derived rows both had (the duplicate's became tombstones). */
export interface MemberMergeCounts {
  moved: Record<'studyCheckins' | 'serviceLogs' | 'readingNotes' | 'readingProgress' | 'problems' | 'materials' | 'sessions', number>
  reconciled: { homeStudy: number, readingProgress: number }
}

/** The merged member as the list shows it now, and the counts. */
export interface MemberMergeResponse extends MemberMergeCounts {
  member: BranchMember
}
