import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto'

/** Bearer tokens: 256 random bits, base64url; only their sha256 is ever stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex')
}

// No 0/O, 1/I/L: codes are read aloud and typed on phones.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

/** A human-typable code: `length` characters from an unambiguous upper-case alphabet. */
export function newHumanCode(length = 8): string {
  let code = ''
  for (let i = 0; i < length; i++)
    code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return code
}

/** What a person typed, as stored: upper case, without spaces or dashes. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase()
}

export const newId = (): string => randomUUID()

/** A member's id seed: 128 random bits, hex (only the member's own devices ever see it). */
export function newIdSeed(): string {
  return randomBytes(16).toString('hex')
}
