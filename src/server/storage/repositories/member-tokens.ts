import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { newId, newToken, sha256Hex } from '../secrets'

const SEEN_PRECISION_MS = 60_000

/** Bearer tokens, stored as sha256 hashes only. */
export class MemberTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Issues a new token (a new device) for a member; the raw token is returned once and never
   * stored. `deviceName` is what the device list shows (from the User-Agent, see deviceNameFrom).
   */
  async issue(memberId: string, db: Kysely<Database> = this.db, deviceName: string | null = null): Promise<string> {
    const token = newToken()
    await db.insertInto('member_tokens').values({ token_hash: sha256Hex(token), member_id: memberId, created_at: Date.now(), revoked_at: null, last_seen_at: null, device_id: newId(), device_name: deviceName }).execute()
    return token
  }

  /** The member a live token belongs to, or undefined for unknown and revoked tokens. */
  async memberIdFor(token: string, db: Kysely<Database> = this.db): Promise<string | undefined> {
    const hash = sha256Hex(token)
    const row = await db.selectFrom('member_tokens').select(['member_id', 'last_seen_at']).where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst()
    const now = Date.now()
    // The secretary's member list shows when each device was last seen; a minute's precision
    // keeps this to one small write a minute per device.
    if (row && (row.last_seen_at === null || now - Number(row.last_seen_at) >= SEEN_PRECISION_MS))
      await db.updateTable('member_tokens').set({ last_seen_at: now }).where('token_hash', '=', hash).execute()
    return row?.member_id
  }

  /** Revokes every live token of a member at once; returns how many there were. */
  async revokeAllOf(memberId: string, db: Kysely<Database> = this.db): Promise<number> {
    const result = await db.updateTable('member_tokens').set({ revoked_at: Date.now() }).where('member_id', '=', memberId).where('revoked_at', 'is', null).executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async revoke(token: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.updateTable('member_tokens').set({ revoked_at: Date.now() }).where('token_hash', '=', sha256Hex(token)).where('revoked_at', 'is', null).execute()
  }
}
