/**
 * The 签到码 as people type, read out and scan it: six digits. The QR code holds the sign-in page's
 * link with the code filled in (`/study/sign-in?code=123456`), so a phone's own camera app opens
 * 活动签到 ready to save, and the in-app scanner reads the code out of the same link.
 */

/** The sign-in page a session's QR code opens. */
export const SIGN_IN_PATH = '/study/sign-in'

const FULL_WIDTH_ZERO = 0xFF10

/**
 * The six digits of what a member typed, or null: spaces and dashes ignored (a code read out as
 * "123 456"), full-width digits from a Chinese keyboard taken as digits.
 */
export function normalizeSessionCode(typed: string): string | null {
  const digits = typed
    .replace(/[\uFF10-\uFF19]/g, d => String(d.charCodeAt(0) - FULL_WIDTH_ZERO))
    .replace(/[\s\-]/g, '')
  return /^\d{6}$/.test(digits) ? digits : null
}

/** The link a session's QR code holds. */
export function signInLink(origin: string, code: string): string {
  return `${origin}${SIGN_IN_PATH}?code=${encodeURIComponent(code)}`
}

/**
 * The code in a scanned QR text: the sign-in link's `code` (any origin: the member's phone may
 * reach the server by another address than the secretary's), or six digits alone. Null otherwise.
 */
export function codeFromScan(text: string): string | null {
  const trimmed = text.trim()
  const bare = normalizeSessionCode(trimmed)
  if (bare)
    return bare
  try {
    const url = new URL(trimmed)
    if (url.pathname !== SIGN_IN_PATH)
      return null
    return normalizeSessionCode(url.searchParams.get('code') ?? '')
  }
  catch {
    return null
  }
}

/** Six digits grouped for reading out: `123 456`. */
export function groupedCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code
}

/** One random 签到码: six digits, uniform over 000000–999999 (rejection sampling, no modulo bias). */
export function randomSessionCode(random: (buffer: Uint32Array) => Uint32Array = b => crypto.getRandomValues(b)): string {
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000
  const buffer = new Uint32Array(1)
  for (;;) {
    const value = random(buffer)[0]!
    if (value < limit)
      return String(value % 1_000_000).padStart(6, '0')
  }
}
