import type { BranchRecord } from '../../domain/branch'
import type { ReportFigure, ReportResponse } from '../../domain/report'
import type { Storage } from '../storage'
import type { StoredReport } from '../storage/repositories/report-drafts'
import type { SummaryBranch } from './summary'
import { defaultParagraphs, reportFigures } from '../../domain/report'
import { figureSpec } from '../../domain/summary'
import { buildSummary } from './summary'

/**
 * A branch's report for a month: the stored draft (or the generated one while nothing is stored),
 * its figures live from the month's summary until 定稿, then the ones frozen with it.
 */
export async function branchReport(storage: Storage, branch: SummaryBranch, month: string, stored?: StoredReport | null): Promise<ReportResponse> {
  const kept = stored === undefined ? await storage.reports.get({ scope: 'branch', unitId: branch.id, month }) : stored ?? undefined
  if (kept?.figures)
    return respond(branch.name, month, kept, kept.figures)
  const summary = await buildSummary(storage, branch, month, 'zh-CN')
  const figures = reportFigures(summary)
  return kept ? respond(branch.name, month, kept, figures) : { month, unitName: branch.name, revision: 0, finalisedAt: null, finalisedOn: null, paragraphs: defaultParagraphs(branch.name, summary), figures }
}

function respond(unitName: string, month: string, kept: StoredReport, figures: ReportFigure[]): ReportResponse {
  return { month, unitName, revision: kept.revision, finalisedAt: kept.finalisedAt, finalisedOn: kept.finalisedOn, paragraphs: kept.paragraphs, figures }
}

/** The figures a report's paragraphs cite, in the order they first appear. */
export function citedFigures(report: ReportResponse): ReportFigure[] {
  const byKey = new Map(report.figures.map(f => [f.key, f]))
  const cited = new Map<string, ReportFigure>()
  for (const p of report.paragraphs) {
    for (const match of p.template.matchAll(/\{([\w.]+)\}/g)) {
      const figure = byKey.get(match[1]!)
      if (figure)
        cited.set(figure.key, figure)
    }
  }
  return [...cited.values()]
}

/** The live rows behind each summary figure the report cites (by summary key). */
export async function recordsBehind(storage: Storage, branch: SummaryBranch, report: ReportResponse): Promise<Map<string, BranchRecord[]>> {
  const rows = new Map<string, BranchRecord[]>()
  for (const figure of citedFigures(report)) {
    const spec = figureSpec(figure.recordsOf)
    if (spec && !rows.has(spec.key))
      rows.set(spec.key, await storage.summary.records({ branchId: branch.id, month: report.month, timeZone: branch.timeZone }, spec))
  }
  return rows
}
