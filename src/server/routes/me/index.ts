import type { FastifyPluginAsync } from 'fastify'
import type { MeResponse } from '../../../domain/wire'
import { memberOf, requireMember } from '../../auth'

/** GET /me: who the token belongs to, with the id seed that only the member's own devices get. */
const meRoutes: FastifyPluginAsync = async (app) => {
  app.get('/me', { onRequest: requireMember }, async (request): Promise<MeResponse> => {
    const member = memberOf(request)
    return { member: { ...member, idSeed: await app.storage.members.idSeed(member.id) } }
  })
}

export default meRoutes
