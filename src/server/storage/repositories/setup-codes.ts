import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { sha256Hex } from '../secrets'

/** One-time first-run codes, stored hashed; consuming one is a single conditional update. */
export class SetupCodeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Makes `code` live (idempotent: an existing code keeps its state). */
  async add(code: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('setup_codes').values({ code_hash: sha256Hex(code), created_at: Date.now(), used_at: null }).onConflict(oc => oc.column('code_hash').doNothing()).execute()
  }

  async isLive(code: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const row = await db.selectFrom('setup_codes').select('code_hash').where('code_hash', '=', sha256Hex(code)).where('used_at', 'is', null).executeTakeFirst()
    return Boolean(row)
  }

  /** Marks a live code used; true only for the one caller that won it. */
  async consume(code: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const result = await db.updateTable('setup_codes').set({ used_at: Date.now() }).where('code_hash', '=', sha256Hex(code)).where('used_at', 'is', null).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }
}
