import type { FastifyInstance } from 'fastify'
import type { MaterialBodyResponse, SyncResponse } from '../../src/domain/wire'
import { Buffer } from 'node:buffer'
import { randomUUID } from 'node:crypto'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { joinAs, studyChange, sync, syncOk, useApp } from './support/api'
import { sqliteBackend, useStorage } from './support/backends'

/**
 * The API's JSON is sent compressed to a client that accepts it (issue #11: a phone restoring a year
 * of records on a slow line). Compression happens after the answer is built, the same for either
 * database: one backend is enough.
 */
describe('aPI answers sent compressed', () => {
  const ctx = useStorage(sqliteBackend)
  const served = useApp(() => ctx.storage)
  let token: string
  let secretaryToken: string
  let app: FastifyInstance

  beforeAll(async () => {
    app = served.app
    const branch = await ctx.storage.createBranch('压缩支部')
    token = (await joinAs(app, branch.memberInviteCode, '压缩党员')).token
    secretaryToken = (await joinAs(app, branch.secretaryInviteCode, '压缩书记')).token
    const changes = Array.from({ length: 120 }, (_, i) => studyChange(randomUUID(), 1_700_000_000_000 + i, { topic: `学习习近平新时代中国特色社会主义思想第${i}讲`, minutes: 30 + (i % 60) }))
    await syncOk(app, token, { clientId: 'device-a', changes })
  })

  const pull = (acceptEncoding?: string) => sync(app, token, { clientId: 'device-b', cursor: null }, acceptEncoding ? { headers: { 'accept-encoding': acceptEncoding } } : {})

  it('sends a large pull brotli or gzip as the client accepts, with the same JSON as uncompressed', async () => {
    const plain = await pull()
    expect(plain.statusCode, plain.body).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    const expected = plain.json<SyncResponse>()
    expect(expected.changes.length).toBe(120)

    const br = await pull('gzip, deflate, br')
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.headers['content-type']).toMatch(/application\/json/)
    const brBody = brotliDecompressSync(br.rawPayload)
    expect(br.rawPayload.length).toBeLessThan(brBody.length / 4)
    expect(JSON.parse(brBody.toString('utf8'))).toEqual(expected)

    const gz = await pull('gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(expected)
  })

  it('leaves small answers and errors as they are: compressing them saves less than it costs', async () => {
    const health = await app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'accept-encoding': 'br' } })
    expect(health.statusCode).toBe(200)
    expect(health.headers['content-encoding']).toBeUndefined()
    expect(Buffer.byteLength(health.body)).toBeLessThan(1024)
    const refused = await sync(app, 'not-a-token', {}, { headers: { 'accept-encoding': 'br' } })
    expect(refused.statusCode).toBe(401)
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('unauthorized')
  })

  it('sends a material\'s text compressed with its decoded size in X-Body-Length, the 100% of the download\'s progress', async () => {
    const id = randomUUID()
    const body = '坚持党的自我革命，打铁必须自身硬。\n'.repeat(2_000)
    await syncOk(app, secretaryToken, { changes: [{ table: 'materials', id, updatedAt: 1000, data: { title: '压缩的资料', category: 'classic', body, studyBy: null, publishedAt: 1_764_000_000_000 } }] })
    const get = (acceptEncoding?: string) => app.inject({ method: 'GET', url: `/api/v1/materials/${id}`, headers: { authorization: `Bearer ${token}`, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } })

    const plain = await get()
    expect(plain.statusCode, plain.body).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers['content-type']).toMatch(/application\/json/)
    expect(plain.json<MaterialBodyResponse>()).toEqual({ id, updatedAt: 1000, body })
    expect(Number(plain.headers['x-body-length'])).toBe(plain.rawPayload.length)

    const br = await get('br, gzip')
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    const decoded = brotliDecompressSync(br.rawPayload)
    expect(br.rawPayload.length).toBeLessThan(decoded.length / 10)
    expect(Number(br.headers['x-body-length'])).toBe(decoded.length)
    expect(JSON.parse(decoded.toString('utf8'))).toEqual({ id, updatedAt: 1000, body })
  })
})
