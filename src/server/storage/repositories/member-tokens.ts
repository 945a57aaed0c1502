import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { newToken, sha256Hex } from '../secrets'

/** Bearer tokens, stored as sha256 hashes only. */
export class MemberTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Issues a new token for a member; the raw token is returned once and never stored. */
  async issue(memberId: string, db: Kysely<Database> = this.db): Promise<string> {
    const token = newToken()
    await db.insertInto('member_tokens').values({ token_hash: sha256Hex(token), member_id: memberId, created_at: Date.now(), revoked_at: null }).execute()
    return token
  }

  /** The member a live token belongs to, or undefined for unknown and revoked tokens. */
  async memberIdFor(token: string, db: Kysely<Database> = this.db): Promise<string | undefined> {
    const row = await db.selectFrom('member_tokens').select('member_id').where('token_hash', '=', sha256Hex(token)).where('revoked_at', 'is', null).executeTakeFirst()
    return row?.member_id
  }

  async revoke(token: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.updateTable('member_tokens').set({ revoked_at: Date.now() }).where('token_hash', '=', sha256Hex(token)).where('revoked_at', 'is', null).execute()
  }
}
