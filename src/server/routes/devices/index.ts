import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { AddMemberResponse, MemberDevicesResponse, MyDevicesResponse, RevokeDeviceResponse, SignInCodeResponse } from '../../../domain/devices'
import type { FieldIssue } from '../../../domain/records'
import type { JoinResponse } from '../../../domain/wire'
import { deviceNameFrom } from '../../../domain/devices'
import { UUID_RE } from '../../../domain/records'
import { isIsoDate, todayIn } from '../../../domain/week'
import { memberOf, requireMember } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { sha256Hex } from '../../storage/secrets'
import { bodyObject, textField } from '../../validation'
import { pathId, requireSecretary, secretaryBranch } from '../branch/guard'

const BEARER_RE = /^Bearer ([\w-]+)$/i

/** The device name a request's User-Agent gives (join, setup and claim store it with the token). */
export function deviceNameOf(request: FastifyRequest): string | null {
  const ua = request.headers['user-agent']
  return deviceNameFrom(Array.isArray(ua) ? ua[0] : ua)
}

/**
 * Members as the branch knows them (issue #12, part 1): a secretary adds a member without a
 * phone and gives them a 认领码 later; each phone is a device (its own token) the member lists
 * and stops (我的设备), and adds with a ten-minute code (添加新设备); `POST /claim` redeems either
 * code on a new phone as that member, never as a second one.
 */
const deviceRoutes: FastifyPluginAsync = async (app) => {
  const secretaryOnly = { onRequest: requireSecretary }
  const memberOnly = { onRequest: requireMember }

  // ---- a new phone -------------------------------------------------------------------------

  app.post('/claim', async (request, reply): Promise<JoinResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const issues: FieldIssue[] = []
    const code = textField(body.code, 'code', 1, 64, 'signInCode', locale, issues)
    if (issues.length > 0 || code === null)
      throw validationError(issues, locale)
    const { storage } = app
    // Wrong, used and expired codes count against the address like wrong invite codes (one allowance).
    const outcome = await app.failureLimits.codes.attempt(request.ip, async () => storage.devices.redeem(code, deviceNameOf(request)), o => o.result !== 'ok')
    if (outcome.result !== 'ok')
      throw new ApiError('invalid_invite', outcome.result === 'used' ? 'codeUsed' : outcome.result === 'expired' ? 'codeExpired' : 'codeUnknown')
    const member = await storage.members.info(outcome.memberId)
    if (!member)
      throw new ApiError('invalid_invite', 'codeUnknown')
    reply.status(201)
    return { token: outcome.token, member: { ...member, idSeed: await storage.members.idSeed(member.id) } }
  })

  // ---- the member's own devices ------------------------------------------------------------

  app.get('/me/devices', memberOnly, async (request): Promise<MyDevicesResponse> => {
    const member = memberOf(request)
    const token = BEARER_RE.exec(request.headers.authorization?.trim() ?? '')?.[1]
    const mine = token ? sha256Hex(token) : null
    const devices = await app.storage.devices.list(member.id)
    return { devices: devices.map(({ tokenHash, ...device }) => ({ ...device, current: tokenHash === mine })) }
  })

  app.post('/me/devices/code', memberOnly, async (request, reply): Promise<SignInCodeResponse> => {
    const member = memberOf(request)
    reply.status(201)
    return app.storage.devices.newCode(member.id, 'device', member.id)
  })

  app.post('/me/devices/:deviceId/revoke', memberOnly, async (request): Promise<RevokeDeviceResponse> => {
    const member = memberOf(request)
    const deviceId = deviceIdOf(request)
    const revoked = UUID_RE.test(deviceId) ? await app.storage.devices.revoke(member.id, deviceId) : 0
    if (revoked === 0)
      throw new ApiError('not_found', 'deviceNotFound')
    return { revoked }
  })

  // ---- the secretary -----------------------------------------------------------------------

  app.post('/branch/members', secretaryOnly, async (request, reply): Promise<AddMemberResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch } = await secretaryBranch(request)
    const issues: FieldIssue[] = []
    const name = textField(body.name, 'name', 1, 40, 'name', locale, issues)
    let retired = false
    if (body.retired !== undefined) {
      if (typeof body.retired === 'boolean')
        retired = body.retired
      else issues.push({ path: 'retired', message: t(locale, 'retired') })
    }
    let partyJoinDate: string | null = null
    if (body.partyJoinDate !== undefined && body.partyJoinDate !== null) {
      const date = body.partyJoinDate
      if (typeof date === 'string' && isIsoDate(date) && date <= todayIn(branch.timeZone))
        partyJoinDate = date
      else issues.push({ path: 'partyJoinDate', message: t(locale, 'partyJoinDate') })
    }
    if (issues.length > 0 || name === null)
      throw validationError(issues, locale)
    const id = await app.storage.devices.addMember(branch.id, { name, retired, partyJoinDate })
    const member = await app.storage.branchAdmin.member(branch.id, id)
    if (!member)
      throw new ApiError('not_found', 'memberNotFound')
    reply.status(201)
    return member
  })

  // A member of the caller's branch, or 404 (another branch's ids are not found, not forbidden).
  async function branchMember(request: FastifyRequest) {
    const { branch, secretary } = await secretaryBranch(request)
    const id = pathId(request)
    const member = UUID_RE.test(id) ? await app.storage.branchAdmin.member(branch.id, id) : undefined
    if (!member)
      throw new ApiError('not_found', 'memberNotFound')
    return { secretary, member }
  }

  app.get('/branch/members/:id/devices', secretaryOnly, async (request): Promise<MemberDevicesResponse> => {
    const { member } = await branchMember(request)
    const devices = await app.storage.devices.list(member.id)
    return { devices: devices.map(({ tokenHash: _hash, ...device }) => device) }
  })

  app.post('/branch/members/:id/devices/:deviceId/revoke', secretaryOnly, async (request): Promise<RevokeDeviceResponse> => {
    const { member } = await branchMember(request)
    const deviceId = deviceIdOf(request)
    const revoked = UUID_RE.test(deviceId) ? await app.storage.devices.revoke(member.id, deviceId) : 0
    if (revoked === 0)
      throw new ApiError('not_found', 'deviceNotFound')
    return { revoked }
  })

  app.post('/branch/members/:id/claim-code', secretaryOnly, async (request, reply): Promise<SignInCodeResponse> => {
    const { secretary, member } = await branchMember(request)
    reply.status(201)
    return app.storage.devices.newCode(member.id, 'claim', secretary.id)
  })
}

function deviceIdOf(request: FastifyRequest): string {
  return String((request.params as { deviceId?: string }).deviceId ?? '')
}

export default deviceRoutes
