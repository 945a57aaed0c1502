import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { FormerMembersResponse, LeaveReason, MemberHistory, MembershipPatchRequest } from '../../../domain/branch'
import type { FieldIssue } from '../../../domain/records'
import type { HistoryRefusal } from '../../storage/repositories/history'
import { LEAVE_REASONS } from '../../../domain/branch'
import { UUID_RE } from '../../../domain/records'
import { isIsoDate, todayIn } from '../../../domain/week'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { MembershipHistory } from '../../storage/repositories/history'
import { bodyObject } from '../../validation'
import { pathId, requireSecretary, secretaryBranch } from './guard'

/**
 * Membership history (issue #12): 入支部日期, 转出/离开 (with a reason) and 在职/退休 from a day,
 * for a member of the secretary's branch (one who left too: a departure can be taken back). Past
 * weeks and months are counted from it.
 */
const historyRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }
  const history = () => new MembershipHistory(app.storage.db)

  // The caller's branch, today there, and the member `:id` of it (404 otherwise, left members included).
  async function memberOfBranch(request: FastifyRequest) {
    const { branch, secretary } = await secretaryBranch(request)
    const id = pathId(request)
    const found = UUID_RE.test(id) ? await history().history(branch.id, id) : undefined
    if (!found)
      throw new ApiError('not_found', 'memberNotFound')
    return { branch, secretary, member: found, today: todayIn(branch.timeZone) }
  }

  function answer(request: FastifyRequest, outcome: MemberHistory | HistoryRefusal | 'statusNotFound', path: string): MemberHistory {
    if (typeof outcome !== 'string')
      return outcome
    const locale = localeOf(request)
    switch (outcome) {
      case 'notFound':
        throw new ApiError('not_found', 'memberNotFound')
      case 'statusNotFound':
        throw new ApiError('not_found', 'statusChangeNotFound')
      case 'lastSecretary':
        throw validationError([{ path: 'leftOn', message: t(locale, 'lastSecretary') }], locale)
      case 'leftBeforeJoined':
        throw validationError([{ path, message: t(locale, 'leftBeforeJoined') }], locale)
      case 'statusOutsideMembership':
        throw validationError([{ path: 'from', message: t(locale, 'statusFrom') }], locale)
      case 'memberLeft':
        throw validationError([{ path: 'retired', message: t(locale, 'memberLeft') }], locale)
      case 'firstStatus':
        throw validationError([{ path: 'id', message: t(locale, 'firstStatus') }], locale)
    }
  }

  app.get('/branch/members/:id/history', opts, async (request): Promise<MemberHistory> => {
    return (await memberOfBranch(request)).member
  })

  app.get('/branch/former-members', opts, async (request): Promise<FormerMembersResponse> => {
    const { branch } = await secretaryBranch(request)
    return { members: await history().formerMembers(branch.id) }
  })

  app.patch('/branch/members/:id/membership', opts, async (request): Promise<MemberHistory> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, member, today } = await memberOfBranch(request)
    const issues: FieldIssue[] = []
    const patch: MembershipPatchRequest = {}
    if (body.joinedOn !== undefined) {
      if (typeof body.joinedOn === 'string' && isIsoDate(body.joinedOn) && body.joinedOn <= today)
        patch.joinedOn = body.joinedOn
      else issues.push({ path: 'joinedOn', message: t(locale, 'joinedOn') })
    }
    if (body.leftOn !== undefined) {
      if (body.leftOn === null || (typeof body.leftOn === 'string' && isIsoDate(body.leftOn) && body.leftOn <= today))
        patch.leftOn = body.leftOn
      else issues.push({ path: 'leftOn', message: t(locale, 'leftOn') })
    }
    if (body.leftReason !== undefined) {
      if ((LEAVE_REASONS as readonly unknown[]).includes(body.leftReason))
        patch.leftReason = body.leftReason as LeaveReason
      else issues.push({ path: 'leftReason', message: t(locale, 'leftReason') })
    }
    if (issues.length === 0 && Object.keys(patch).length === 0)
      issues.push({ path: '', message: t(locale, 'membershipPatchEmpty') })
    if (issues.length > 0)
      throw validationError(issues, locale)
    const outcome = await history().patchMembership(branch.id, member.id, patch, today)
    return answer(request, outcome, patch.leftOn ? 'leftOn' : 'joinedOn')
  })

  app.post('/branch/members/:id/status', opts, async (request, reply): Promise<MemberHistory> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, secretary, member, today } = await memberOfBranch(request)
    const issues: FieldIssue[] = []
    if (typeof body.retired !== 'boolean')
      issues.push({ path: 'retired', message: t(locale, 'retired') })
    if (!(typeof body.from === 'string' && isIsoDate(body.from) && body.from <= today))
      issues.push({ path: 'from', message: t(locale, 'statusFrom') })
    if (issues.length > 0)
      throw validationError(issues, locale)
    const outcome = answer(request, await history().addStatus(branch.id, member.id, secretary.id, body.retired as boolean, body.from as string, today), 'from')
    reply.status(201)
    return outcome
  })

  app.delete('/branch/members/:id/status/:changeId', opts, async (request): Promise<MemberHistory> => {
    const { branch, member, today } = await memberOfBranch(request)
    const changeId = String((request.params as { changeId?: string }).changeId ?? '')
    const outcome = UUID_RE.test(changeId) ? await history().removeStatus(branch.id, member.id, changeId, today) : 'statusNotFound'
    return answer(request, outcome, 'id')
  })
}

export default historyRoutes
