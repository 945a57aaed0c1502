import type { ApiDownload } from './branch'
import type { OrganisationRecordsResponse, OrganisationReportResponse } from '@/domain/organisationReport'
import type { ReportResponse, ReportWriteRequest } from '@/domain/report'
import { downloadFile, queryString } from './branch'
import { apiRequest } from './client'
import { currentOrganisationToken } from './organisation'

/** The month's 阶段性总结 (issue #14): the draft, the secretary's writes over a revision, 定稿, files. */
export const reportApi = {
  /** The stored draft or 定稿, else the generated draft (revision 0). */
  get: (month: string) => apiRequest<ReportResponse>('GET', `/branch/report${queryString({ month })}`),
  /** Writes paragraphs over `revision`; a stale one rejects with ApiError code `conflict` (409). */
  save: (body: ReportWriteRequest) => apiRequest<ReportResponse>('PUT', '/branch/report', body),
  /** 定稿: freezes the text and the figures with the day. */
  finalise: (month: string, revision: number) => apiRequest<ReportResponse>('POST', '/branch/report/final', { month, revision }),
  /** The report as Word (公文 style) or Excel, with the server's file name. */
  export: (month: string, format: 'docx' | 'xlsx'): Promise<ApiDownload> => downloadFile(`/branch/report.${format}${queryString({ month })}`),
}

/** The 党组's 阶段性总结 (`/organisation/report`), as the branch's, with the organisation secretary's token. */
export const organisationReportApi = {
  get: (month: string) => apiRequest<OrganisationReportResponse>('GET', `/organisation/report${queryString({ month })}`, undefined, currentOrganisationToken()),
  save: (body: ReportWriteRequest) => apiRequest<OrganisationReportResponse>('PUT', '/organisation/report', body, currentOrganisationToken()),
  finalise: (month: string, revision: number) => apiRequest<OrganisationReportResponse>('POST', '/organisation/report/final', { month, revision }, currentOrganisationToken()),
  export: (month: string, format: 'docx' | 'xlsx'): Promise<ApiDownload> => downloadFile(`/organisation/report.${format}${queryString({ month })}`, currentOrganisationToken()),
  /** The rows behind one figure in every branch, each by the branch's own rule. */
  records: (month: string, figure: string) => apiRequest<OrganisationRecordsResponse>('GET', `/organisation/report/records${queryString({ month, figure })}`, undefined, currentOrganisationToken()),
}
