import type { FastifyPluginAsync } from 'fastify'
import type { FieldIssue } from '../../../domain/records'
import type { JoinResponse } from '../../../domain/wire'
import { ApiError, localeOf, validationError } from '../../errors'
import { normaliseCode } from '../../storage/secrets'
import { bodyObject, textField } from '../../validation'
import { deviceNameOf } from '../devices'

/** POST /join: an invite code and a name make a member (or a secretary) and a token. */
const joinRoutes: FastifyPluginAsync = async (app) => {
  app.post('/join', async (request, reply): Promise<JoinResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const issues: FieldIssue[] = []
    const inviteCode = textField(body.inviteCode, 'inviteCode', 1, 64, 'inviteCode', locale, issues)
    const name = textField(body.name, 'name', 1, 40, 'name', locale, issues)
    if (issues.length > 0 || inviteCode === null || name === null)
      throw validationError(issues, locale)

    const { storage } = app
    // Successful joins count too, generously (failureLimits.joins): one who knows the code cannot
    // make members without end. A refused code throws, so it is no join.
    const joined = await app.failureLimits.joins.attempt(request.ip, async () => {
      // Only wrong codes count against the address (failureLimits.codes), so a meeting can join.
      const invited = await app.failureLimits.codes.attempt(request.ip, async () => storage.branches.byInviteCode(normaliseCode(inviteCode)), found => !found)
      if (!invited)
        throw new ApiError('invalid_invite', 'invalidInvite')
      const { member, token } = await storage.db.transaction().execute(async (trx) => {
        const member = await storage.members.create(invited.branch.id, name, invited.role, trx)
        return { member, token: await storage.memberTokens.issue(member.id, trx, deviceNameOf(request)) }
      })
      return { invited, member, token }
    }, () => true)
    const { invited, member, token } = joined
    reply.status(201)
    return {
      token,
      member: { id: member.id, name: member.name, role: member.role, branchId: invited.branch.id, branchName: invited.branch.name, idSeed: member.id_seed },
    }
  })
}

export default joinRoutes
