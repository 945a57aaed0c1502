import type { FastifyPluginAsync } from 'fastify'
import { readFileSync } from 'node:fs'

// Read once at start-up: the document ships with the code it describes.
const apiDocument = readFileSync(new URL('../../api.md', import.meta.url), 'utf8')

/** GET /docs: the API document (`src/server/api.md`), public like health. */
const docsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/docs', async (_request, reply) => {
    return reply
      .header('Content-Type', 'text/markdown; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .send(apiDocument)
  })
}

export default docsRoutes
