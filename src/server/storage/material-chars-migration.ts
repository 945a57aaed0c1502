import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'
import { materialChars } from '../../domain/materialText'

/** Materials read and recounted at a time, so a branch with years of long texts stays in memory. */
const BATCH = 200

/**
 * Migration 0022: one 字数. Materials written before b17c6e4 kept `body_chars` as code points with
 * line breaks and spaces (50,000 for a text the editor counts 43,517); every material is recounted
 * with `materialChars`, the editor's count. A row whose count changes takes the next revision of its
 * branch, so every phone pulls the new count (rows keep `updated_at`: nobody edited them). Tombstones
 * and rows without a body are left as they are. `down` keeps the new counts: the old ones were wrong.
 */
export const materialCharsMigration: Migration = {
  async up(db: Kysely<any>) {
    let after = ''
    for (;;) {
      const rows = await db.selectFrom('materials')
        .select(['id', 'branch_id', 'body', 'body_chars'])
        .where('id', '>', after)
        .where('body', 'is not', null)
        .where('deleted', '=', 0)
        .orderBy('id')
        .limit(BATCH)
        .execute() as { id: string, branch_id: string, body: string, body_chars: number | string | null }[]
      if (rows.length === 0)
        return
      after = rows.at(-1)!.id
      for (const row of rows) {
        const chars = materialChars(row.body)
        if (row.body_chars !== null && Number(row.body_chars) === chars)
          continue
        // The branch's next revision (its `rev:<id>` counter, migration 0009), from the global counter
        // if the branch has none yet, as a push takes it. On PostgreSQL the migration is one transaction.
        const taken = await db.insertInto('counters')
          .values({ name: `rev:${row.branch_id}`, value: sql<number>`(select c.value from counters c where c.name = 'rev') + 1` })
          .onConflict(oc => oc.column('name').doUpdateSet({ value: sql<number>`counters.value + 1` }))
          .returning('value')
          .executeTakeFirstOrThrow() as { value: number | string }
        await db.updateTable('materials')
          .set({ body_chars: chars, rev: Number(taken.value) })
          .where('id', '=', row.id)
          .execute()
      }
    }
  },
  async down() {},
}
