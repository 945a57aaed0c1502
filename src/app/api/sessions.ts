import type { BranchSessionDetailResponse, BranchSessionsResponse, LinkCheckinsResponse, MergeCheckinsRequest, MergeCheckinsResponse } from '@/domain/sessions'
import { queryString } from './branch'
import { apiRequest } from './client'

const sessionPath = (id: string) => `/branch/sessions/${encodeURIComponent(id)}`

/** The secretary's session views (`/api/v1/branch/sessions...`): online only, every method rejects with `ApiError`. */
export const sessionsApi = {
  /** The month's sessions with their attendance figures (出席/应到, 请假, 缺席). */
  month: (month: string) => apiRequest<BranchSessionsResponse>('GET', `/branch/sessions${queryString({ month })}`),
  /** One session's attendance lists: who attended (代签 marked), who is on leave, who is absent. */
  detail: (id: string) => apiRequest<BranchSessionDetailResponse>('GET', sessionPath(id)),
  /** Links check-ins of the branch (未关联活动的签到) to the session. */
  link: (id: string, checkinIds: readonly string[]) => apiRequest<LinkCheckinsResponse>('POST', `${sessionPath(id)}/link`, { checkinIds }),
  /** 合并为一次活动: a new session of that form and date with these check-ins linked (`id` is new, so a retry makes one). */
  merge: (request: MergeCheckinsRequest) => apiRequest<MergeCheckinsResponse>('POST', '/branch/sessions/merge', request),
}
