import type { FastifyInstance } from 'fastify'
import type { MemberHistory } from '../../../src/domain/branch'
import { expect } from 'vitest'

/** Helpers for the membership history endpoints (issue #12): 入支部日期, 转出/离开, 在职/退休 from a day. */

async function send(app: FastifyInstance, token: string, method: 'PATCH' | 'POST' | 'DELETE' | 'GET', url: string, payload?: unknown, status = 200): Promise<MemberHistory> {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status)
  return res.json<MemberHistory>()
}

/** Members who were in the branch before their phones joined: their 入支部日期 is `date`. */
export async function joinedOn(app: FastifyInstance, secretaryToken: string, memberIds: readonly string[], date: string): Promise<void> {
  for (const id of memberIds)
    await send(app, secretaryToken, 'PATCH', `/api/v1/branch/members/${id}/membership`, { joinedOn: date })
}

/** 在职 (`retired: false`) or 退休 from `from` on. */
export function statusFrom(app: FastifyInstance, secretaryToken: string, memberId: string, retired: boolean, from: string): Promise<MemberHistory> {
  return send(app, secretaryToken, 'POST', `/api/v1/branch/members/${memberId}/status`, { retired, from }, 201)
}

/** 转出/离开 on `leftOn` (null takes the member back). */
export function leaves(app: FastifyInstance, secretaryToken: string, memberId: string, leftOn: string | null, leftReason?: string): Promise<MemberHistory> {
  return send(app, secretaryToken, 'PATCH', `/api/v1/branch/members/${memberId}/membership`, { leftOn, ...(leftReason ? { leftReason } : {}) })
}

export function historyOf(app: FastifyInstance, secretaryToken: string, memberId: string): Promise<MemberHistory> {
  return send(app, secretaryToken, 'GET', `/api/v1/branch/members/${memberId}/history`)
}
