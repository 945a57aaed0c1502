import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/server/config'

describe('server configuration from the environment', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      databaseUrl: null,
      staticDir: 'dist',
      logLevel: 'info',
      rateLimits: { join: undefined, sync: undefined, auth: undefined },
      trustProxy: false,
    })
  })

  it('reads every variable', () => {
    expect(loadConfig({ PORT: '3000', HOST: '127.0.0.1', DATA_DIR: '/var/lib/study', DATABASE_URL: 'postgres://u@h/db', STATIC_DIR: 'out', LOG_LEVEL: 'debug', RATE_LIMIT_JOIN: '30', RATE_LIMIT_SYNC: '900', RATE_LIMIT_AUTH: '50', TRUST_PROXY: 'loopback' })).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/var/lib/study',
      databaseUrl: 'postgres://u@h/db',
      staticDir: 'out',
      logLevel: 'debug',
      rateLimits: { join: 30, sync: 900, auth: 50 },
      trustProxy: ['loopback'],
    })
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe('postgresql://u@h/db')
  })

  it('names every bad variable and what it should be', () => {
    let error: unknown
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })
    }
    catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const { problems, message } = error as ConfigError
    expect(problems).toHaveLength(3)
    expect(message).toMatch(/PORT="eighty": PORT must be a whole number/)
    expect(message).toMatch(/DATABASE_URL="mysql:\/\/x": DATABASE_URL must start with postgres:\/\//)
    expect(message).toMatch(/LOG_LEVEL="loud": LOG_LEVEL must be one of/)
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a whole number from 0 to 65535/)
  })

  it('reads TRUST_PROXY as Fastify\'s trustProxy: true, false or the proxy\'s addresses', () => {
    const trustProxy = (value: string | undefined) => loadConfig({ TRUST_PROXY: value }).trustProxy
    expect(trustProxy(undefined)).toBe(false)
    expect(trustProxy('')).toBe(false)
    expect(trustProxy('false')).toBe(false)
    expect(trustProxy('true')).toBe(true)
    expect(trustProxy(' 127.0.0.1 ')).toEqual(['127.0.0.1'])
    expect(trustProxy('127.0.0.1, ::1,10.0.0.0/8 , fd00::/8,loopback,linklocal,uniquelocal')).toEqual(['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', 'loopback', 'linklocal', 'uniquelocal'])
  })

  it('refuses a TRUST_PROXY Fastify would not understand, or would quietly ignore', () => {
    for (const value of ['yes', 'TRUE', 'caddy', '300.1.1.1', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '10.0.0.0/', '127.0.0.1,', 'localhost'])
      expect(() => loadConfig({ TRUST_PROXY: value }), value).toThrow(/TRUST_PROXY=".*": TRUST_PROXY must be true, false, or the proxy's addresses/)
    // Fastify 5 trusts no hop count (it could not tell a proxy from a client), so one is refused.
    expect(() => loadConfig({ TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY="1": .*a hop count is not accepted/)
    expect(() => loadConfig({ RATE_LIMIT_AUTH: '0' })).toThrow(/RATE_LIMIT_AUTH="0": RATE_LIMIT_AUTH must be a whole number/)
  })
})
