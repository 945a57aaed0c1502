import type { FastifyRequest } from 'fastify'
import type { OrganisationKind } from '../../../domain/organisation'
import type { OrganisationSecretary } from '../../storage/repositories/organisations'
import { DEFAULT_TIME_ZONE } from '../../../domain/week'
import { organisationSecretaryOf } from '../../auth'
import { ApiError } from '../../errors'

const byName = new Intl.Collator('zh-CN')

/** A branch of the caller's organisation, with its time zone. */
export interface ScopedBranch {
  id: string
  name: string
  timeZone: string
}

/**
 * The calling organisation secretary, their organisation and its branches (by name): every
 * organisation query is scoped by these, so nothing outside the organisation is ever read.
 */
export async function organisationScope(request: FastifyRequest): Promise<{ secretary: OrganisationSecretary, organisation: { id: string, name: string, kind: OrganisationKind }, branches: ScopedBranch[] }> {
  const secretary = organisationSecretaryOf(request)
  const { db } = request.server.storage
  const organisation = await db.selectFrom('organisations').select(['id', 'name', 'kind']).where('id', '=', secretary.organisationId).executeTakeFirst()
  if (!organisation)
    throw new ApiError('unauthorized', 'unauthorized')
  const rows = await db.selectFrom('branches').select(['id', 'name', 'time_zone']).where('organisation_id', '=', organisation.id).execute()
  const branches = rows.map(r => ({ id: r.id, name: r.name, timeZone: r.time_zone || DEFAULT_TIME_ZONE }))
    .sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
  return { secretary, organisation, branches }
}
