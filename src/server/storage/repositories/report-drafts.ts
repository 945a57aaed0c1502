import type { Kysely } from 'kysely'
import type { ReportFigure, ReportParagraph } from '../../../domain/report'
import type { Database, ReportDraftsTable } from '../schema'

/**
 * Report drafts (阶段性总结, migration 0014), one per unit and month. Writes are optimistic: each
 * names the revision it was made over and succeeds only if that is still the stored one (0: none
 * stored yet), so two phones editing the same month never overwrite each other silently. A
 * finalised report takes no more writes.
 */

export type ReportScope = ReportDraftsTable['scope']

export interface StoredReport {
  revision: number
  paragraphs: ReportParagraph[]
  /** Frozen at 定稿; null while the figures are live. */
  figures: ReportFigure[] | null
  finalisedAt: number | null
  finalisedOn: string | null
  updatedAt: number
  /** An organisation report's per-branch figures frozen at 定稿 (migration 0019), else null. */
  branchFigures?: BranchFigures[] | null
}

/** One branch's figures in an organisation's report. */
export interface BranchFigures { branchId: string, name: string, figures: ReportFigure[] }

export interface ReportUnit { scope: ReportScope, unitId: string, month: string }

export type ReportWrite = { ok: StoredReport } | { conflict: StoredReport | undefined }

function stored(row: ReportDraftsTable): StoredReport {
  return {
    revision: Number(row.revision),
    paragraphs: JSON.parse(row.paragraphs) as ReportParagraph[],
    figures: row.figures === null ? null : JSON.parse(row.figures) as ReportFigure[],
    finalisedAt: row.finalised_at === null ? null : Number(row.finalised_at),
    finalisedOn: row.finalised_on,
    updatedAt: Number(row.updated_at),
    ...(row.branch_figures ? { branchFigures: JSON.parse(row.branch_figures) as BranchFigures[] } : {}),
  }
}

export class ReportDraftRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(unit: ReportUnit): Promise<StoredReport | undefined> {
    const row = await this.db.selectFrom('report_drafts').selectAll().where('scope', '=', unit.scope).where('unit_id', '=', unit.unitId).where('month', '=', unit.month).executeTakeFirst()
    return row ? stored(row) : undefined
  }

  /**
   * Writes the paragraphs over `revision` (and, with `final`, freezes the figures with the day):
   * `ok` with the new state, or `conflict` with the state that made the write stale.
   */
  async write(unit: ReportUnit, revision: number, paragraphs: ReportParagraph[], by: string, now: number, final?: { figures: ReportFigure[], on: string, branchFigures?: BranchFigures[] }): Promise<ReportWrite> {
    const json = JSON.stringify(paragraphs)
    const finalised = final ? { figures: JSON.stringify(final.figures), finalised_at: now, finalised_on: final.on, finalised_by: by, ...(final.branchFigures ? { branch_figures: JSON.stringify(final.branchFigures) } : {}) } : {}
    let changed: number
    if (revision === 0) {
      const result = await this.db.insertInto('report_drafts').values({ scope: unit.scope, unit_id: unit.unitId, month: unit.month, revision: 1, paragraphs: json, figures: null, finalised_at: null, finalised_on: null, finalised_by: null, updated_at: now, updated_by: by, ...finalised }).onConflict(oc => oc.columns(['scope', 'unit_id', 'month']).doNothing()).executeTakeFirst()
      changed = Number(result.numInsertedOrUpdatedRows ?? 0)
    }
    else {
      const result = await this.db.updateTable('report_drafts').set({ revision: revision + 1, paragraphs: json, updated_at: now, updated_by: by, ...finalised }).where('scope', '=', unit.scope).where('unit_id', '=', unit.unitId).where('month', '=', unit.month).where('revision', '=', revision).where('finalised_at', 'is', null).executeTakeFirst()
      changed = Number(result.numUpdatedRows)
    }
    const now_ = await this.get(unit)
    return changed === 1 && now_ ? { ok: now_ } : { conflict: now_ }
  }
}
