import type { BranchSessionDetailResponse, BranchSessionsResponse } from '@/domain/sessions'
import { queryString } from './branch'
import { apiRequest } from './client'

const sessionPath = (id: string) => `/branch/sessions/${encodeURIComponent(id)}`

/** The secretary's session views (`/api/v1/branch/sessions...`): online only, every method rejects with `ApiError`. */
export const sessionsApi = {
  /** The month's sessions with their attendance figures (出席/应到, 请假, 缺席). */
  month: (month: string) => apiRequest<BranchSessionsResponse>('GET', `/branch/sessions${queryString({ month })}`),
  /** One session's attendance lists: who attended (代签 marked), who is on leave, who is absent. */
  detail: (id: string) => apiRequest<BranchSessionDetailResponse>('GET', sessionPath(id)),
}
