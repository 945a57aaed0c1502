import type { Kysely, Migration } from 'kysely'
import { newHumanCode } from './secrets'

/**
 * Migration 0017 (issue #14): `organisations.invite_code`, the organisation's own invite code that
 * makes whoever types it (with a name) one more organisation secretary (组织管理员), as a branch's
 * secretary invite code makes a branch secretary. Kept readable (the admin command prints it, the
 * organisation's secretaries see and rotate it), unique by index. Adds a column: every organisation
 * is kept and gets a fresh code here, so none is left without one.
 */
export const organisationInviteMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('organisations').addColumn('invite_code', 'text').execute()
    await db.schema.createIndex('organisations_invite_code').on('organisations').column('invite_code').unique().execute()
    const rows = await db.selectFrom('organisations').select('id').execute() as { id: string }[]
    const taken = new Set<string>()
    for (const row of rows) {
      let code = newHumanCode()
      while (taken.has(code))
        code = newHumanCode()
      taken.add(code)
      await db.updateTable('organisations').set({ invite_code: code }).where('id', '=', row.id).execute()
    }
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('organisations_invite_code').execute()
    await db.schema.alterTable('organisations').dropColumn('invite_code').execute()
  },
}
