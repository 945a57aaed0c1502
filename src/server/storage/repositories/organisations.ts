import type { Kysely } from 'kysely'
import type { OrganisationKind } from '../../../domain/organisation'
import type { Database } from '../schema'
import { CLAIM_CODE_TTL_MS, SIGN_IN_CODE_LENGTH } from '../../../domain/devices'
import { newHumanCode, newId, newToken, normaliseCode, sha256Hex } from '../secrets'

/** An organisation secretary (组织管理员) as a token resolves it. */
export interface OrganisationSecretary {
  id: string
  organisationId: string
  name: string
}

export type SecretaryRedeemOutcome
  = | { result: 'ok', secretary: OrganisationSecretary, token: string }
    | { result: 'unknown' | 'used' | 'expired' }

export interface CreatedOrganisation {
  organisationId: string
  name: string
  kind: OrganisationKind
  /** The organisation's invite code (migration 0017): with a name, it makes an organisation secretary. */
  inviteCode: string
}

/** A code no organisation and no branch uses (collisions are rare; checking keeps them impossible). */
async function freshInviteCode(db: Kysely<Database>): Promise<string> {
  for (;;) {
    const code = newHumanCode()
    const organisation = await db.selectFrom('organisations').select('id').where('invite_code', '=', code).executeTakeFirst()
    const branch = await db.selectFrom('branches').select('id').where(eb => eb.or([eb('member_invite_code', '=', code), eb('secretary_invite_code', '=', code)])).executeTakeFirst()
    if (!organisation && !branch)
      return code
  }
}

/** Organisations above the branches (issue #14) and which branches each has. */
export class OrganisationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, kind: OrganisationKind, now: number = Date.now(), db: Kysely<Database> = this.db): Promise<CreatedOrganisation> {
    const id = newId()
    const inviteCode = await freshInviteCode(db)
    await db.insertInto('organisations').values({ id, name, kind, created_at: now, invite_code: inviteCode }).execute()
    return { organisationId: id, name, kind, inviteCode }
  }

  /** The organisation's invite code (null only for one made before migration 0017 and not yet given one). */
  async inviteCode(organisationId: string): Promise<string | null> {
    const row = await this.db.selectFrom('organisations').select('invite_code').where('id', '=', organisationId).executeTakeFirst()
    return row?.invite_code ?? null
  }

  /** A new invite code for the organisation; the old one stops working at once. Undefined when there is no such organisation. */
  async rotateInviteCode(organisationId: string): Promise<string | undefined> {
    for (;;) {
      const code = await freshInviteCode(this.db)
      try {
        const updated = await this.db.updateTable('organisations').set({ invite_code: code }).where('id', '=', organisationId).executeTakeFirst()
        return Number(updated.numUpdatedRows) === 1 ? code : undefined
      }
      catch (cause) {
        // Two rotations drew the same fresh code at once: the unique index refused the second; draw again.
        if (!/unique|duplicate/i.test(String((cause as Error).message)))
          throw cause
      }
    }
  }

  /** The organisation an invite code (as stored: normalised) opens. */
  async byInviteCode(code: string, db: Kysely<Database> = this.db): Promise<{ id: string, name: string, kind: OrganisationKind } | undefined> {
    return db.selectFrom('organisations').select(['id', 'name', 'kind']).where('invite_code', '=', code).executeTakeFirst()
  }

  /** Attaches the branch to the organisation (moving it from another one, if any). */
  async attach(organisationId: string, branchId: string, db: Kysely<Database> = this.db): Promise<'attached' | 'noOrganisation' | 'noBranch'> {
    const run = async (trx: Kysely<Database>): Promise<'attached' | 'noOrganisation' | 'noBranch'> => {
      const organisation = await trx.selectFrom('organisations').select('id').where('id', '=', organisationId).executeTakeFirst()
      if (!organisation)
        return 'noOrganisation'
      const updated = await trx.updateTable('branches').set({ organisation_id: organisationId }).where('id', '=', branchId).executeTakeFirst()
      return Number(updated.numUpdatedRows) === 1 ? 'attached' : 'noBranch'
    }
    return db === this.db ? this.db.transaction().execute(run) : run(db)
  }

  /** The organisation's branches, by name. */
  async branches(organisationId: string): Promise<{ id: string, name: string }[]> {
    return this.db.selectFrom('branches').select(['id', 'name']).where('organisation_id', '=', organisationId).orderBy('name').orderBy('id').execute()
  }
}

/**
 * Organisation secretaries (组织管理员, migration 0016): made by `npm run admin -- add-organisation-secretary`
 * with a one-time sign-in code (a 认领码's length and lifetime, kept by its sha256 only), which
 * POST /organisation/claim redeems once for a bearer token (sha256 only, like member tokens).
 * They are not members: no branch, no records, nothing a member route accepts.
 */
export class OrganisationSecretaryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new secretary of the organisation and its sign-in code, or undefined when there is no such organisation. */
  async add(organisationId: string, name: string, now: number = Date.now()): Promise<{ secretaryId: string, organisationId: string, name: string, code: string, expiresAt: number } | undefined> {
    const organisation = await this.db.selectFrom('organisations').select('id').where('id', '=', organisationId).executeTakeFirst()
    if (!organisation)
      return undefined
    const id = newId()
    const code = newHumanCode(SIGN_IN_CODE_LENGTH)
    const expiresAt = now + CLAIM_CODE_TTL_MS
    await this.db.insertInto('organisation_secretaries').values({ id, organisation_id: organisationId, name, created_at: now, code_hash: sha256Hex(code), code_expires_at: expiresAt, code_used_at: null }).execute()
    return { secretaryId: id, organisationId, name, code, expiresAt }
  }

  /**
   * The organisation's invite code (as typed) and a name make one more secretary of it and a token,
   * in one transaction; undefined when no organisation has the code. The code stays valid (like a
   * branch's secretary invite code) until a secretary rotates it, so phones joining at once each
   * get a secretary of their own.
   */
  async join(typed: string, name: string, now: number = Date.now(), db: Kysely<Database> = this.db): Promise<{ secretary: OrganisationSecretary, token: string } | undefined> {
    const run = async (trx: Kysely<Database>) => {
      const organisation = await trx.selectFrom('organisations').select('id').where('invite_code', '=', normaliseCode(typed)).executeTakeFirst()
      if (!organisation)
        return undefined
      const id = newId()
      await trx.insertInto('organisation_secretaries').values({ id, organisation_id: organisation.id, name, created_at: now, code_hash: null, code_expires_at: null, code_used_at: null }).execute()
      const token = newToken()
      await trx.insertInto('organisation_tokens').values({ token_hash: sha256Hex(token), secretary_id: id, created_at: now, revoked_at: null }).execute()
      return { secretary: { id, organisationId: organisation.id, name }, token }
    }
    return db === this.db ? this.db.transaction().execute(run) : run(db)
  }

  /** Redeems a sign-in code as typed: a token, or why not; of phones sending one code at once exactly one wins (a conditional UPDATE). */
  async redeem(typed: string, now: number = Date.now()): Promise<SecretaryRedeemOutcome> {
    const hash = sha256Hex(normaliseCode(typed))
    return this.db.transaction().execute(async (trx): Promise<SecretaryRedeemOutcome> => {
      const row = await trx.selectFrom('organisation_secretaries').select(['id', 'organisation_id', 'name', 'code_used_at', 'code_expires_at']).where('code_hash', '=', hash).executeTakeFirst()
      if (!row)
        return { result: 'unknown' }
      if (row.code_used_at !== null)
        return { result: 'used' }
      if (Number(row.code_expires_at) <= now)
        return { result: 'expired' }
      const taken = await trx.updateTable('organisation_secretaries').set({ code_used_at: now }).where('id', '=', row.id).where('code_hash', '=', hash).where('code_used_at', 'is', null).executeTakeFirst()
      if (Number(taken.numUpdatedRows) !== 1)
        return { result: 'used' }
      const token = newToken()
      await trx.insertInto('organisation_tokens').values({ token_hash: sha256Hex(token), secretary_id: row.id, created_at: now, revoked_at: null }).execute()
      return { result: 'ok', secretary: { id: row.id, organisationId: row.organisation_id, name: row.name }, token }
    })
  }

  /** The secretary a live token belongs to, or undefined. */
  async byToken(token: string): Promise<OrganisationSecretary | undefined> {
    const row = await this.db.selectFrom('organisation_tokens as t')
      .innerJoin('organisation_secretaries as s', 's.id', 't.secretary_id')
      .select(['s.id as id', 's.organisation_id as organisationId', 's.name as name'])
      .where('t.token_hash', '=', sha256Hex(token))
      .where('t.revoked_at', 'is', null)
      .executeTakeFirst()
    return row
  }
}
