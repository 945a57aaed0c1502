import type { FastifyRequest } from 'fastify'
import type { OrganisationSecretary } from './storage/repositories/organisations'
import { ApiError } from './errors'

const BEARER_RE = /^Bearer ([\w-]+)$/i

/**
 * onRequest hook for routes that need a member: resolves the bearer token by its hash before the
 * body is even read; missing, unknown and revoked tokens are all 401. A right token always passes
 * (256 random bits: nothing to guess, so no address is locked out for others' mistakes); each
 * wrong or missing one counts against the client address (`failureLimits.auth`), and past the
 * limit they get 429 instead of 401.
 */
export async function requireMember(request: FastifyRequest): Promise<void> {
  const storage = request.server.storage
  const match = BEARER_RE.exec(request.headers.authorization?.trim() ?? '')
  let memberId = match ? await storage.memberTokens.memberIdFor(match[1]!) : undefined
  let member = memberId ? await storage.members.info(memberId) : undefined
  // A merge (合并到…) that commits between the two reads moves the token to the member it merged
  // into: read the token again, once, rather than turn away a phone that is still signed in.
  if (!member && memberId) {
    memberId = await storage.memberTokens.memberIdFor(match![1]!)
    member = memberId ? await storage.members.info(memberId) : undefined
  }
  if (!member) {
    request.server.failureLimits.auth.fail(request.ip)
    throw new ApiError('unauthorized', 'unauthorized')
  }
  request.member = member
}

/** The member `requireMember` resolved (only call on routes that use it). */
export function memberOf(request: FastifyRequest) {
  if (!request.member)
    throw new ApiError('unauthorized', 'unauthorized')
  return request.member
}

const organisationSecretaries = new WeakMap<FastifyRequest, OrganisationSecretary>()

/**
 * onRequest hook of the organisation routes (issue #14): the token of an organisation secretary
 * (组织管理员). A member's token, branch secretary's included, is 403 here; a missing or unknown
 * token is 401 and counts against the address like requireMember's.
 */
export async function requireOrganisationSecretary(request: FastifyRequest): Promise<void> {
  const storage = request.server.storage
  const token = BEARER_RE.exec(request.headers.authorization?.trim() ?? '')?.[1]
  const secretary = token ? await storage.organisationSecretaries.byToken(token) : undefined
  if (secretary) {
    organisationSecretaries.set(request, secretary)
    return
  }
  if (token && await storage.memberTokens.memberIdFor(token))
    throw new ApiError('forbidden', 'forbiddenOrganisation')
  request.server.failureLimits.auth.fail(request.ip)
  throw new ApiError('unauthorized', 'unauthorized')
}

/** The organisation secretary `requireOrganisationSecretary` resolved. */
export function organisationSecretaryOf(request: FastifyRequest): OrganisationSecretary {
  const secretary = organisationSecretaries.get(request)
  if (!secretary)
    throw new ApiError('unauthorized', 'unauthorized')
  return secretary
}
