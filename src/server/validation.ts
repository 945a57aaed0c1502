import type { Locale } from '../domain/locale'
import type { FieldIssue } from '../domain/records'
import type { ServerMessageKey } from './i18n'
import { ApiError } from './errors'
import { t } from './i18n'

/** The request body as a plain JSON object, or a 400 that says what was sent instead. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '')
    throw new ApiError('validation_failed', 'bodyRequired')
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ApiError('validation_failed', 'bodyNotObject')
  return body as Record<string, unknown>
}

/** Length in characters as people count them (code points, not UTF-16 units). */
export const charLength = (s: string): number => [...s].length

/**
 * A trimmed text field of `min`–`max` characters; on failure pushes an issue at `path` and
 * returns null.
 */
export function textField(value: unknown, path: string, min: number, max: number, key: ServerMessageKey, locale: Locale, issues: FieldIssue[]): string | null {
  const text = typeof value === 'string' ? value.trim() : null
  if (text === null || charLength(text) < min || charLength(text) > max) {
    issues.push({ path, message: t(locale, key) })
    return null
  }
  return text
}
