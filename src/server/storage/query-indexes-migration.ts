import type { Kysely, Migration } from 'kysely'

/**
 * Migration 0007: indexes the queries actually use. The monthly summary counts a branch's reading
 * notes by `updated_at` (there was no branch index: it read every branch's notes); the week's
 * completion reads a branch's check-ins of one week through the (branch, week) covering index of
 * 0005. The plain (branch, week) and (branch, date) check-in indexes of 0001/0004 are prefixes of
 * the covering ones of 0005: they only cost writes, so they go.
 */
export const queryIndexesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('reading_notes_branch_updated').on('reading_notes').columns(['branch_id', 'updated_at', 'deleted', 'member_id']).execute()
    await db.schema.dropIndex('study_checkins_branch_week').execute()
    await db.schema.dropIndex('study_checkins_branch_date').execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.createIndex('study_checkins_branch_date').on('study_checkins').columns(['branch_id', 'date']).execute()
    await db.schema.createIndex('study_checkins_branch_week').on('study_checkins').columns(['branch_id', 'week']).execute()
    await db.schema.dropIndex('reading_notes_branch_updated').execute()
  },
}
