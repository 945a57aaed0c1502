import type { FastifyPluginAsync } from 'fastify'
import type { MeResponse } from '../../../domain/wire'
import { memberOf, requireMember } from '../../auth'

/** GET /me: who the token belongs to. */
const meRoutes: FastifyPluginAsync = async (app) => {
  app.get('/me', { onRequest: requireMember }, async (request): Promise<MeResponse> => ({ member: memberOf(request) }))
}

export default meRoutes
