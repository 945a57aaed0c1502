import type { MemberTable } from '../../../src/domain/records'
import type { CompletionResponse, JoinResponse, SyncChangeOut, SyncResponse } from '../../../src/domain/wire'

/** Calls the real HTTP API from the test process, as another client of PROTOCOL.md would. */
async function call<T>(baseUrl: string, method: string, route: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/api/v1${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok)
    throw new Error(`${method} ${route} → ${response.status}: ${text}`)
  return JSON.parse(text) as T
}

export function joinByApi(baseUrl: string, inviteCode: string, name: string): Promise<JoinResponse> {
  return call<JoinResponse>(baseUrl, 'POST', '/join', undefined, { inviteCode, name })
}

/** Every row the caller may read, pulled page by page from a null cursor with no changes pushed. */
export async function pullAll(baseUrl: string, token: string): Promise<SyncChangeOut[]> {
  const rows: SyncChangeOut[] = []
  let cursor: string | null = null
  for (let page = 0; page < 1000; page++) {
    const response: SyncResponse = await call<SyncResponse>(baseUrl, 'POST', '/sync', token, { clientId: 'browser-test-reader', cursor, changes: [] })
    rows.push(...response.changes)
    cursor = response.cursor
    if (!response.hasMore)
      return rows
  }
  throw new Error('pull never ended (hasMore stayed true)')
}

/** The live (non-deleted) study check-ins the server holds for the caller. */
export async function serverStudyCheckins(baseUrl: string, token: string): Promise<SyncChangeOut<'studyCheckins'>[]> {
  const rows = await pullAll(baseUrl, token)
  return rows.filter((r): r is SyncChangeOut<'studyCheckins'> => r.table === 'studyCheckins' && !r.deleted)
}

export function branchCompletion(baseUrl: string, token: string, week?: string): Promise<CompletionResponse> {
  return call<CompletionResponse>(baseUrl, 'GET', `/branch/completion${week ? `?week=${week}` : ''}`, token)
}

/** The live (non-deleted) rows of one table the server sends the caller. */
export async function serverRows<T extends MemberTable>(baseUrl: string, token: string, table: T): Promise<SyncChangeOut<T>[]> {
  const rows = await pullAll(baseUrl, token)
  return rows.filter((r): r is SyncChangeOut<T> => r.table === table && !r.deleted)
}

/** Pushes changes as another client of the protocol would (no pull: the cursor stays where it is). */
export function pushChanges(baseUrl: string, token: string, changes: unknown[]): Promise<SyncResponse> {
  return call<SyncResponse>(baseUrl, 'POST', '/sync', token, { clientId: 'browser-test-writer', cursor: null, changes })
}
