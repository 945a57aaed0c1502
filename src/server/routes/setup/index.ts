import type { FastifyPluginAsync } from 'fastify'
import type { FieldIssue } from '../../../domain/records'
import type { SetupResponse } from '../../../domain/wire'
import { ApiError, localeOf, validationError } from '../../errors'
import { bodyObject, textField } from '../../validation'
import { deviceNameOf } from '../devices'

/**
 * First run: the one-time code start.ts printed creates the first branch and makes its user the
 * secretary. The code is consumed in the same transaction, so only one setup can ever win.
 */
const setupRoutes: FastifyPluginAsync = async (app) => {
  // Dead links and wrong codes count against the address like wrong invite codes (one allowance
  // for both, failureLimits.codes); a live link can be opened again and again.
  app.get('/setup', async (request): Promise<{ valid: boolean }> => {
    const { code } = (request.query ?? {}) as Record<string, unknown>
    const valid = await app.failureLimits.codes.attempt(request.ip, async () =>
      typeof code === 'string' && code.length > 0 && code.length <= 200 && await app.storage.setupCodes.isLive(code), live => !live)
    return { valid }
  })

  app.post('/setup', async (request, reply): Promise<SetupResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const issues: FieldIssue[] = []
    const code = textField(body.code, 'code', 1, 200, 'setupCode', locale, issues)
    const branchName = textField(body.branchName, 'branchName', 1, 100, 'branchName', locale, issues)
    const name = textField(body.name, 'name', 1, 40, 'name', locale, issues)
    if (issues.length > 0 || code === null || branchName === null || name === null)
      throw validationError(issues, locale)

    const { storage } = app
    const created = await app.failureLimits.codes.attempt(request.ip, async () => storage.db.transaction().execute(async (trx) => {
      if (!await storage.setupCodes.consume(code, trx))
        return null
      const branch = await storage.branches.create(branchName, trx)
      const member = await storage.members.create(branch.branchId, name, 'secretary', trx)
      return { branch, member, token: await storage.memberTokens.issue(member.id, trx, deviceNameOf(request)) }
    }), made => !made)
    if (!created)
      throw new ApiError('invalid_invite', 'invalidSetup')
    const { branch, member, token } = created
    reply.status(201)
    return {
      token,
      member: { id: member.id, name: member.name, role: 'secretary', branchId: branch.branchId, branchName: branch.name, idSeed: member.id_seed },
      memberInviteCode: branch.memberInviteCode,
      secretaryInviteCode: branch.secretaryInviteCode,
    }
  })
}

export default setupRoutes
