import type { FastifyInstance } from 'fastify'
import type { JoinResponse, SyncRequest, SyncResponse } from '@/domain/wire'
import type { Storage } from '@/server/storage'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '@/server/app'
import { openStorage } from '@/server/storage'

/** The real sync server (SQLite in a temp dir) listening on a free loopback port. */
export interface RealServer {
  baseUrl: string
  storage: Storage
  app: FastifyInstance
  close: () => Promise<void>
}

export async function startRealServer(options: { setupCode?: string } = {}): Promise<RealServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'study-log-app-unit-'))
  const storage = await openStorage({ dataDir })
  const app = await buildApp({ storage, staticDir: null, setupCode: options.setupCode ?? null, rateLimits: { join: 10_000, sync: 100_000, auth: 10_000 } })
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    baseUrl,
    storage,
    app,
    async close() {
      await app.close()
      await storage.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** Plain HTTP to the server as another device or member would speak it (not through the app's client). */
export async function httpJson<T>(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<{ status: number, body: T }> {
  const headers: Record<string, string> = {}
  if (body !== undefined)
    headers['Content-Type'] = 'application/json'
  if (token)
    headers.Authorization = `Bearer ${token}`
  const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: response.status, body: await response.json() as T }
}

/** Joins a branch over HTTP and returns the new member's token and info. */
export async function joinOverHttp(baseUrl: string, inviteCode: string, name: string): Promise<JoinResponse> {
  const { status, body } = await httpJson<JoinResponse>(baseUrl, 'POST', '/join', { inviteCode, name })
  if (status !== 201)
    throw new Error(`join failed: ${status} ${JSON.stringify(body)}`)
  return body
}

/** A sync request from "another device" of a member (its own clientId), over HTTP. */
export async function syncOverHttp(baseUrl: string, token: string, request: SyncRequest): Promise<SyncResponse> {
  const { status, body } = await httpJson<SyncResponse>(baseUrl, 'POST', '/sync', request, token)
  if (status !== 200)
    throw new Error(`sync failed: ${status} ${JSON.stringify(body)}`)
  return body
}

/** Pulls every row the member can read, from the start, as a fresh device would. */
export async function pullEverything(baseUrl: string, token: string): Promise<SyncResponse['changes']> {
  const rows: SyncResponse['changes'] = []
  let cursor: string | null = null
  for (;;) {
    const page: SyncResponse = await syncOverHttp(baseUrl, token, { clientId: crypto.randomUUID(), cursor, changes: [] })
    rows.push(...page.changes)
    cursor = page.cursor
    if (!page.hasMore)
      return rows
  }
}
