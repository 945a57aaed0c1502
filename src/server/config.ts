import { isIP } from 'node:net'
import * as v from 'valibot'

/**
 * The server's environment, checked once at start-up so a typo fails loudly with the variable's
 * name instead of surfacing later as a strange runtime error.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

// The names Fastify's trustProxy (proxy-addr) knows besides addresses and CIDRs.
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal']
const TRUST_PROXY_HELP = 'TRUST_PROXY must be true, false, or the proxy\'s addresses/CIDRs separated by commas (e.g. loopback or 127.0.0.1 for Caddy on this machine)'

/** One entry of an address list: an IP, an IP/prefix, or one of proxy-addr's names. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.includes(entry))
    return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0)
    return false
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
}

/**
 * TRUST_PROXY as Fastify's trustProxy: true, false or an address list. A hop count is refused:
 * Fastify 5 no longer trusts by count (a client that talks to the server directly could forge
 * the hops), so it would silently change nothing.
 */
function parseTrustProxy(raw: string): boolean | string[] | null {
  if (raw === 'true' || raw === 'false')
    return raw === 'true'
  const entries = raw.split(',').map(entry => entry.trim())
  return entries.every(isProxyAddress) ? entries : null
}

const envSchema = v.object({
  PORT: v.optional(v.pipe(
    v.string(),
    v.regex(/^\d{1,5}$/, 'PORT must be a whole number from 0 to 65535'),
    v.transform(Number),
    v.maxValue(65535, 'PORT must be a whole number from 0 to 65535'),
  ), '8080'),
  HOST: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('HOST must not be empty (e.g. 0.0.0.0 or 127.0.0.1)')), '0.0.0.0'),
  DATA_DIR: v.optional(v.pipe(v.string(), v.nonEmpty('DATA_DIR must not be empty (e.g. ./data)')), './data'),
  DATABASE_URL: v.optional(v.union([
    v.literal(''),
    v.pipe(v.string(), v.regex(/^postgres(?:ql)?:\/\//, 'DATABASE_URL must start with postgres:// (leave it unset to use SQLite in DATA_DIR)')),
  ], 'DATABASE_URL must start with postgres:// (leave it unset to use SQLite in DATA_DIR)')),
  STATIC_DIR: v.optional(v.pipe(v.string(), v.nonEmpty('STATIC_DIR must not be empty (e.g. dist)')), 'dist'),
  RATE_LIMIT_JOIN: v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,6}$/, 'RATE_LIMIT_JOIN must be a whole number of requests a minute (default 10)'), v.transform(Number))),
  RATE_LIMIT_SYNC: v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,6}$/, 'RATE_LIMIT_SYNC must be a whole number of requests a minute (default 600, at least 300)'), v.transform(Number))),
  RATE_LIMIT_AUTH: v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,6}$/, 'RATE_LIMIT_AUTH must be a whole number of failed sign-ins a minute (default 30)'), v.transform(Number))),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  TRUST_PROXY: v.optional(v.pipe(
    v.string(),
    v.trim(),
    v.check(raw => parseTrustProxy(raw) !== null, raw => /^\d+$/.test(String(raw.input).trim())
      ? `${TRUST_PROXY_HELP}; a hop count is not accepted (Fastify cannot tell a proxy from a client by it)`
      : TRUST_PROXY_HELP),
    v.transform(raw => parseTrustProxy(raw)!),
  ), 'false'),
})

export interface ServerConfig {
  port: number
  host: string
  dataDir: string
  /** A postgres:// URL, or null for SQLite in `dataDir`. */
  databaseUrl: string | null
  staticDir: string
  logLevel: typeof LOG_LEVELS[number]
  /** A minute: failed join/setup codes and failed tokens per client address, syncs per member (defaults in app.ts). */
  rateLimits: { join?: number, sync?: number, auth?: number }
  /** Fastify's trustProxy: whose X-Forwarded-For gives the client address (false: none). */
  trustProxy: boolean | string[]
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map(p => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Reads the server's settings from `env`; throws `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const result = v.safeParse(envSchema, {
    PORT: env.PORT || undefined,
    HOST: env.HOST || undefined,
    DATA_DIR: env.DATA_DIR || undefined,
    DATABASE_URL: env.DATABASE_URL,
    STATIC_DIR: env.STATIC_DIR || undefined,
    LOG_LEVEL: env.LOG_LEVEL || undefined,
    RATE_LIMIT_JOIN: env.RATE_LIMIT_JOIN || undefined,
    RATE_LIMIT_SYNC: env.RATE_LIMIT_SYNC || undefined,
    RATE_LIMIT_AUTH: env.RATE_LIMIT_AUTH || undefined,
    TRUST_PROXY: env.TRUST_PROXY || undefined,
  })
  if (!result.success) {
    throw new ConfigError(result.issues.map((issue) => {
      const key = issue.path?.map(p => String(p.key)).join('.') ?? 'env'
      return `${key}=${JSON.stringify(issue.input)}: ${issue.message}`
    }))
  }
  const out = result.output
  return {
    port: out.PORT,
    host: out.HOST,
    dataDir: out.DATA_DIR,
    databaseUrl: out.DATABASE_URL ? out.DATABASE_URL : null,
    staticDir: out.STATIC_DIR,
    logLevel: out.LOG_LEVEL,
    rateLimits: { join: out.RATE_LIMIT_JOIN, sync: out.RATE_LIMIT_SYNC, auth: out.RATE_LIMIT_AUTH },
    trustProxy: out.TRUST_PROXY,
  }
}
