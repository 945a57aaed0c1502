import type { FastifyPluginAsync } from 'fastify'
import type { MaterialBodyResponse } from '../../../domain/wire'
import { UUID_RE } from '../../../domain/records'
import { memberOf, requireMember } from '../../auth'
import { ApiError } from '../../errors'

/**
 * GET /materials/:id: a material's text, which a pull leaves out. Any member of the material's
 * branch may read it; unknown, unpublished and other branches' materials are all 404, so an id
 * says nothing about another branch.
 */
const materialRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { id: string } }>('/materials/:id', { onRequest: requireMember }, async (request, reply): Promise<string> => {
    const member = memberOf(request)
    const { id } = request.params
    const material = UUID_RE.test(id) ? await app.storage.materials.bodyFor({ memberId: member.id, branchId: member.branchId }, id) : undefined
    if (!material)
      throw new ApiError('not_found', 'materialNotFound')
    // The answer goes compressed (brotli or gzip), so Content-Length, when there is one, counts
    // the bytes on the wire while the app's reader counts them decoded: X-Body-Length is the
    // decoded size, the 100% of 下载中 N%.
    const json = JSON.stringify(material satisfies MaterialBodyResponse)
    void reply.header('Content-Type', 'application/json; charset=utf-8').header('X-Body-Length', Buffer.byteLength(json))
    return json
  })
}

export default materialRoutes
