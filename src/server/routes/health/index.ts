import type { FastifyPluginAsync } from 'fastify'
import type { HealthResponse } from '../../../domain/wire'

/** GET /health: liveness and the running version. */
const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/health', async (): Promise<HealthResponse> => ({ ok: true, version: app.appVersion }))
}

export default healthRoutes
