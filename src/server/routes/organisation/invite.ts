import type { FastifyPluginAsync } from 'fastify'
import type { OrganisationInviteCodeResponse, OrganisationSignInResponse } from '../../../domain/organisation'
import type { FieldIssue } from '../../../domain/records'
import { organisationSecretaryOf, requireOrganisationSecretary } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { bodyObject, textField } from '../../validation'

/**
 * The organisation's invite code (issue #14, migration 0017): POST /organisation/join with it and a
 * name makes one more organisation secretary (组织管理员) and signs the phone in; the organisation's
 * secretaries read it and rotate it (the old code stops working at once), as a branch secretary
 * does the branch's codes.
 */
const organisationInviteRoutes: FastifyPluginAsync = async (app) => {
  app.post('/organisation/join', async (request, reply): Promise<OrganisationSignInResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const issues: FieldIssue[] = []
    const inviteCode = textField(body.inviteCode, 'inviteCode', 1, 64, 'inviteCode', locale, issues)
    const name = textField(body.name, 'name', 1, 40, 'name', locale, issues)
    if (issues.length > 0 || inviteCode === null || name === null)
      throw validationError(issues, locale)
    // As POST /join: wrong codes count against the address (codes), and so do joins, generously (joins).
    const joined = await app.failureLimits.joins.attempt(request.ip, async () => {
      const made = await app.failureLimits.codes.attempt(request.ip, async () => app.storage.organisationSecretaries.join(inviteCode, name), found => !found)
      if (!made)
        throw new ApiError('invalid_invite', 'invalidOrganisationInvite')
      return made
    }, () => true)
    reply.status(201)
    return joined
  })

  const opts = { onRequest: requireOrganisationSecretary }

  app.get('/organisation/invite-code', opts, async (request): Promise<OrganisationInviteCodeResponse> => {
    const { organisationId } = organisationSecretaryOf(request)
    const inviteCode = await app.storage.organisations.inviteCode(organisationId) ?? await app.storage.organisations.rotateInviteCode(organisationId)
    if (!inviteCode)
      throw new ApiError('unauthorized', 'unauthorized')
    return { inviteCode }
  })

  app.post('/organisation/invite-code', opts, async (request): Promise<OrganisationInviteCodeResponse> => {
    const inviteCode = await app.storage.organisations.rotateInviteCode(organisationSecretaryOf(request).organisationId)
    if (!inviteCode)
      throw new ApiError('unauthorized', 'unauthorized')
    return { inviteCode }
  })
}

export default organisationInviteRoutes
