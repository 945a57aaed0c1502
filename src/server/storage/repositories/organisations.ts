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
}

/** Organisations above the branches (issue #14) and which branches each has. */
export class OrganisationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, kind: OrganisationKind, now: number = Date.now()): Promise<CreatedOrganisation> {
    const id = newId()
    await this.db.insertInto('organisations').values({ id, name, kind, created_at: now }).execute()
    return { organisationId: id, name, kind }
  }

  /** Attaches the branch to the organisation (moving it from another one, if any). */
  async attach(organisationId: string, branchId: string): Promise<'attached' | 'noOrganisation' | 'noBranch'> {
    return this.db.transaction().execute(async (trx) => {
      const organisation = await trx.selectFrom('organisations').select('id').where('id', '=', organisationId).executeTakeFirst()
      if (!organisation)
        return 'noOrganisation'
      const updated = await trx.updateTable('branches').set({ organisation_id: organisationId }).where('id', '=', branchId).executeTakeFirst()
      return Number(updated.numUpdatedRows) === 1 ? 'attached' : 'noBranch'
    })
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
