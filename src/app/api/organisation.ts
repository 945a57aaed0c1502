import type { MemberGroup, SummaryRecordsResponse, SummaryResponse } from '@/domain/branch'
import type {
  OrganisationCompletionResponse,
  OrganisationGridResponse,
  OrganisationInviteCodeResponse,
  OrganisationOverviewResponse,
  OrganisationProblemsResponse,
  OrganisationSignInResponse,
  OrganisationSummaryResponse,
} from '@/domain/organisation'
import type { ProblemCategory, ProblemStatus } from '@/domain/records'
import { apiRequest } from './client'

// `?a=1&b=2` of the given parameters, leaving out empty ones (as the branch API's; not imported, so
// the router's organisation guard does not pull the branch API into the entry chunk).
function queryString(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value)
      search.set(key, value)
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** The register's filters across branches; an empty value means any. */
export interface OrganisationProblemFilter {
  status?: ProblemStatus | ''
  category?: ProblemCategory | ''
  community?: string
  branchId?: string
}

let organisationToken: string | null = null

/** The organisation secretary's token the calls below send (the organisation store keeps it up to date). */
export function configureOrganisationApi(token: string | null): void {
  organisationToken = token
}

/** The organisation secretary's token now (for calls made outside this module, e.g. the report's). */
export const currentOrganisationToken = (): string | null => organisationToken

const get = <T>(path: string) => apiRequest<T>('GET', path, undefined, organisationToken)
const branchPath = (id: string) => `/organisation/branches/${encodeURIComponent(id)}`

/** The organisation secretary's endpoints (`/api/v1/organisation/...`, src/domain/organisation.ts): online only, every method rejects with `ApiError`. */
export const organisationApi = {
  /** `POST /organisation/join`: the organisation's invite code and a name make one more 组织管理员. */
  join: (inviteCode: string, name: string) => apiRequest<OrganisationSignInResponse>('POST', '/organisation/join', { inviteCode, name }, null),
  /** `POST /organisation/claim`: the admin command's one-time sign-in code. */
  claim: (code: string) => apiRequest<OrganisationSignInResponse>('POST', '/organisation/claim', { code }, null),
  overview: () => get<OrganisationOverviewResponse>('/organisation'),
  inviteCode: () => get<OrganisationInviteCodeResponse>('/organisation/invite-code'),
  /** A new invite code; the old one stops working. */
  rotateInviteCode: () => apiRequest<OrganisationInviteCodeResponse>('POST', '/organisation/invite-code', {}, organisationToken),
  completion: (week?: string) => get<OrganisationCompletionResponse>(`/organisation/completion${queryString({ week })}`),
  grid: (from: string, to: string, group: MemberGroup) => get<OrganisationGridResponse>(`/organisation/grid${queryString({ from, to, group })}`),
  problems: (filter: OrganisationProblemFilter) => get<OrganisationProblemsResponse>(`/organisation/problems${queryString({ ...filter })}`),
  summary: (month: string) => get<OrganisationSummaryResponse>(`/organisation/summary${queryString({ month })}`),
  branchSummary: (branchId: string, month: string) => get<SummaryResponse>(`${branchPath(branchId)}/summary${queryString({ month })}`),
  records: (branchId: string, month: string, figure: string) => get<SummaryRecordsResponse>(`${branchPath(branchId)}/summary/records${queryString({ month, figure })}`),
}
