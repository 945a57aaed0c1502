import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0014 (issue #14, the 阶段性总结): a month's report draft, one row per unit and month.
 * `scope` says what the unit is ('branch' now; an organisation's reports can use 'organisation'
 * with its id as `unit_id`, same table). `paragraphs` is the JSON list of the secretary's
 * templates; `revision` counts writes (optimistic concurrency: a write names the revision it was
 * made over). At 定稿, `finalised_at`/`finalised_on` are set and `figures` holds the JSON figures
 * frozen then, so later records never change a finalised report. Adds a table only: no row of
 * any other table changes.
 */
export const reportDraftsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('report_drafts')
      .addColumn('scope', 'text', c => c.notNull())
      .addColumn('unit_id', 'text', c => c.notNull())
      .addColumn('month', 'text', c => c.notNull())
      .addColumn('revision', 'integer', c => c.notNull())
      .addColumn('paragraphs', 'text', c => c.notNull())
      .addColumn('figures', 'text')
      .addColumn('finalised_at', 'bigint')
      .addColumn('finalised_on', 'text')
      .addColumn('finalised_by', 'text')
      .addColumn('updated_at', 'bigint', c => c.notNull())
      .addColumn('updated_by', 'text', c => c.notNull())
      .addPrimaryKeyConstraint('report_drafts_pk', ['scope', 'unit_id', 'month'])
      .execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('report_drafts').execute()
  },
}
