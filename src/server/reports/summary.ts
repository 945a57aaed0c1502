import type { SummaryFigure, SummaryResponse } from '../../domain/branch'
import type { Locale } from '../../domain/locale'
import type { Storage } from '../storage'
import { monthRange, percent, SUMMARY_FIGURES, summarySentences, UNIT_LABELS } from '../../domain/summary'

/** The branch a summary is for: its id, name and time zone (months are calendar months there). */
export interface SummaryBranch {
  id: string
  name: string
  timeZone: string
}

/** A month's figures (labels in `locale`) and the zh-CN sentences made of them. */
export async function buildSummary(storage: Storage, branch: SummaryBranch, month: string, locale: Locale): Promise<SummaryResponse> {
  const { values, details } = await storage.summary.values({ branchId: branch.id, month, timeZone: branch.timeZone })
  const { start, end } = monthRange(month)
  return { month, from: start, to: end, figures: figuresOf(values, details, locale), sentences: summarySentences(values) }
}

/** The figures of SUMMARY_FIGURES with their values and details, labels in `locale`. */
function figuresOf(values: Record<string, number | null>, details: Record<string, string>, locale: Locale): SummaryFigure[] {
  return SUMMARY_FIGURES.map(spec => ({
    key: spec.key,
    label: spec.label[locale],
    value: values[spec.key] ?? 0,
    unit: UNIT_LABELS[spec.unit][locale],
    ...(spec.target === undefined ? {} : { target: spec.target }),
    ...(details[spec.key] === undefined ? {} : { detail: details[spec.key] }),
  }))
}

/** The organisation's month (issue #14): its roll-up beside each branch's own summary. */
export interface OrganisationSummary {
  month: string
  from: string
  to: string
  organisation: { figures: SummaryFigure[], sentences: string[] }
  branches: { branchId: string, name: string, summary: SummaryResponse }[]
}

/**
 * Each branch's month by the branch summary's own queries, and their roll-up: a count is the sum
 * over the branches (a member is in one branch, so counted once); a rate is recomputed from the
 * summed attended/possible of its `detail` (never an average of rates); a detail that names things
 * (members without study, weeks without branch study) is kept per branch, `支部：…；…`. A figure
 * that counts members counts persons: a member who moved from one of the branches to another
 * (two member rows, linked in member_transfers) is one, and is without study only when none of
 * their rows studied in the month.
 */
export async function buildOrganisationSummary(storage: Storage, branches: readonly SummaryBranch[], month: string, locale: Locale): Promise<OrganisationSummary> {
  const perBranch: { branch: SummaryBranch, values: Record<string, number | null>, details: Record<string, string> }[] = []
  for (const branch of branches)
    perBranch.push({ branch, ...await storage.summary.values({ branchId: branch.id, month, timeZone: branch.timeZone }) })
  const values: Record<string, number | null> = {}
  const details: Record<string, string> = {}
  for (const spec of SUMMARY_FIGURES) {
    if (spec.unit === 'percent') {
      const parts = perBranch.map(b => (b.details[spec.key] ?? '0/0').split('/').map(Number) as [number, number])
      const attended = parts.reduce((n, p) => n + p[0], 0)
      const possible = parts.reduce((n, p) => n + p[1], 0)
      values[spec.key] = percent(attended, possible)
      details[spec.key] = `${attended}/${possible}`
      continue
    }
    values[spec.key] = perBranch.reduce((n, b) => n + (b.values[spec.key] ?? 0), 0)
    const named = perBranch.filter(b => b.details[spec.key] !== undefined).map(b => `${b.branch.name}：${b.details[spec.key]}`)
    if (named.length > 0)
      details[spec.key] = named.join('；')
  }
  await countPersonsOnce(storage, branches, month, values, details)
  const { start, end } = monthRange(month)
  return {
    month,
    from: start,
    to: end,
    organisation: { figures: figuresOf(values, details, locale), sentences: summarySentences(values) },
    branches: perBranch.map(b => ({ branchId: b.branch.id, name: b.branch.name, summary: { month, from: start, to: end, figures: figuresOf(b.values, b.details, locale), sentences: summarySentences(b.values) } })),
  }
}

/** The roll-up's member figures as persons: each member row mapped to the person it is, counted once. */
async function countPersonsOnce(storage: Storage, branches: readonly SummaryBranch[], month: string, values: Record<string, number | null>, details: Record<string, string>): Promise<void> {
  const personOf = await storage.memberTransfers.personOf(branches.map(b => b.id))
  const perBranch: { branch: SummaryBranch, ids: Record<string, string[]>, names: Map<string, string> }[] = []
  for (const branch of branches)
    perBranch.push({ branch, ...await storage.summary.memberIds({ branchId: branch.id, month, timeZone: branch.timeZone }) })
  const persons = (key: string) => new Set(perBranch.flatMap(b => (b.ids[key] ?? []).map(personOf)))
  const studied = persons('study.members')
  for (const spec of SUMMARY_FIGURES) {
    if (perBranch.length === 0 || !(spec.key in perBranch[0]!.ids))
      continue
    if (spec.key !== 'members.withoutStudy') {
      values[spec.key] = persons(spec.key).size
      continue
    }
    const without = perBranch.map(b => ({ branch: b.branch, names: (b.ids[spec.key] ?? []).filter(id => !studied.has(personOf(id))).map(id => b.names.get(id) ?? id) }))
    values[spec.key] = new Set(perBranch.flatMap(b => (b.ids[spec.key] ?? []).map(personOf).filter(p => !studied.has(p)))).size
    const named = without.filter(b => b.names.length > 0).map(b => `${b.branch.name}：${b.names.join('、')}`)
    if (named.length > 0)
      details[spec.key] = named.join('；')
    else
      delete details[spec.key]
  }
}
