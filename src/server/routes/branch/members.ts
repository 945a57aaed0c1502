import type { FastifyPluginAsync } from 'fastify'
import type { BranchMembersResponse, BranchOverviewResponse, MemberMergeResponse, MemberPatchRequest, MemberPatchResponse, MemberRecordsResponse, MemberRecordTable, ProxyEntryRequest, ProxyEntryResponse, RevokeDevicesResponse, RotateInviteCodeResponse } from '../../../domain/branch'
import type { FieldIssue } from '../../../domain/records'
import { INVITE_KINDS, MEMBER_RECORD_TABLES, PROXY_ENTRY_TABLES } from '../../../domain/branch'
import { UUID_RE, validateRecordData } from '../../../domain/records'
import { startOfDayIn } from '../../../domain/summary'
import { addDays, isIsoDate, todayIn } from '../../../domain/week'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { MemberMerge } from '../../storage/repositories/merge'
import { bodyObject } from '../../validation'
import { pathId, queryValue, requireSecretary, secretaryBranch } from './guard'
import '../../valibot-messages'

/**
 * The branch's overview, invite codes and members: 退休 / 入党日期 / role, 停用设备, a member's
 * records, and 代录 (a secretary's entry on a member's behalf).
 */
const memberRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }

  app.get('/branch', opts, async (request): Promise<BranchOverviewResponse> => {
    const { branch } = await secretaryBranch(request)
    const overview = await app.storage.branchAdmin.overview(branch.id, todayIn(branch.timeZone))
    if (!overview)
      throw new ApiError('unauthorized', 'unauthorized')
    return overview
  })

  app.post('/branch/invite-codes', opts, async (request): Promise<RotateInviteCodeResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const kind = body.kind
    if (!(INVITE_KINDS as readonly unknown[]).includes(kind))
      throw validationError([{ path: 'kind', message: t(locale, 'inviteKind') }], locale)
    const { branch } = await secretaryBranch(request)
    const code = await app.storage.branchAdmin.rotateInviteCode(branch.id, kind as RotateInviteCodeResponse['kind'])
    return { kind: kind as RotateInviteCodeResponse['kind'], code }
  })

  app.get('/branch/members', opts, async (request): Promise<BranchMembersResponse> => {
    const { branch } = await secretaryBranch(request)
    return { members: await app.storage.branchAdmin.members(branch.id) }
  })

  // A member of the caller's branch, or 404 (another branch's ids are not found, not forbidden).
  async function branchMember(request: Parameters<typeof secretaryBranch>[0]) {
    const { branch, secretary } = await secretaryBranch(request)
    const id = pathId(request)
    const member = UUID_RE.test(id) ? await app.storage.branchAdmin.member(branch.id, id) : undefined
    if (!member)
      throw new ApiError('not_found', 'memberNotFound')
    return { branch, secretary, member }
  }

  app.patch('/branch/members/:id', opts, async (request): Promise<MemberPatchResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, member } = await branchMember(request)
    const issues: FieldIssue[] = []
    const patch: MemberPatchRequest = {}
    if (body.retired !== undefined) {
      if (typeof body.retired === 'boolean')
        patch.retired = body.retired
      else issues.push({ path: 'retired', message: t(locale, 'retired') })
    }
    if (body.partyJoinDate !== undefined) {
      const date = body.partyJoinDate
      if (date === null || (typeof date === 'string' && isIsoDate(date) && date <= todayIn(branch.timeZone)))
        patch.partyJoinDate = date
      else issues.push({ path: 'partyJoinDate', message: t(locale, 'partyJoinDate') })
    }
    if (body.role !== undefined) {
      if (body.role === 'member' || body.role === 'secretary')
        patch.role = body.role
      else issues.push({ path: 'role', message: t(locale, 'role') })
    }
    if (issues.length === 0 && Object.keys(patch).length === 0)
      issues.push({ path: '', message: t(locale, 'memberPatchEmpty') })
    if (issues.length > 0)
      throw validationError(issues, locale)
    const updated = await app.storage.branchAdmin.patchMember(branch.id, member.id, patch)
    if (updated === 'lastSecretary')
      throw validationError([{ path: 'role', message: t(locale, 'lastSecretary') }], locale)
    if (!updated)
      throw new ApiError('not_found', 'memberNotFound')
    return updated
  })

  // 合并到…: the member `:id` is a duplicate of `into`; its records, devices and history become that member's.
  app.post('/branch/members/:id/merge', opts, async (request): Promise<MemberMergeResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, secretary, member } = await branchMember(request)
    if (typeof body.into !== 'string' || !UUID_RE.test(body.into))
      throw validationError([{ path: 'into', message: t(locale, 'mergeInto') }], locale)
    const outcome = await new MemberMerge(app.storage.db, app.storage).merge(branch.id, member.id, body.into, secretary.id)
    switch (outcome) {
      case 'notFound':
        throw new ApiError('not_found', 'memberNotFound')
      case 'self':
        throw validationError([{ path: 'into', message: t(locale, 'mergeSelf') }], locale)
      case 'targetNotFound':
        throw validationError([{ path: 'into', message: t(locale, 'mergeTargetNotFound') }], locale)
      case 'targetLeft':
        throw validationError([{ path: 'into', message: t(locale, 'mergeTargetLeft') }], locale)
    }
    const merged = await app.storage.branchAdmin.member(branch.id, outcome.memberId)
    if (!merged)
      throw new ApiError('not_found', 'memberNotFound')
    return { member: merged, ...outcome.counts }
  })

  app.post('/branch/members/:id/revoke-devices', opts, async (request): Promise<RevokeDevicesResponse> => {
    const { member } = await branchMember(request)
    return { revoked: await app.storage.memberTokens.revokeAllOf(member.id) }
  })

  app.get('/branch/members/:id/records', opts, async (request): Promise<MemberRecordsResponse> => {
    const locale = localeOf(request)
    const { branch, member } = await branchMember(request)
    const table = queryValue(request, 'table') ?? 'studyCheckins'
    if (!(MEMBER_RECORD_TABLES as readonly string[]).includes(table))
      throw validationError([{ path: 'table', message: t(locale, 'recordsTable') }], locale)
    const from = queryValue(request, 'from')
    const to = queryValue(request, 'to')
    const bad = (from !== undefined && !isIsoDate(from)) || (to !== undefined && !isIsoDate(to)) || (from !== undefined && to !== undefined && from > to)
    if (bad)
      throw validationError([{ path: from !== undefined && !isIsoDate(from) ? 'from' : 'to', message: t(locale, 'dateQuery') }], locale)
    // Notes have no date: the range bounds the day of their last write in the branch's time zone.
    const range = table === 'readingNotes'
      ? { ...(from ? { fromInstant: startOfDayIn(from, branch.timeZone) } : {}), ...(to ? { toInstant: startOfDayIn(addDays(to, 1), branch.timeZone) } : {}) }
      : { ...(from ? { from } : {}), ...(to ? { to } : {}) }
    const records = await app.storage.branchAdmin.memberRecords(branch.id, member.id, table as MemberRecordTable, range)
    return { member, table: table as MemberRecordTable, records }
  })

  app.post('/branch/members/:id/records', opts, async (request, reply): Promise<ProxyEntryResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, secretary, member } = await branchMember(request)
    const issues: FieldIssue[] = []
    const table = body.table
    if (!(PROXY_ENTRY_TABLES as readonly unknown[]).includes(table))
      issues.push({ path: 'table', message: t(locale, 'proxyTable') })
    if (typeof body.id !== 'string' || !UUID_RE.test(body.id))
      issues.push({ path: 'id', message: t(locale, 'id') })
    if (typeof body.updatedAt !== 'number' || !Number.isSafeInteger(body.updatedAt) || body.updatedAt < 0)
      issues.push({ path: 'updatedAt', message: t(locale, 'updatedAt') })
    let data: unknown
    if (issues.every(i => i.path !== 'table')) {
      if (body.data === undefined || body.data === null) {
        issues.push({ path: 'data', message: t(locale, 'required') })
      }
      else {
        const checked = validateRecordData(table as ProxyEntryRequest['table'], body.data, locale)
        if (checked.ok)
          data = checked.data
        else issues.push(...checked.issues)
      }
    }
    if (issues.length > 0)
      throw validationError(issues, locale)
    const entry = { table, id: body.id, updatedAt: body.updatedAt, data } as ProxyEntryRequest
    const outcome = await app.storage.branchAdmin.proxyEntry(branch.id, member.id, secretary.id, entry)
    if (outcome.result === 'forbidden')
      throw new ApiError('forbidden', 'forbiddenRecord')
    reply.status(outcome.result === 'applied' ? 201 : 200)
    return outcome
  })
}

export default memberRoutes
