import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'

/**
 * Migration 0009: revisions per branch. Every push took the one `rev` counter row, so pushes of
 * different branches waited on each other (on PostgreSQL its row lock is held to COMMIT). A member
 * reads only its own branch's rows, so one counter per branch (`counters` row `rev:<branch id>`)
 * keeps rev order equal to commit order for every reader. Each branch's counter starts at the
 * global value: every rev given from now on is above every cursor already handed out, so existing
 * cursors stay valid. The global row stays, frozen, as the start of branches made later.
 */
export const branchRevisionsMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`insert into counters (name, value) select 'rev:' || b.id, (select c.value from counters c where c.name = 'rev') from branches b`.execute(db)
  },
  async down(db: Kysely<any>) {
    // The global counter goes on from the highest rev any branch gave, so revs stay increasing.
    await sql`update counters set value = (select max(c.value) from counters c where c.name = 'rev' or c.name like 'rev:%') where name = 'rev'`.execute(db)
    await db.deleteFrom('counters').where('name', 'like', 'rev:%').execute()
  },
}
