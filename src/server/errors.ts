import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Locale } from '../domain/locale'
import type { FieldIssue } from '../domain/records'
import type { ApiErrorBody, ErrorCode } from '../domain/wire'
import type { ServerMessageKey } from './i18n'
import { pickLocale } from '../domain/locale'
import { t } from './i18n'

/** The HTTP status of each protocol error code. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  invalid_invite: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  server_error: 500,
}

/** An error the client caused, carried to the error handler and sent as the protocol body. */
export class ApiError extends Error {
  readonly statusCode: number
  constructor(
    readonly code: ErrorCode,
    readonly messageKey: ServerMessageKey,
    readonly details?: FieldIssue[],
    readonly params: Record<string, string | number> = {},
  ) {
    super(messageKey)
    this.statusCode = ERROR_STATUS[code]
  }
}

/** The language of a request's messages, from its `Accept-Language`. */
export function localeOf(request: FastifyRequest): Locale {
  return pickLocale(request.headers['accept-language'])
}

export function errorBody(locale: Locale, code: ErrorCode, key: ServerMessageKey, details?: FieldIssue[], params?: Record<string, string | number>): ApiErrorBody {
  return { error: { code, message: t(locale, key, params), ...(details ? { details } : {}) } }
}

/** 400 with field details; the message repeats them so a person can act on the message alone. */
export function validationError(details: FieldIssue[], locale: Locale): ApiError {
  return new ApiError('validation_failed', 'validationFailed', details, { issues: joinIssues(details, locale) })
}

/** Field messages as one sentence, in the locale's list punctuation. */
export function joinIssues(details: readonly FieldIssue[], locale: Locale): string {
  return [...new Set(details.map(d => d.message))].join(locale === 'en' ? '; ' : '；')
}

// Fastify's own client errors (content type, JSON syntax, body size), re-worded as the protocol says.
function fromFastifyError(error: FastifyError): ApiError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', 'payloadTooLarge')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('validation_failed', 'contentType')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('validation_failed', 'bodyRequired')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('validation_failed', 'bodyNotJson')
  }
  if (error instanceof SyntaxError)
    return new ApiError('validation_failed', 'bodyNotJson')
  // Other client errors from plugins (e.g. a path @fastify/static refuses) keep their meaning.
  switch (error.statusCode) {
    case 401: return new ApiError('unauthorized', 'unauthorized')
    case 403: return new ApiError('forbidden', 'forbidden')
    case 404: return new ApiError('not_found', 'notFound')
    case 413: return new ApiError('payload_too_large', 'payloadTooLarge')
    case 415: return new ApiError('validation_failed', 'contentType')
    case 429: return new ApiError('rate_limited', 'rateLimited', undefined, { seconds: 60 })
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return new ApiError('validation_failed', 'badRequest')
  return null
}

/** Every error leaves as the protocol body; 5xx are logged and sent only as a generic message. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const locale = localeOf(request)
    const apiError = error instanceof ApiError ? error : fromFastifyError(error)
    if (apiError) {
      return reply.status(apiError.statusCode).send(errorBody(locale, apiError.code, apiError.messageKey, apiError.details, apiError.params))
    }
    request.log.error({ err: error }, 'request failed')
    return reply.status(500).send(errorBody(locale, 'server_error', 'serverError'))
  })
}

/** True for paths that belong to the API (never answered with the app's index.html). */
export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/')
}
