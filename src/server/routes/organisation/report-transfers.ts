import type { FastifyPluginAsync } from 'fastify'
import { UUID_RE } from '../../../domain/records'
import { organisationSecretaryOf, requireOrganisationSecretary } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { bodyObject } from '../../validation'

/**
 * Moves between the organisation's branches, as its report counts them (issue #14): a member who
 * left one branch (转出, recorded there) and joined another of the same organisation is two member
 * rows; the organisation secretary links them, so the roll-up counts that person once (in its
 * member figures and in who did not study). Each branch's own figures do not change.
 */
const organisationTransferRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireOrganisationSecretary }

  app.get('/organisation/member-transfers', opts, async (request) => {
    return { transfers: await app.storage.memberTransfers.list(organisationSecretaryOf(request).organisationId) }
  })

  app.post('/organisation/member-transfers', opts, async (request, reply) => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { fromMemberId, toMemberId } = body
    if (typeof fromMemberId !== 'string' || typeof toMemberId !== 'string' || !UUID_RE.test(fromMemberId) || !UUID_RE.test(toMemberId))
      throw validationError([{ path: typeof fromMemberId === 'string' && UUID_RE.test(fromMemberId) ? 'toMemberId' : 'fromMemberId', message: t(locale, 'transferMember') }], locale)
    const organisationId = organisationSecretaryOf(request).organisationId
    const result = await app.storage.memberTransfers.link(organisationId, fromMemberId, toMemberId)
    switch (result) {
      case 'notFound':
        throw new ApiError('not_found', 'transferNotFound')
      case 'sameBranch':
        throw validationError([{ path: 'toMemberId', message: t(locale, 'transferSameBranch') }], locale)
      case 'notLeft':
        throw validationError([{ path: 'fromMemberId', message: t(locale, 'transferNotLeft') }], locale)
      case 'linked':
        throw new ApiError('conflict', 'transferLinked')
      case 'loop':
        throw validationError([{ path: 'toMemberId', message: t(locale, 'transferLoop') }], locale)
    }
    reply.status(201)
    return { transfers: await app.storage.memberTransfers.list(organisationId) }
  })
}

export default organisationTransferRoutes
