import type { AddMemberRequest, AddMemberResponse, ClaimRequest, MemberDevicesResponse, MyDevicesResponse, RevokeDeviceResponse, SignInCodeResponse } from '@/domain/devices'
import type { JoinResponse } from '@/domain/wire'
import { apiRequest } from './client'

const memberPath = (id: string) => `/branch/members/${encodeURIComponent(id)}`

/** Devices and members without a phone (issue #12, src/domain/devices.ts): online only, every method rejects with `ApiError`. */
export const deviceApi = {
  /** `POST /claim`: a 认领码 or an add-device code signs this phone in as that member. */
  claim: (req: ClaimRequest) => apiRequest<JoinResponse>('POST', '/claim', req),
  /** The signed-in member's devices, this one marked `current`. */
  myDevices: () => apiRequest<MyDevicesResponse>('GET', '/me/devices'),
  /** 添加新设备: a ten-minute code for another phone of the member. */
  newDeviceCode: () => apiRequest<SignInCodeResponse>('POST', '/me/devices/code', {}),
  /** Stops one of the member's own devices (a lost phone). */
  revokeMyDevice: (deviceId: string) => apiRequest<RevokeDeviceResponse>('POST', `/me/devices/${encodeURIComponent(deviceId)}/revoke`, {}),
  /** 添加成员: a member without a phone (secretary). */
  addMember: (req: AddMemberRequest) => apiRequest<AddMemberResponse>('POST', '/branch/members', req),
  memberDevices: (id: string) => apiRequest<MemberDevicesResponse>('GET', `${memberPath(id)}/devices`),
  revokeMemberDevice: (id: string, deviceId: string) => apiRequest<RevokeDeviceResponse>('POST', `${memberPath(id)}/devices/${encodeURIComponent(deviceId)}/revoke`, {}),
  /** 认领码: a one-time code (7 days) that makes a phone this member. */
  claimCode: (id: string) => apiRequest<SignInCodeResponse>('POST', `${memberPath(id)}/claim-code`, {}),
}
