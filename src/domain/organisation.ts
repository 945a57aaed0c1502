import type { BranchProblem, SummaryFigure, SummaryResponse } from './branch'

/**
 * The level above the branches (issue #14): a 党委, 党组, 机关党委 or 党总支 with branches attached.
 * The seed's 阶段性总结 is written by a 党组 about all of its branches.
 */

export const ORGANISATION_KINDS = ['party_committee', 'leading_group', 'organ_committee', 'general_branch'] as const
export type OrganisationKind = typeof ORGANISATION_KINDS[number]

/** The kind's name as the report and the admin command write it. */
export const ORGANISATION_KIND_NAMES: Record<OrganisationKind, string> = {
  party_committee: '党委',
  leading_group: '党组',
  organ_committee: '机关党委',
  general_branch: '党总支',
}

/** A kind given as its code or its Chinese name (`党组`), or undefined. */
export function organisationKindOf(input: string): OrganisationKind | undefined {
  const text = input.trim()
  return ORGANISATION_KINDS.find(kind => kind === text || ORGANISATION_KIND_NAMES[kind] === text)
}

// ---- the organisation secretary's wire (GET /api/v1/organisation/…) -------------------------

/** `POST /organisation/join` `{inviteCode, name}` and `POST /organisation/claim` `{code}` answer this (201). */
export interface OrganisationSignInResponse {
  token: string
  secretary: { id: string, organisationId: string, name: string }
}

/** `GET /organisation`. */
export interface OrganisationOverviewResponse {
  organisation: { id: string, name: string, kind: OrganisationKind }
  secretary: { id: string, name: string }
  branches: { id: string, name: string }[]
}

/** `GET /organisation/invite-code` and `POST /organisation/invite-code` (a new one; the old one stops working). */
export interface OrganisationInviteCodeResponse {
  inviteCode: string
}

/** One branch's week in `GET /organisation/completion?week=`. */
export interface OrganisationBranchWeek {
  branchId: string
  name: string
  week: string
  total: number
  completed: number
  missing: { id: string, name: string }[]
}

export interface OrganisationCompletionResponse {
  branches: OrganisationBranchWeek[]
}

/** A week of one branch (or of the organisation) in the grid: members who studied of those counted, as /branch/grid's totals. */
export interface OrganisationGridCell {
  week: string
  studied: number
  total: number
  rate: number | null
}

/** One row of `GET /organisation/grid`: a branch, its weeks, and the range's sums. */
export interface OrganisationGridRow {
  branchId: string
  name: string
  cells: OrganisationGridCell[]
  /** Sum over the weeks of members who studied / members counted (member-weeks), and its rate. */
  studied: number
  possible: number
  rate: number | null
}

/** `GET /organisation/grid?from=&to=&group=`: one row per branch, and the organisation's row (sums; rates recomputed). */
export interface OrganisationGridResponse {
  from: string
  to: string
  group: 'all' | 'active' | 'retired'
  weeks: string[]
  branches: OrganisationGridRow[]
  organisation: Omit<OrganisationGridRow, 'branchId' | 'name'>
}

/** `GET /organisation/problems?status=&category=&community=&branchId=`: the register across branches, read only. */
export interface OrganisationProblemsResponse {
  /** Over the whole register of every branch (filters aside), like /branch/problems. */
  counts: { open: number, in_progress: number, solved: number, total: number }
  communities: string[]
  branches: { branchId: string, name: string, counts: { open: number, in_progress: number, solved: number, total: number } }[]
  problems: (BranchProblem & { branchId: string, branchName: string })[]
}

/** `GET /organisation/summary?month=`: the organisation as a whole and each branch's own summary beside it. */
export interface OrganisationSummaryResponse {
  month: string
  from: string
  to: string
  organisation: { figures: SummaryFigure[], sentences: string[] }
  branches: { branchId: string, name: string, summary: SummaryResponse }[]
}
