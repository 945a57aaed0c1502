import type { FastifyInstance } from 'fastify'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app'
import { expectError } from './support/api'
import { sqliteBackend, useStorage } from './support/backends'

// Static serving does not touch the database: one backend is enough.
describe('static app serving', () => {
  const ctx = useStorage(sqliteBackend)
  let dir: string
  let app: FastifyInstance

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'study-log-dist-'))
    mkdirSync(join(dir, 'assets'))
    mkdirSync(join(dir, 'icons'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>学习打卡 shell</title>')
    writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})')
    writeFileSync(join(dir, 'registerSW.js'), '// register')
    writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"学习打卡"}')
    writeFileSync(join(dir, 'assets', 'index-3f2a1b.js'), 'console.log(1)')
    writeFileSync(join(dir, 'assets', 'index-3f2a1b.css'), 'body{}')
    writeFileSync(join(dir, 'icons', 'icon-192.png'), 'png')
    app = await buildApp({ storage: ctx.storage, staticDir: dir })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves index.html and the worker files with no-cache, hashed assets as immutable', async () => {
    const index = await app.inject({ method: 'GET', url: '/' })
    expect(index.statusCode).toBe(200)
    expect(index.body).toContain('学习打卡 shell')
    expect(index.headers['content-type']).toMatch(/text\/html/)
    expect(index.headers['cache-control']).toBe('no-cache')
    for (const file of ['/index.html', '/sw.js', '/registerSW.js', '/manifest.webmanifest']) {
      const res = await app.inject({ method: 'GET', url: file })
      expect(res.statusCode, file).toBe(200)
      expect(res.headers['cache-control'], file).toBe('no-cache')
    }
    for (const file of ['/assets/index-3f2a1b.js', '/assets/index-3f2a1b.css']) {
      const res = await app.inject({ method: 'GET', url: file })
      expect(res.statusCode, file).toBe(200)
      expect(res.headers['cache-control'], file).toBe('public, max-age=31536000, immutable')
    }
    const icon = await app.inject({ method: 'GET', url: '/icons/icon-192.png' })
    expect(icon.statusCode).toBe(200)
    expect(icon.headers['cache-control']).not.toMatch(/immutable/)
  })

  it('answers the app\'s deep links with index.html (SPA fallback)', async () => {
    for (const url of ['/setup?code=abc123', '/study', '/study/new', '/me', '/branch', '/join/']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body, url).toContain('学习打卡 shell')
      expect(res.headers['cache-control'], url).toBe('no-cache')
    }
  })

  it('keeps API paths, missing files and other methods out of the fallback', async () => {
    for (const url of ['/api/v1/nope', '/api/v1/', '/api/', '/api/v2/x']) {
      const error = expectError(await app.inject({ method: 'GET', url }), 404, 'not_found')
      expect(error.message).toBeTruthy()
    }
    for (const url of ['/assets/missing-1234.js', '/favicon.ico', '/robots.txt'])
      expectError(await app.inject({ method: 'GET', url }), 404, 'not_found')
    expectError(await app.inject({ method: 'POST', url: '/study', payload: {} }), 404, 'not_found')
    // The API still works beside the static files.
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200)
  })

  it('never serves files outside the static directory', async () => {
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/assets/../../package.json', '/..%2fpackage.json']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.body, url).not.toContain('"name": "study-log"')
      expect(res.statusCode, url).toBeLessThan(500)
    }
  })

  it('sends the CSP the built app works under, without upgrade-insecure-requests, HSTS or COEP', async () => {
    const res = await app.inject({ method: 'GET', url: '/study' })
    const csp = String(res.headers['content-security-policy'])
    const directives = Object.fromEntries(csp.split(';').map(d => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]))
    expect(directives).toMatchObject({
      'default-src': '\'self\'',
      'script-src': '\'self\'',
      'style-src': '\'self\' \'unsafe-inline\'',
      'img-src': '\'self\' data: blob:',
      'connect-src': '\'self\'',
      'worker-src': '\'self\'',
      'manifest-src': '\'self\'',
      'font-src': '\'self\' data:',
    })
    expect(csp).not.toContain('upgrade-insecure-requests')
    expect(res.headers['strict-transport-security']).toBeUndefined()
    expect(res.headers['cross-origin-embedder-policy']).toBeUndefined()
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    // API responses carry the same headers.
    const api = await app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(api.headers['content-security-policy']).toBe(csp)
  })

  it('serves only the API when there is no static directory', async () => {
    const apiOnly = await buildApp({ storage: ctx.storage, staticDir: null })
    try {
      expectError(await apiOnly.inject({ method: 'GET', url: '/' }), 404, 'not_found')
      expectError(await apiOnly.inject({ method: 'GET', url: '/study' }), 404, 'not_found')
      expect((await apiOnly.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200)
    }
    finally {
      await apiOnly.close()
    }
  })
})
