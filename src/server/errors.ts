import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Locale } from '../domain/locale'
import type { FieldIssue } from '../domain/records'
import type { ApiErrorBody, ErrorCode } from '../domain/wire'
import type { ServerMessageKey } from './i18n'
import { Buffer } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import { pickLocale } from '../domain/locale'
import { t } from './i18n'

/** The HTTP status of each protocol error code. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  invalid_invite: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  expectation_failed: 417,
  headers_too_large: 431,
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
      return new ApiError('validation_failed', 'contentType')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('validation_failed', 'contentLength')
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

// The Accept-Language of a request the HTTP parser refused, read from the bytes it had parsed.
function rawLocale(error: { rawPacket?: unknown }): Locale {
  const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : ''
  return pickLocale(/\r\naccept-language:([^\r\n]*)/i.exec(raw)?.[1]?.trim())
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before Fastify sees a request (a
 * bad or doubled Content-Length, Transfer-Encoding beside it, a bad chunk, headers over 16 KB, a
 * malformed request line) is answered with the protocol's body too, written as a raw HTTP/1.1
 * response since there is no reply object; the connection is then closed, as the parser cannot
 * tell where the next request would start.
 */
export function answerClientError(error: Error & { code?: string, rawPacket?: unknown }, socket: Socket): void {
  // A reset peer, or a socket already closed or mid-response, gets nothing more.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight?.headersSent) {
    socket.destroy()
    return
  }
  const [status, code, key]: [number, ErrorCode, ServerMessageKey] = error.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'headers_too_large', 'headersTooLarge']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'validation_failed', 'requestTimeout']
      : [400, 'validation_failed', 'badHttp']
  const body = JSON.stringify(errorBody(rawLocale(error), code, key))
  socket.end([
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
    '',
    body,
  ].join('\r\n'))
}

/**
 * The HTTP server's `checkExpectation` listener: a request whose `Expect` is not `100-continue`
 * (which Node meets itself) gets 417 with the protocol's body, where Node alone sends it empty.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify(errorBody(pickLocale(request.headers['accept-language']), 'expectation_failed', 'expectUnmet'))
  response.writeHead(417, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    // The body the client may still send would be read as the next request.
    'Connection': 'close',
  })
  response.end(body)
}

/**
 * onRequest hook: an HTTP/1.1 request must name its Host (RFC 9112 §3.2). Node refuses one without
 * with an empty 400 of its own, so the server lets it through (`requireHostHeader: false`) and
 * refuses it here with the protocol's body. HTTP/1.0 has no Host to require.
 */
export async function requireHost(request: FastifyRequest): Promise<void> {
  const { httpVersionMajor: major, httpVersionMinor: minor } = request.raw
  if (request.headers.host === undefined && (major > 1 || (major === 1 && minor >= 1)))
    throw new ApiError('validation_failed', 'hostRequired')
}

/** True for paths that belong to the API (never answered with the app's index.html). */
export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/')
}
