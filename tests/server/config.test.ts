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
      rateLimits: { join: undefined, sync: undefined },
    })
  })

  it('reads every variable', () => {
    expect(loadConfig({ PORT: '3000', HOST: '127.0.0.1', DATA_DIR: '/var/lib/study', DATABASE_URL: 'postgres://u@h/db', STATIC_DIR: 'out', LOG_LEVEL: 'debug', RATE_LIMIT_JOIN: '30', RATE_LIMIT_SYNC: '900' })).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/var/lib/study',
      databaseUrl: 'postgres://u@h/db',
      staticDir: 'out',
      logLevel: 'debug',
      rateLimits: { join: 30, sync: 900 },
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
})
