import type { Kysely } from 'kysely'
import type { Device, SignInCodeKind, SignInCodeResponse } from '../../../domain/devices'
import type { Database } from '../schema'
import type { MemberRepository } from './members'
import { CLAIM_CODE_TTL_MS, DEVICE_CODE_TTL_MS, SIGN_IN_CODE_LENGTH } from '../../../domain/devices'
import { newHumanCode, newId, normaliseCode, sha256Hex } from '../secrets'
import { MemberTokenRepository } from './member-tokens'

type Db = Kysely<Database>

/** What redeeming a code came to; only `ok` signs a phone in. */
export type RedeemOutcome
  = | { result: 'ok', memberId: string, token: string }
    | { result: 'unknown' | 'used' | 'expired' }

const TTL: Record<SignInCodeKind, number> = { claim: CLAIM_CODE_TTL_MS, device: DEVICE_CODE_TTL_MS }

/**
 * A member's devices (one live token each) and the one-time codes that add one (issue #12):
 * a secretary's 认领码 for a member who had no phone, a member's add-device code. Codes are kept
 * by their sha256 only; a new code of a kind ends the member's older unused one, and a code is
 * used at most once, by exactly one phone however many send it at once.
 */
export class DeviceRepository {
  private readonly tokens: MemberTokenRepository

  constructor(private readonly db: Db, private readonly members: MemberRepository) {
    this.tokens = new MemberTokenRepository(db)
  }

  /**
   * A member without a phone, made by a secretary: a plain member with 在职/退休 and 入党日期, and
   * no token until a 认领码 is redeemed.
   */
  async addMember(branchId: string, input: { name: string, retired: boolean, partyJoinDate: string | null }): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const member = await this.members.create(branchId, input.name, 'member', trx)
      await trx.updateTable('members').set({ retired: input.retired ? 1 : 0, party_join_date: input.partyJoinDate }).where('id', '=', member.id).execute()
      return member.id
    })
  }

  /** The member's live devices, newest first, each with its token hash (never sent) to mark the caller's own. */
  async list(memberId: string): Promise<(Device & { tokenHash: string })[]> {
    const query = () => this.db.selectFrom('member_tokens')
      .select(['token_hash', 'device_id', 'device_name', 'created_at', 'last_seen_at'])
      .where('member_id', '=', memberId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('device_id')
      .execute()
    let rows = await query()
    if (rows.some(r => r.device_id === null)) {
      // A token issued by a server older than migration 0010 while it ran: it gets its id once.
      for (const row of rows.filter(r => r.device_id === null))
        await this.db.updateTable('member_tokens').set({ device_id: newId() }).where('token_hash', '=', row.token_hash).where('device_id', 'is', null).execute()
      rows = await query()
    }
    return rows.map(r => ({
      id: r.device_id!,
      name: r.device_name,
      createdAt: Number(r.created_at),
      lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
      tokenHash: r.token_hash,
    }))
  }

  /** Stops one of the member's devices (its next call is 401); 0 when it is not theirs or already stopped. */
  async revoke(memberId: string, deviceId: string): Promise<number> {
    const result = await this.db.updateTable('member_tokens').set({ revoked_at: Date.now() }).where('member_id', '=', memberId).where('device_id', '=', deviceId).where('revoked_at', 'is', null).executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  /** A fresh code of `kind` for the member; the member's older unused code of that kind stops working. */
  async newCode(memberId: string, kind: SignInCodeKind, createdBy: string, now: number = Date.now()): Promise<SignInCodeResponse> {
    const code = newHumanCode(SIGN_IN_CODE_LENGTH)
    const expiresAt = now + TTL[kind]
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('sign_in_codes').set({ expires_at: now }).where('member_id', '=', memberId).where('kind', '=', kind).where('used_at', 'is', null).where('expires_at', '>', now).execute()
      await trx.insertInto('sign_in_codes').values({ code_hash: sha256Hex(code), member_id: memberId, kind, created_by: createdBy, created_at: now, expires_at: expiresAt, used_at: null }).execute()
    })
    return { kind, code, expiresAt }
  }

  /**
   * Redeems a code as typed: a new token for its member, or why not. The code is taken by a
   * conditional UPDATE inside the transaction that issues the token, so of phones sending one
   * code at once exactly one gets a token (PostgreSQL's row lock makes the others re-read the
   * row and find it used; SQLite runs one write transaction at a time).
   */
  async redeem(typed: string, deviceName: string | null): Promise<RedeemOutcome> {
    const hash = sha256Hex(normaliseCode(typed))
    return this.db.transaction().execute(async (trx): Promise<RedeemOutcome> => {
      const row = await trx.selectFrom('sign_in_codes')
        .innerJoin('members', 'members.id', 'sign_in_codes.member_id')
        .select(['sign_in_codes.member_id as memberId', 'sign_in_codes.used_at as usedAt', 'sign_in_codes.expires_at as expiresAt', 'members.status as status'])
        .where('sign_in_codes.code_hash', '=', hash)
        .executeTakeFirst()
      if (!row || row.status !== 'active')
        return { result: 'unknown' }
      const now = Date.now()
      if (row.usedAt !== null)
        return { result: 'used' }
      if (Number(row.expiresAt) <= now)
        return { result: 'expired' }
      const taken = await trx.updateTable('sign_in_codes').set({ used_at: now }).where('code_hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst()
      if (Number(taken.numUpdatedRows) !== 1)
        return { result: 'used' }
      return { result: 'ok', memberId: row.memberId, token: await this.tokens.issue(row.memberId, trx, deviceName) }
    })
  }
}
