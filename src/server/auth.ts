import type { FastifyRequest } from 'fastify'
import { ApiError } from './errors'

const BEARER_RE = /^Bearer ([\w-]+)$/i

/**
 * onRequest hook for routes that need a member: resolves the bearer token by its hash before the
 * body is even read; missing, unknown and revoked tokens are all 401. Each 401 counts against the
 * client address (`failureLimits.auth`): past the limit the address gets 429 before any lookup.
 */
export async function requireMember(request: FastifyRequest): Promise<void> {
  const storage = request.server.storage
  const member = await request.server.failureLimits.auth.attempt(request.ip, async () => {
    const match = BEARER_RE.exec(request.headers.authorization?.trim() ?? '')
    if (!match)
      return undefined
    const memberId = await storage.memberTokens.memberIdFor(match[1]!)
    return memberId ? await storage.members.info(memberId) : undefined
  }, found => !found)
  if (!member)
    throw new ApiError('unauthorized', 'unauthorized')
  request.member = member
}

/** The member `requireMember` resolved (only call on routes that use it). */
export function memberOf(request: FastifyRequest) {
  if (!request.member)
    throw new ApiError('unauthorized', 'unauthorized')
  return request.member
}
