import type { BranchMember } from './branch'

/**
 * Members as the branch knows them (issue #12, part 1): members without a phone, each phone's own
 * token (a device), and one-time codes that sign a phone in as an existing member: a 认领码 the
 * secretary gives a member who had no phone, and an add-device code a member makes on a phone
 * already signed in. Both are redeemed at `POST /claim`, which answers like `POST /join`.
 */

/** How long a secretary's 认领码 works: a week, so a member without a phone can get help with it later. */
export const CLAIM_CODE_TTL_MS = 7 * 24 * 60 * 60_000
/** How long a member's add-device code works: ten minutes, both phones are in the member's hands. */
export const DEVICE_CODE_TTL_MS = 10 * 60_000
/** Characters of a code (from the unambiguous alphabet of invite codes): 31^10 ≈ 8·10^14. */
export const SIGN_IN_CODE_LENGTH = 10

export const SIGN_IN_CODE_KINDS = ['claim', 'device'] as const
/** `claim`: made by a secretary for a member (认领码); `device`: made by the member (添加新设备). */
export type SignInCodeKind = typeof SIGN_IN_CODE_KINDS[number]

/** A phone (one token) of a member. */
export interface Device {
  id: string
  /** From the browser's User-Agent when the token was issued (e.g. `Android · Chrome`), or null when it said nothing useful. */
  name: string | null
  /** When the token was issued (ms). */
  createdAt: number
  /** The last request made with it (ms, to the minute), or null when never used after signing in. */
  lastSeenAt: number | null
}

/** A device as its member sees it: `current` marks the phone asking. */
export interface MyDevice extends Device {
  current: boolean
}

/** `GET /me/devices`: the member's live devices, newest first. */
export interface MyDevicesResponse { devices: MyDevice[] }

/** `GET /branch/members/:id/devices`: the member's live devices, newest first. */
export interface MemberDevicesResponse { devices: Device[] }

/** `POST /me/devices/code` and `POST /branch/members/:id/claim-code`: a fresh one-time code (an older unused one of the same kind stops working). */
export interface SignInCodeResponse {
  kind: SignInCodeKind
  /** The code as typed (upper case, no separators); shown once, stored hashed. */
  code: string
  /** When it stops working (ms). */
  expiresAt: number
}

/** `POST /claim`: a 认领码 or an add-device code; the answer is a `JoinResponse`. */
export interface ClaimRequest { code: string }

/** `POST /me/devices/:deviceId/revoke`, `POST /branch/members/:id/devices/:deviceId/revoke`: 1 when the device was live. */
export interface RevokeDeviceResponse { revoked: number }

/** `POST /branch/members`: a member without a phone (代录 for them at once; a 认领码 later). */
export interface AddMemberRequest {
  name: string
  retired?: boolean
  partyJoinDate?: string | null
}
export type AddMemberResponse = BranchMember

/** A short readable name of a browser from its User-Agent: `Android · HUAWEI P30 · 微信` style, in Latin names only. */
export function deviceNameFrom(userAgent: string | undefined): string | null {
  if (!userAgent)
    return null
  const ua = userAgent.slice(0, 512)
  let system: string | null = null
  let model: string | null = null
  const android = /Android[^;)]*;\s*([^;)]*)/.exec(ua)
  if (/HarmonyOS/i.test(ua))
    system = 'HarmonyOS'
  else if (/iPhone/.test(ua))
    system = 'iPhone'
  else if (/iPad/.test(ua))
    system = 'iPad'
  else if (android)
    system = 'Android'
  else if (/Windows/.test(ua))
    system = 'Windows'
  else if (/Macintosh|Mac OS X/.test(ua))
    system = 'Mac'
  else if (/CrOS/.test(ua))
    system = 'ChromeOS'
  else if (/Linux/.test(ua))
    system = 'Linux'
  if (android) {
    // Chrome's reduced User-Agent says `K` for the model; a WebView still names it.
    const named = android[1]!.replace(/\s*Build\/.*$/, '').trim()
    if (named && named !== 'K' && !/^wv$/i.test(named) && !/^[a-z]{2}[-_][a-z]{2}$/i.test(named))
      model = named.slice(0, 30)
  }
  const browsers: [RegExp, string][] = [
    [/MicroMessenger/, 'WeChat'],
    [/DingTalk/, 'DingTalk'],
    [/MQQBrowser|QQBrowser/, 'QQ Browser'],
    [/UCBrowser/, 'UC'],
    [/HuaweiBrowser/, 'Huawei Browser'],
    [/MiuiBrowser/, 'Mi Browser'],
    [/EdgA?\//, 'Edge'],
    [/Firefox|FxiOS/, 'Firefox'],
    [/Chrome|CriOS|Chromium/, 'Chrome'],
    [/Safari/, 'Safari'],
  ]
  const browser = browsers.find(([re]) => re.test(ua))?.[1] ?? null
  const parts = [system, model, browser].filter((p): p is string => Boolean(p))
  return parts.length > 0 ? parts.join(' · ') : null
}
