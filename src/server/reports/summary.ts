import type { SummaryFigure, SummaryResponse } from '../../domain/branch'
import type { Locale } from '../../domain/locale'
import type { Storage } from '../storage'
import { monthRange, SUMMARY_FIGURES, summarySentences, UNIT_LABELS } from '../../domain/summary'

/** The branch a summary is for: its id, name and time zone (months are calendar months there). */
export interface SummaryBranch {
  id: string
  name: string
  timeZone: string
}

/** A month's figures (labels in `locale`) and the zh-CN sentences made of them. */
export async function buildSummary(storage: Storage, branch: SummaryBranch, month: string, locale: Locale): Promise<SummaryResponse> {
  const { values, details } = await storage.summary.values({ branchId: branch.id, month, timeZone: branch.timeZone })
  const figures: SummaryFigure[] = SUMMARY_FIGURES.map(spec => ({
    key: spec.key,
    label: spec.label[locale],
    value: values[spec.key] ?? 0,
    unit: UNIT_LABELS[spec.unit][locale],
    ...(spec.target === undefined ? {} : { target: spec.target }),
    ...(details[spec.key] === undefined ? {} : { detail: details[spec.key] }),
  }))
  const { start, end } = monthRange(month)
  return { month, from: start, to: end, figures, sentences: summarySentences(values) }
}
