import type { FastifyRequest } from 'fastify'
import type { Locale } from '../domain/locale'
import type { FieldIssue } from '../domain/records'
import type { ServerMessageKey } from './i18n'
import { fieldMessage } from '../domain/messages'
import { charLength, isStorableText } from '../domain/records'
import { ApiError, localeOf, validationError } from './errors'
import { t } from './i18n'

/** The request body as a plain JSON object, or a 400 that says what was sent instead. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '')
    throw new ApiError('validation_failed', 'bodyRequired')
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ApiError('validation_failed', 'bodyNotObject')
  return body as Record<string, unknown>
}

// The domain's text rule (characters counted as code points, no U+0000 or lone surrogate) serves
// every text the server takes outside a record too, so the two never disagree.
export { charLength, isStorableText }

/** The issue for text the database cannot keep as sent, at `path`. */
export function unstorableIssue(path: string, locale: Locale): FieldIssue {
  return { path, message: fieldMessage('unstorableText', locale) }
}

/**
 * A trimmed text field of `min`–`max` characters; on failure pushes an issue at `path` and
 * returns null.
 */
export function textField(value: unknown, path: string, min: number, max: number, key: ServerMessageKey, locale: Locale, issues: FieldIssue[]): string | null {
  const text = typeof value === 'string' ? value.trim() : null
  if (text !== null && !isStorableText(text)) {
    issues.push(unstorableIssue(path, locale))
    return null
  }
  if (text === null || charLength(text) < min || charLength(text) > max) {
    issues.push({ path, message: t(locale, key) })
    return null
  }
  return text
}

/**
 * onRequest hook: a query-string name or value the database could not keep (U+0000, a lone
 * surrogate) is refused at once, naming the parameter, before any route hands it to a query.
 */
export async function refuseUnstorableQuery(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined
  if (!query || typeof query !== 'object')
    return
  const issues: FieldIssue[] = []
  for (const [name, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw]
    if (!isStorableText(name) || values.some(value => typeof value === 'string' && !isStorableText(value)))
      issues.push(unstorableIssue(name, localeOf(request)))
  }
  if (issues.length > 0)
    throw validationError(issues, localeOf(request))
}
