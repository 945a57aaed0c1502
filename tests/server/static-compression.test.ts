import type { FastifyInstance } from 'fastify'
import { Buffer } from 'node:buffer'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app'
import { sqliteBackend, useStorage } from './support/backends'

const SCRIPT = `console.log(${JSON.stringify('学习打卡 '.repeat(400))})`
const SHELL = `<!doctype html><title>学习打卡 shell</title>${'<!-- padding -->'.repeat(100)}`
const WORKER = `self.addEventListener("fetch", () => {})${' '.repeat(2000)}`

// The build writes x.br and x.gz beside its text files (vite.config.ts precompress); the server
// sends them as they are. Static serving does not touch the database: one backend is enough.
describe('static files sent compressed', () => {
  const ctx = useStorage(sqliteBackend)
  let dir: string
  let app: FastifyInstance

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'study-log-dist-'))
    mkdirSync(join(dir, 'assets'))
    for (const [name, body] of [['index.html', SHELL], ['sw.js', WORKER], ['assets/index-3f2a1b.js', SCRIPT]] as const) {
      writeFileSync(join(dir, name), body)
      writeFileSync(join(dir, `${name}.br`), brotliCompressSync(body))
      writeFileSync(join(dir, `${name}.gz`), gzipSync(body))
    }
    // A file the build left uncompressed (too small to gain) is sent as it is.
    writeFileSync(join(dir, 'assets', 'tiny-1a2b.css'), 'body{}')
    app = await buildApp({ storage: ctx.storage, staticDir: dir })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const get = (url: string, acceptEncoding?: string) => app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} })

  it('sends brotli to a browser that accepts it, gzip to one that accepts only gzip, the file itself otherwise', async () => {
    const br = await get('/assets/index-3f2a1b.js', 'gzip, deflate, br, zstd')
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['content-type']).toMatch(/javascript/)
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT)
    expect(br.rawPayload.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 4)

    const gz = await get('/assets/index-3f2a1b.js', 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT)

    const plain = await get('/assets/index-3f2a1b.js')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body).toBe(SCRIPT)

    const tiny = await get('/assets/tiny-1a2b.css', 'br')
    expect(tiny.statusCode).toBe(200)
    expect(tiny.headers['content-encoding']).toBeUndefined()
    expect(tiny.body).toBe('body{}')
  })

  it('sends the app shell compressed for / and the deep links, and the worker with no-cache', async () => {
    for (const url of ['/', '/index.html', '/study', '/join?code=abc123']) {
      const res = await get(url, 'br, gzip')
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-encoding'], url).toBe('br')
      expect(res.headers['content-type'], url).toMatch(/text\/html/)
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expect(brotliDecompressSync(res.rawPayload).toString(), url).toBe(SHELL)
    }
    const worker = await get('/sw.js', 'gzip')
    expect(worker.headers['content-encoding']).toBe('gzip')
    expect(worker.headers['cache-control']).toBe('no-cache')
    expect(gunzipSync(worker.rawPayload).toString()).toBe(WORKER)
  })

  it('never hands out the compressed copies under their own names as something else', async () => {
    const res = await get('/assets/index-3f2a1b.js.br')
    // Asked for by name, it is the brotli bytes as a file, not JavaScript with an encoding.
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.headers['content-type'] ?? '').not.toMatch(/javascript/)
  })
})
