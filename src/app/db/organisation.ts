import type { OrganisationSignInResponse } from '@/domain/organisation'
import { db } from './database'
import { getMeta, setMeta } from './meta'

/**
 * The organisation secretary (组织管理员, issue #14) signed in on this device, kept in `meta` under
 * `organisationSession`: its bearer token and who it is. Apart from the member's session: a phone
 * may hold both (a 书记 who is also the 党委's 组织管理员), one, or neither; signing out of one
 * leaves the other. It holds no records: the organisation's pages read the server, but for the
 * report drafts (`drafts` under `organisation-report:<month>`), which go with the sign-in.
 */

/** The `drafts` key prefix of the organisation's report drafts. */
export const ORGANISATION_REPORT_DRAFTS = 'organisation-report'
export interface OrganisationSession {
  token: string
  secretary: OrganisationSignInResponse['secretary']
}

function isSession(value: unknown): value is OrganisationSession {
  const v = value as OrganisationSession | undefined
  return typeof v?.token === 'string' && typeof v.secretary?.id === 'string' && typeof v.secretary.organisationId === 'string' && typeof v.secretary.name === 'string'
}

export async function loadOrganisationSession(): Promise<OrganisationSession | undefined> {
  const value = await getMeta<unknown>('organisationSession')
  return isSession(value) ? value : undefined
}

export async function saveOrganisationSession(session: OrganisationSession): Promise<void> {
  await setMeta('organisationSession', { token: session.token, secretary: { id: session.secretary.id, organisationId: session.secretary.organisationId, name: session.secretary.name } })
}

export async function clearOrganisationSession(): Promise<void> {
  await db.transaction('rw', [db.meta, db.drafts], async () => {
    await db.meta.delete('organisationSession')
    await db.drafts.where('key').startsWith(`${ORGANISATION_REPORT_DRAFTS}:`).delete()
  })
}
