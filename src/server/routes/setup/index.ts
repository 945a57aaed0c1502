import type { FastifyPluginAsync } from 'fastify'
import type { FieldIssue } from '../../../domain/records'
import type { SetupResponse } from '../../../domain/wire'
import { organisationKindOf } from '../../../domain/organisation'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
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
    // Optional (issue #14): an organisation above the first branch, its kind by code or Chinese name.
    const wantsOrganisation = body.organisationName !== undefined && body.organisationName !== null && !(typeof body.organisationName === 'string' && body.organisationName.trim() === '')
    const organisationName = wantsOrganisation ? textField(body.organisationName, 'organisationName', 1, 100, 'organisationName', locale, issues) : null
    const organisationKind = wantsOrganisation ? (typeof body.organisationKind === 'string' ? organisationKindOf(body.organisationKind) : undefined) : undefined
    if (wantsOrganisation && !organisationKind)
      issues.push({ path: 'organisationKind', message: t(locale, 'organisationKind') })
    if (issues.length > 0 || code === null || branchName === null || name === null)
      throw validationError(issues, locale)

    const { storage } = app
    const created = await app.failureLimits.codes.attempt(request.ip, async () => storage.db.transaction().execute(async (trx) => {
      if (!await storage.setupCodes.consume(code, trx))
        return null
      const branch = await storage.branches.create(branchName, trx)
      const member = await storage.members.create(branch.branchId, name, 'secretary', trx)
      const token = await storage.memberTokens.issue(member.id, trx, deviceNameOf(request))
      if (!organisationName || !organisationKind)
        return { branch, member, token }
      // The organisation, the branch attached to it, and the one setting up as its first secretary (by its invite code).
      const organisation = await storage.organisations.create(organisationName, organisationKind, Date.now(), trx)
      await storage.organisations.attach(organisation.organisationId, branch.branchId, trx)
      const signIn = await storage.organisationSecretaries.join(organisation.inviteCode, name, Date.now(), trx)
      return { branch, member, token, organisation, signIn }
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
      ...('organisation' in created && created.organisation
        ? {
            organisation: { id: created.organisation.organisationId, name: created.organisation.name, kind: created.organisation.kind, inviteCode: created.organisation.inviteCode },
            ...(created.signIn ? { organisationSignIn: created.signIn } : {}),
          }
        : {}),
    }
  })
}

export default setupRoutes
