import type { Locale } from '@/domain/locale'
import type { FieldIssue } from '@/domain/records'
import type {
  ApiErrorBody,
  CompletionResponse,
  ErrorCode,
  HealthResponse,
  JoinRequest,
  JoinResponse,
  MaterialBodyResponse,
  MeResponse,
  SetupRequest,
  SetupResponse,
  SyncRequest,
  SyncResponse,
} from '@/domain/wire'
import { API_PREFIX } from '@/domain/wire'

export type { MaterialBodyResponse } from '@/domain/wire'

/** A failed API call: the server's error body, or code `'network'` (status 0) when no answer came. */
export class ApiError extends Error {
  status: number
  code: ErrorCode | 'network'
  details: FieldIssue[]

  constructor(status: number, code: ErrorCode | 'network', message: string, details: FieldIssue[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

/** Where requests go and who sends them; the stores keep this up to date. */
export interface ApiContext {
  /** Origin the API lives on; `''` = the app's own origin (tests point it at a loopback server). */
  baseUrl: string
  token: string | null
  locale: Locale
  /** A request that gets no answer in this long fails as `'network'`. */
  timeoutMs: number
}

const context: ApiContext = { baseUrl: '', token: null, locale: 'zh-CN', timeoutMs: 30_000 }

/** Sets where the API is and the credentials/language it is called with (only the given fields change). */
export function configureApi(changes: Partial<ApiContext>): void {
  Object.assign(context, changes)
}

/** The current API settings (a copy). */
export function apiContext(): Readonly<ApiContext> {
  return { ...context }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as ApiErrorBody | null)?.error
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string'
}

/** The protocol's code for a status, for answers without an error body (e.g. from a proxy). */
function codeForStatus(status: number): ErrorCode {
  const codes: Record<number, ErrorCode> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large', 429: 'rate_limited' }
  return codes[status] ?? (status >= 500 ? 'server_error' : 'validation_failed')
}

/** The HTTP methods the API uses. */
export type ApiMethod = 'GET' | 'POST' | 'PATCH' | 'PUT'

/**
 * One call to `/api/v1` + `path` with the session's bearer and language, answered 2xx; anything else
 * rejects with `ApiError` (no answer at all: code `'network'`). JSON calls go through `apiRequest`;
 * the secretary's file exports read the `Response` themselves.
 */
export async function apiResponse(method: ApiMethod, path: string, body?: unknown, accept = 'application/json', timeoutMs = context.timeoutMs, token = context.token): Promise<Response> {
  const headers: Record<string, string> = { 'Accept': accept, 'Accept-Language': context.locale }
  if (token)
    headers.Authorization = `Bearer ${token}`
  if (body !== undefined)
    headers['Content-Type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(`${context.baseUrl}${API_PREFIX}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Safari before 16 has no AbortSignal.timeout; there a request simply waits for the network.
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeoutMs) : undefined,
    })
  }
  catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause))
  }
  if (response.ok)
    return response
  let parsed: unknown = null
  try {
    parsed = await response.json()
  }
  catch {
    // A proxy's HTML error page or an empty body: judged by the status alone below.
  }
  if (isErrorBody(parsed))
    throw new ApiError(response.status, parsed.error.code, parsed.error.message, parsed.error.details ?? [])
  throw new ApiError(response.status, codeForStatus(response.status), `HTTP ${response.status}`)
}

/** One JSON call to `/api/v1` + `path`; resolves with the parsed answer, rejects with `ApiError`. `token` stands in for the member's (an organisation secretary's, issue #14). */
export async function apiRequest<T>(method: ApiMethod, path: string, body?: unknown, token = context.token): Promise<T> {
  const response = await apiResponse(method, path, body, 'application/json', context.timeoutMs, token)
  try {
    return await response.json() as T
  }
  catch {
    // A 2xx without a JSON body (e.g. 204).
    return null as T
  }
}

/** Bytes of a download so far, and its size from `Content-Length` (null when the server did not say). */
export type DownloadProgress = (received: number, total: number | null) => void

/** How long a material's text may take to arrive before the download counts as failed. */
export const MATERIAL_DOWNLOAD_TIMEOUT_MS = 5 * 60_000

/** Reads a response body as text, reporting bytes as they arrive. */
async function readWithProgress(response: Response, onProgress?: DownloadProgress): Promise<string> {
  // The decoded size: X-Body-Length, else Content-Length when the body is not compressed (a
  // compressed one's counts the wire's bytes, fewer than the decoded ones the reader counts).
  const declared = response.headers.get('X-Body-Length') ?? (response.headers.get('Content-Encoding') ? null : response.headers.get('Content-Length'))
  const length = Number(declared)
  const total = Number.isFinite(length) && length > 0 ? length : null
  onProgress?.(0, total)
  if (!response.body)
    return response.text()
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  const chunks: string[] = []
  let received = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done)
      break
    received += value.byteLength
    chunks.push(decoder.decode(value, { stream: true }))
    onProgress?.(received, total)
  }
  chunks.push(decoder.decode())
  return chunks.join('')
}

/** `GET /materials/:id`, streamed so the caller can show 下载中 N%; a connection broken mid-way is `'network'`. */
async function materialBody(id: string, onProgress?: DownloadProgress): Promise<MaterialBodyResponse> {
  // The timeout covers the whole text: a 300 KB material on a weak rural connection takes minutes.
  const response = await apiResponse('GET', `/materials/${encodeURIComponent(id)}`, undefined, 'application/json', MATERIAL_DOWNLOAD_TIMEOUT_MS)
  let answer: Partial<MaterialBodyResponse> | null = null
  try {
    answer = JSON.parse(await readWithProgress(response, onProgress)) as Partial<MaterialBodyResponse> | null
  }
  catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause))
  }
  if (typeof answer?.body !== 'string' || typeof answer.updatedAt !== 'number')
    throw new ApiError(0, 'network', 'The material download was cut short')
  return { id, updatedAt: answer.updatedAt, body: answer.body }
}

/** The study-log HTTP API (`/api/v1`, see PROTOCOL.md). Every method rejects with `ApiError`. */
export const api = {
  /** `GET /health`. */
  health: () => apiRequest<HealthResponse>('GET', '/health'),
  /** `POST /join`: a member or secretary invite code and the member's name. */
  join: (req: JoinRequest) => apiRequest<JoinResponse>('POST', '/join', req),
  /** `POST /setup`: the one-time first-run link creates the branch and its secretary. */
  setup: (req: SetupRequest) => apiRequest<SetupResponse>('POST', '/setup', req),
  /** `GET /setup?code=`: whether a setup link is still live. */
  checkSetup: (code: string) => apiRequest<{ valid: boolean }>('GET', `/setup?code=${encodeURIComponent(code)}`),
  /** `GET /me`: the signed-in member. */
  me: () => apiRequest<MeResponse>('GET', '/me'),
  /** `POST /sync`: push changes and pull a page of rows after `cursor`. */
  sync: (req: SyncRequest) => apiRequest<SyncResponse>('POST', '/sync', req),
  /** `GET /branch/completion`: the week's completion (secretary only); defaults to this week. */
  completion: (week?: string) => apiRequest<CompletionResponse>('GET', week ? `/branch/completion?week=${encodeURIComponent(week)}` : '/branch/completion'),
  /** `GET /materials/:id`: a material's text (`{ id, updatedAt, body }`), reporting download progress. */
  materialBody,
}

export type Api = typeof api
