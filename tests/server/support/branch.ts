import type { FastifyInstance } from 'fastify'
import type { ProblemData, ServiceLogData } from '../../../src/domain/records'
import type { SyncChangeIn } from '../../../src/domain/wire'
import { expect } from 'vitest'
import { syncOk, today, uuid } from './api'

/** Helpers for the secretary's branch endpoints (issue #5): JSON over inject() with a bearer. */

export async function call(app: FastifyInstance, token: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

/** A call that must answer `status` (200 by default); returns the JSON body. */
export async function callOk<T = any>(app: FastifyInstance, token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, status = 200): Promise<T> {
  const res = await call(app, token, method, url, payload)
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status)
  return res.json<T>()
}

export function serviceChange(id: string, updatedAt: number, data: Partial<ServiceLogData> = {}): SyncChangeIn {
  return { table: 'serviceLogs', id, updatedAt, data: { date: today(), community: '东城社区', activity: 'volunteer', hours: 2, description: '', ...data } }
}

export function problemChange(id: string, updatedAt: number, data: Partial<ProblemData> = {}): SyncChangeIn {
  return { table: 'problems', id, updatedAt, data: { date: today(), community: '东城社区', category: 'livelihood', title: '楼道灯坏了', detail: '', ...data } }
}

/** Pushes changes as a member's device; every one must be applied. */
export async function push(app: FastifyInstance, token: string, changes: SyncChangeIn[], clientId = 'device-a'): Promise<void> {
  for (let i = 0; i < changes.length; i += 500) {
    const body = await syncOk(app, token, { clientId, changes: changes.slice(i, i + 500) })
    expect(body.results.filter(r => r.status !== 'applied'), JSON.stringify(body.results.filter(r => r.status !== 'applied'))).toEqual([])
  }
}

export { uuid }
