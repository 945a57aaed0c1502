import type { Kysely } from 'kysely'
import type { OrganisationKind } from '../../../domain/organisation'
import type { Database } from '../schema'
import { newId } from '../secrets'

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
