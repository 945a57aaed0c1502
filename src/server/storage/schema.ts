import type { Generated } from 'kysely'

/**
 * The database's tables as Kysely sees them. Timestamps are integer milliseconds (bigint);
 * `deleted` is 0/1 so the same queries run on SQLite (no boolean type) and PostgreSQL.
 */

export interface BranchesTable {
  id: string
  name: string
  time_zone: string
  member_invite_code: string
  secretary_invite_code: string
  created_at: number
  /** The organisation (党委, 党组, …) the branch belongs to (migration 0015), or null. */
  organisation_id?: string | null
}

/** A 党委, 党组, 机关党委 or 党总支 above branches (migration 0015); `kind` one of ORGANISATION_KINDS. */
export interface OrganisationsTable {
  id: string
  name: string
  kind: 'party_committee' | 'leading_group' | 'organ_committee' | 'general_branch'
  created_at: number
  /** The invite code that makes an organisation secretary (migration 0017), readable like a branch's codes. */
  invite_code?: string | null
}

/** An organisation secretary (组织管理员, migration 0016): no member, no branch; `code_*` its one-time sign-in code. */
export interface OrganisationSecretariesTable {
  id: string
  organisation_id: string
  name: string
  created_at: number
  code_hash: string | null
  code_expires_at: number | null
  code_used_at: number | null
}

/** An organisation secretary's bearer tokens (migration 0016), by sha256 only. */
export interface OrganisationTokensTable {
  token_hash: string
  secretary_id: string
  created_at: number
  revoked_at: number | null
}

export interface MembersTable {
  id: string
  branch_id: string
  name: string
  role: 'member' | 'secretary'
  /** 'merged': a duplicate merged into `merged_into` (合并到…); it is in no list and no figure. */
  status: 'active' | 'left' | 'merged'
  created_at: number
  /** 0/1: 退休 (retired members study at home; the grid can show them apart). */
  retired: number
  /** 入党日期 `YYYY-MM-DD` (the Party birthday), or null. */
  party_join_date: string | null
  /** Secret seed of the member's derived ids (hex); sent only to the member's own devices. Null only for a row written by code older than migration 0008. */
  id_seed: string | null
  /** 入支部日期 `YYYY-MM-DD` in the branch's time zone; null only for a row written by code that does not set it (read as the day of `created_at`). */
  joined_on: string | null
  /** 转出/离开: the first day the member is no longer in the branch (`YYYY-MM-DD`), or null. `status` is 'left' exactly when it is set. */
  left_on: string | null
  left_reason: 'transfer' | 'death' | 'other' | null
  /** The member this duplicate was merged into (migration 0012), or null; its records, devices and history are that member's. */
  merged_into?: string | null
  merged_at?: number | null
}

export interface MemberTokensTable {
  /** sha256 hex of the bearer token; the token itself is never stored. */
  token_hash: string
  member_id: string
  created_at: number
  revoked_at: number | null
  /** Last authenticated request with this token (ms, written at most once a minute). */
  last_seen_at: number | null
  /** The device's public id (members and secretaries name a device by it, never by its hash). Null only for a row written by code older than migration 0010. */
  device_id: string | null
  /** From the browser's User-Agent when issued (`deviceNameFrom`), or null. */
  device_name: string | null
}

/** One-time codes that sign a phone in as an existing member (issue #12): stored hashed, used once. */
export interface SignInCodesTable {
  /** sha256 hex of the normalised code. */
  code_hash: string
  member_id: string
  kind: 'claim' | 'device'
  /** The secretary (for `claim`) or the member (for `device`) who made it. */
  created_by: string
  created_at: number
  expires_at: number
  used_at: number | null
}

export interface SetupCodesTable {
  code_hash: string
  created_at: number
  used_at: number | null
}

export interface CountersTable {
  name: string
  value: number
}

/** Columns every synced member record carries. */
export interface RecordColumns {
  id: string
  member_id: string
  branch_id: string
  updated_at: number
  client_id: string
  deleted: number
  rev: number
}

export interface StudyCheckinsTable extends RecordColumns {
  date: string | null
  week: string | null
  form: string | null
  topic: string | null
  minutes: number | null
  material_id: string | null
  note: string | null
  /** The secretary who entered the row for its member (代录), or null. */
  entered_by: string | null
  /** 签到 (migration 0013): the session named, and the 签到码 typed; attendance is derived when read. */
  session_id: string | null
  session_code: string | null
}

export interface ServiceLogsTable extends RecordColumns {
  date: string | null
  week: string | null
  community: string | null
  activity: string | null
  hours: number | null
  people_served: number | null
  description: string | null
  /** The secretary who entered the row for its member (代录), or null. */
  entered_by: string | null
}

export interface ReadingNotesTable extends RecordColumns {
  title: string | null
  source: string | null
  excerpt: string | null
  reflection: string | null
  material_id: string | null
}

export interface ProblemsTable extends RecordColumns {
  date: string | null
  week: string | null
  community: string | null
  category: string | null
  title: string | null
  detail: string | null
  /** Never written by a member's push; 'open' until the secretary moves it. */
  status: Generated<'open' | 'in_progress' | 'solved'>
  owner_name: string | null
  resolution: string | null
  status_updated_at: number | null
}

/** A study material; on a tombstone every content column is null. */
export interface MaterialsTable extends RecordColumns {
  title: string | null
  category: string | null
  body: string | null
  study_by: string | null
  published_at: number | null
  /** Kept at write time so a pull reports the size without reading the body. */
  body_chars: number | null
  body_bytes: number | null
}

export interface ReadingProgressTable extends RecordColumns {
  material_id: string | null
  position: number | null
  percent: number | null
  seconds_spent: number | null
  finished_at: number | null
}

/** A session of the branch (组织生活, migration 0013); on a tombstone every content column is null. */
export interface SessionsTable extends RecordColumns {
  date: string | null
  week: string | null
  form: string | null
  topic: string | null
  end_date: string | null
  time: string | null
  place: string | null
  host: string | null
  speaker: string | null
  /** JSON array of material ids, or null. */
  material_ids: string | null
  code: string | null
  /** 会议记录. */
  meeting_minutes: string | null
  /** JSON array of `{ memberId, reason }` (请假), or null. */
  leaves: string | null
}

/** Each status a secretary gave a problem, so its status at any past instant is known. */
export interface ProblemStatusChangesTable {
  id: string
  problem_id: string
  branch_id: string
  status: 'open' | 'in_progress' | 'solved'
  changed_at: number
  changed_by: string
  /** The day the status took effect (`YYYY-MM-DD`, branch time zone); the month's figures count by it. */
  effective_on: string | null
}

/** 在职/退休 from a day on: the member's status on a day is the latest change effective on or before it. */
export interface MemberStatusChangesTable {
  id: string
  member_id: string
  branch_id: string
  /** 0/1, like `members.retired` (which keeps the status as of today). */
  retired: number
  effective_on: string
  created_at: number
  changed_by: string | null
}

/** A month's 阶段性总结 draft of a unit (a branch now), finalised or not (migration 0014). */
export interface ReportDraftsTable {
  scope: 'branch' | 'organisation'
  unit_id: string
  month: string
  revision: number
  /** JSON `ReportParagraph[]`. */
  paragraphs: string
  /** JSON `ReportFigure[]` frozen at 定稿, else null (the figures are live). */
  figures: string | null
  finalised_at: number | null
  finalised_on: string | null
  finalised_by: string | null
  updated_at: number
  updated_by: string
  /** An organisation report's per-branch figures frozen at 定稿 (migration 0019): JSON `[{ branchId, name, figures }]`, else null. */
  branch_figures?: string | null
}

/** A member who moved to another branch of the organisation (migration 0019): the row that left, and the row that joined. */
export interface MemberTransfersTable {
  from_member_id: string
  to_member_id: string
  created_at: number
}

export interface Database {
  branches: BranchesTable
  organisations: OrganisationsTable
  organisation_secretaries: OrganisationSecretariesTable
  organisation_tokens: OrganisationTokensTable
  members: MembersTable
  member_tokens: MemberTokensTable
  sign_in_codes: SignInCodesTable
  setup_codes: SetupCodesTable
  counters: CountersTable
  study_checkins: StudyCheckinsTable
  service_logs: ServiceLogsTable
  reading_notes: ReadingNotesTable
  problems: ProblemsTable
  problem_status_changes: ProblemStatusChangesTable
  member_status_changes: MemberStatusChangesTable
  materials: MaterialsTable
  reading_progress: ReadingProgressTable
  sessions: SessionsTable
  report_drafts: ReportDraftsTable
  member_transfers: MemberTransfersTable
}
