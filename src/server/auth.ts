import type { FastifyRequest } from 'fastify'
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
