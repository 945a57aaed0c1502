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
  app.get<{ Params: { id: string } }>('/materials/:id', { onRequest: requireMember }, async (request): Promise<MaterialBodyResponse> => {
    const member = memberOf(request)
    const { id } = request.params
    const material = UUID_RE.test(id) ? await app.storage.materials.bodyFor({ memberId: member.id, branchId: member.branchId }, id) : undefined
    if (!material)
      throw new ApiError('not_found', 'materialNotFound')
    return material
  })
}

export default materialRoutes
