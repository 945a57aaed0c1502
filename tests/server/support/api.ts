import type { FastifyInstance, InjectOptions } from 'fastify'
import type { StudyCheckinData } from '../../../src/domain/records'
import type { CompletionResponse, JoinResponse, SyncChangeIn, SyncResponse } from '../../../src/domain/wire'
import type { BuildAppOptions } from '../../../src/server/app'
import type { Storage } from '../../../src/server/storage'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import { addDays, todayIn } from '../../../src/domain/week'
import { buildApp } from '../../../src/server/app'

/** Helpers that speak to the app exactly as a client would: JSON over `inject()`. */

export const today = (): string => todayIn()
export const daysAgo = (n: number): string => addDays(today(), -n)

/** An app over the storage for the enclosing describe block, with limits loose enough for tests. */
export function useApp(get: () => Storage, opts: Partial<BuildAppOptions> = {}): { readonly app: FastifyInstance } {
  let app: FastifyInstance | undefined
  beforeAll(async () => {
    app = await buildApp({ storage: get(), rateLimits: { join: 10_000, sync: 100_000, auth: 10_000 }, ...opts })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
  })
  return {
    get app() {
      if (!app)
        throw new Error('app is not ready')
      return app
    },
  }
}

export interface Member { token: string, id: string, branchId: string, name: string }

let ipCounter = 0
/** A distinct client address per call, so per-address rate limits never couple tests. */
export const freshIp = (): string => `10.${(++ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`

export async function joinAs(app: FastifyInstance, inviteCode: string, name: string): Promise<Member> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode, name }, remoteAddress: freshIp() })
  expect(res.statusCode, res.body).toBe(201)
  const body = res.json<JoinResponse>()
  return { token: body.token, id: body.member.id, branchId: body.member.branchId, name }
}

/** A new branch with one secretary and `members` plain members. */
export async function branchWith(app: FastifyInstance, storage: Storage, memberNames: string[], secretaryName = '书记'): Promise<{ branchId: string, secretary: Member, members: Member[], memberInviteCode: string }> {
  const branch = await storage.createBranch(`支部-${randomUUID().slice(0, 6)}`)
  const secretary = await joinAs(app, branch.secretaryInviteCode, secretaryName)
  const members: Member[] = []
  for (const name of memberNames)
    members.push(await joinAs(app, branch.memberInviteCode, name))
  return { branchId: branch.branchId, secretary, members, memberInviteCode: branch.memberInviteCode }
}

export function checkin(overrides: Partial<StudyCheckinData> = {}): StudyCheckinData {
  return { date: today(), form: 'branch_study', topic: '学习党的二十大精神', minutes: 60, ...overrides }
}

export function studyChange(id: string, updatedAt: number, data: Partial<StudyCheckinData> = {}): SyncChangeIn {
  return { table: 'studyCheckins', id, updatedAt, data: checkin(data) }
}

export async function sync(app: FastifyInstance, token: string, body: Record<string, unknown>, extra: Partial<InjectOptions> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/sync',
    headers: { authorization: `Bearer ${token}`, ...(extra.headers ?? {}) },
    payload: { clientId: 'device-a', cursor: null, changes: [], ...body },
    ...(extra.remoteAddress ? { remoteAddress: extra.remoteAddress } : {}),
  })
}

/** A sync that must succeed; returns the body. */
export async function syncOk(app: FastifyInstance, token: string, body: { clientId?: string, cursor?: string | null, changes?: unknown[] }): Promise<SyncResponse> {
  const res = await sync(app, token, body)
  expect(res.statusCode, res.body).toBe(200)
  return res.json<SyncResponse>()
}

/** Pulls from `cursor` until `hasMore` is false; every change seen, in order. */
export async function pullAll(app: FastifyInstance, token: string, cursor: string | null = null): Promise<{ changes: SyncResponse['changes'], pages: number, cursor: string | null }> {
  const changes: SyncResponse['changes'] = []
  let pages = 0
  for (;;) {
    const body = await syncOk(app, token, { cursor })
    pages++
    changes.push(...body.changes)
    cursor = body.cursor
    if (!body.hasMore)
      return { changes, pages, cursor }
  }
}

export async function completion(app: FastifyInstance, token: string, week?: string) {
  return app.inject({ method: 'GET', url: `/api/v1/branch/completion${week ? `?week=${encodeURIComponent(week)}` : ''}`, headers: { authorization: `Bearer ${token}` } })
}

export type { CompletionResponse }

/** Asserts the protocol's error body and returns it. */
export function expectError(res: { statusCode: number, body: string, headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status)
  expect(String(res.headers['content-type'])).toMatch(/application\/json/)
  const body = JSON.parse(res.body) as { error: { code: string, message: string, details?: { path: string, message: string }[] } }
  expect(body.error.code).toBe(code)
  expect(typeof body.error.message).toBe('string')
  expect(body.error.message.length).toBeGreaterThan(0)
  return body.error
}

export const uuid = (): string => randomUUID()

/** A promise and the function that settles it (Node 20 has no Promise.withResolvers). */
export function resolvable(): { promise: Promise<void>, resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
