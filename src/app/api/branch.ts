import type {
  BranchMembersResponse,
  BranchOverviewResponse,
  BranchProblemsResponse,
  GridResponse,
  InviteKind,
  MemberGroup,
  MemberMergeResponse,
  MemberPatchRequest,
  MemberPatchResponse,
  MemberRecordsResponse,
  MemberRecordTable,
  ProblemPatchRequest,
  ProblemPatchResponse,
  ProxyEntryRequest,
  ProxyEntryResponse,
  RevokeDevicesResponse,
  RotateInviteCodeResponse,
  ServiceMonthsResponse,
  SummaryRecordsResponse,
  SummaryResponse,
} from '@/domain/branch'
import type { ProblemCategory, ProblemStatus } from '@/domain/records'
import { apiRequest, apiResponse } from './client'

/** A file the API sent (an export): its bytes and the name from `Content-Disposition`. */
export interface ApiDownload {
  blob: Blob
  filename: string | null
}

/** The file name a `Content-Disposition` header gives, preferring RFC 5987 `filename*` (UTF-8). */
export function dispositionFilename(header: string | null): string | null {
  if (!header)
    return null
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim())
    }
    catch {}
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain ? plain[1]!.trim() : null
}

/** `GET` a file with the bearer (a plain link cannot send it); rejects with `ApiError`. */
export async function downloadFile(path: string, token?: string | null): Promise<ApiDownload> {
  const response = await apiResponse('GET', path, undefined, '*/*', undefined, token)
  return { blob: await response.blob(), filename: dispositionFilename(response.headers.get('Content-Disposition')) }
}

/** The register's filters; an empty value means any. */
export interface ProblemFilter {
  status?: ProblemStatus | ''
  category?: ProblemCategory | ''
  community?: string
}

/** `?a=1&b=2` of the given parameters, leaving out empty ones. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '')
      search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

const memberPath = (id: string) => `/branch/members/${encodeURIComponent(id)}`

/** The secretary's endpoints (`/api/v1/branch/...`, src/domain/branch.ts): online only, every method rejects with `ApiError`. */
export const branchApi = {
  /** The branch, its invite codes, head counts and this month's Party birthdays. */
  overview: () => apiRequest<BranchOverviewResponse>('GET', '/branch'),
  /** A new invite code of that kind; the old one stops working. */
  rotateInviteCode: (kind: InviteKind) => apiRequest<RotateInviteCodeResponse>('POST', '/branch/invite-codes', { kind }),
  members: () => apiRequest<BranchMembersResponse>('GET', '/branch/members'),
  /** 退休/在职, 入党日期, 书记; answers the member as it now is. */
  updateMember: (id: string, patch: MemberPatchRequest) => apiRequest<MemberPatchResponse>('PATCH', memberPath(id), patch),
  /** 合并到…: the member `id` (a duplicate) becomes `into`, with its records and devices; answers the merged member. */
  mergeMember: (id: string, into: string) => apiRequest<MemberMergeResponse>('POST', `${memberPath(id)}/merge`, { into }),
  /** Every device of the member signs out at once: its next call is 401. */
  revokeDevices: (id: string) => apiRequest<RevokeDevicesResponse>('POST', `${memberPath(id)}/revoke-devices`),
  /** The member (as listed) and their rows of one table, newest first. */
  memberRecords: (id: string, table: MemberRecordTable, range: { from?: string, to?: string } = {}) =>
    apiRequest<MemberRecordsResponse>('GET', `${memberPath(id)}/records${queryString({ table, ...range })}`),
  /** 代录: a record the secretary enters on the member's behalf; it is the member's row. */
  enterRecord: (id: string, entry: ProxyEntryRequest) => apiRequest<ProxyEntryResponse>('POST', `${memberPath(id)}/records`, entry),
  grid: (range: { from?: string, to?: string, group?: MemberGroup }) => apiRequest<GridResponse>('GET', `/branch/grid${queryString(range)}`),
  serviceMonths: (range: { from?: string, to?: string }) => apiRequest<ServiceMonthsResponse>('GET', `/branch/service-months${queryString(range)}`),
  problems: (filter: ProblemFilter = {}) => apiRequest<BranchProblemsResponse>('GET', `/branch/problems${queryString({ ...filter })}`),
  /** Sets status, 负责人 and 办理结果; the problem gets a new rev, so every member pulls it. */
  updateProblem: (id: string, patch: ProblemPatchRequest) => apiRequest<ProblemPatchResponse>('PATCH', `/branch/problems/${encodeURIComponent(id)}`, patch),
  summary: (month: string) => apiRequest<SummaryResponse>('GET', `/branch/summary${queryString({ month })}`),
  /** The rows a summary figure counts. */
  summaryRecords: (month: string, figure: string) => apiRequest<SummaryRecordsResponse>('GET', `/branch/summary/records${queryString({ month, figure })}`),
  /** The month's summary as a file (`.docx` draft, or CSV with BOM for Excel), with the server's file name. */
  exportSummary: (month: string, format: 'docx' | 'csv'): Promise<ApiDownload> => downloadFile(`/branch/summary.${format}${queryString({ month })}`),
}
