import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { MemberInfo } from '../domain/wire'
import type { Storage } from './storage'
import { readFileSync } from 'node:fs'
import { basename, extname, resolve, sep } from 'node:path'
import { constants as zlib } from 'node:zlib'
import compress from '@fastify/compress'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import Fastify from 'fastify'
import { API_PREFIX, BODY_LIMIT_BYTES } from '../domain/wire'
import { answerClientError, answerUnmetExpectation, ApiError, errorBody, installErrorHandling, isApiPath, localeOf, requireHost } from './errors'
import { installFailureLimits } from './rate-limits'
import branchRoutes from './routes/branch'
import deviceRoutes from './routes/devices'
import docsRoutes from './routes/docs'
import healthRoutes from './routes/health'
import joinRoutes from './routes/join'
import materialRoutes from './routes/materials'
import meRoutes from './routes/me'
import organisationRoutes from './routes/organisation'
import organisationReportRoutes from './routes/organisation/report'
import organisationTransferRoutes from './routes/organisation/report-transfers'
import setupRoutes from './routes/setup'
import syncRoutes from './routes/sync'
import { refuseUnstorableQuery } from './validation'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage
    /**
     * Per minute: failed join/setup codes and failed tokens per client address, failed codes of
     * all addresses together, successful joins per address, syncs per member.
     */
    rateLimits: { join: number, sync: number, auth: number, codesGlobal: number, joins: number }
    appVersion: string
    /** Every route the API answers (method and full path), so the API document's test can hold it to them. */
    apiRoutes: { method: string, url: string }[]
  }
  interface FastifyRequest {
    /** The signed-in member, set by the auth hook on routes that need one. */
    member: MemberInfo | null
  }
}

export interface BuildAppOptions {
  storage: Storage
  /** The built app to serve; null or absent serves only the API (tests). */
  staticDir?: string | null
  logger?: boolean | { level: string }
  /** A one-time first-run code to make live (start.ts passes one when the database has no branch). */
  setupCode?: string | null
  /** `codesGlobal` and `joins` default to DEFAULT_GLOBAL_CODE_FAILURES_FACTOR × join and DEFAULT_JOINS_PER_ADDRESS. */
  rateLimits?: { join?: number, sync?: number, auth?: number, codesGlobal?: number, joins?: number }
  /** Fastify's `trustProxy`: whose X-Forwarded-For to believe for the client address (default none). */
  trustProxy?: boolean | string[]
}

export const DEFAULT_JOIN_RATE_LIMIT = 10
export const DEFAULT_SYNC_RATE_LIMIT = 600
export const DEFAULT_AUTH_FAILURE_LIMIT = 30
/** Wrong codes of all addresses together a minute, as a multiple of the per-address limit (10 → 100). */
export const DEFAULT_GLOBAL_CODE_FAILURES_FACTOR = 10
/** Successful joins a minute per address: a meeting of any size gets in, a script cannot make members without end. */
export const DEFAULT_JOINS_PER_ADDRESS = 200
/** The protocol promises at least this many syncs a minute to every member. */
export const MIN_SYNC_RATE_LIMIT = 300

// Files the browser must revalidate on every load so a new deployment is picked up.
const NO_CACHE_FILES = new Set(['index.html', 'sw.js', 'registerSW.js', 'manifest.webmanifest'])

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** Builds the Fastify app (API, and the static PWA when `staticDir` is set); never listens. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: opts.trustProxy ?? false,
    // Ids in paths and the SPA's deep links are plain; keep Fastify from 404ing on a trailing slash.
    routerOptions: { ignoreTrailingSlash: true },
    // Requests Node's HTTP parser refuses (bad Content-Length, chunks, headers over 16 KB) too.
    clientErrorHandler: answerClientError,
    // Node answers an HTTP/1.1 request without Host with an empty 400; requireHost refuses it
    // with the protocol's body instead.
    http: { requireHostHeader: false },
    // Errors raised before routing (a malformed URL) speak the protocol too.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ err: error }, 'request refused before routing')
      return (reply as FastifyReply).status(400).send(errorBody(localeOf(request as FastifyRequest), 'validation_failed', 'badUrl'))
    },
  })
  app.decorate('storage', opts.storage)
  app.decorate('appVersion', packageVersion)
  const join = opts.rateLimits?.join ?? DEFAULT_JOIN_RATE_LIMIT
  app.decorate('rateLimits', {
    join,
    sync: Math.max(MIN_SYNC_RATE_LIMIT, opts.rateLimits?.sync ?? DEFAULT_SYNC_RATE_LIMIT),
    auth: opts.rateLimits?.auth ?? DEFAULT_AUTH_FAILURE_LIMIT,
    codesGlobal: opts.rateLimits?.codesGlobal ?? DEFAULT_GLOBAL_CODE_FAILURES_FACTOR * join,
    joins: opts.rateLimits?.joins ?? DEFAULT_JOINS_PER_ADDRESS,
  })
  installFailureLimits(app, { auth: app.rateLimits.auth, codes: app.rateLimits.join, codesGlobal: app.rateLimits.codesGlobal, joins: app.rateLimits.joins })
  app.decorateRequest('member', null)
  app.decorate('apiRoutes', [])
  app.addHook('onRoute', (route) => {
    // HEAD twins of GET routes are Fastify's own, not API routes of their own.
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD' && isApiPath(route.url))
        app.apiRoutes.push({ method, url: route.url })
    }
  })
  installErrorHandling(app)
  app.addHook('onRequest', requireHost)
  app.addHook('onRequest', refuseUnstorableQuery)
  // An Expect other than 100-continue: Node's own 417 has an empty body.
  app.server.on('checkExpectation', answerUnmetExpectation)

  if (opts.setupCode)
    await opts.storage.setupCodes.add(opts.setupCode)

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ['\'self\''],
        'script-src': ['\'self\''],
        'style-src': ['\'self\'', '\'unsafe-inline\''],
        'img-src': ['\'self\'', 'data:', 'blob:'],
        'connect-src': ['\'self\''],
        'worker-src': ['\'self\''],
        'manifest-src': ['\'self\''],
        'font-src': ['\'self\'', 'data:'],
        'object-src': ['\'none\''],
        'base-uri': ['\'self\''],
        'form-action': ['\'self\''],
        'frame-ancestors': ['\'self\''],
      },
    },
    // Phones reach the server over plain http on a LAN: no HSTS, no COEP, and no COOP (ignored
    // on untrustworthy origins, with a console warning).
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
  })

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new ApiError('rate_limited', 'rateLimited', undefined, { seconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  })

  await app.register(async (api) => {
    // JSON answers of 1 KiB and more go brotli (quality 4: a few ms for a year of records, most of
    // the gain of 11) or gzip as the client accepts; request bodies are read as before (no
    // decompression of uploads). Static files are compressed at build time instead (below).
    await api.register(compress, {
      globalDecompression: false,
      encodings: ['br', 'gzip'],
      threshold: 1024,
      brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
      zlibOptions: { level: 6 },
    })
    await api.register(healthRoutes)
    await api.register(docsRoutes)
    await api.register(joinRoutes)
    await api.register(setupRoutes)
    await api.register(meRoutes)
    await api.register(syncRoutes)
    await api.register(materialRoutes)
    await api.register(branchRoutes)
    await api.register(deviceRoutes)
    await api.register(organisationRoutes)
    await api.register(organisationReportRoutes)
    await api.register(organisationTransferRoutes)
  }, { prefix: API_PREFIX })

  const staticRoot = opts.staticDir ? resolve(opts.staticDir) : null
  if (staticRoot) {
    await app.register(fastifyStatic, {
      root: staticRoot,
      // The build writes x.br and x.gz beside each text file (vite.config.ts precompress): sent as
      // they are to a browser that accepts them, with Vary: Accept-Encoding; others get the file.
      preCompressed: true,
      cacheControl: false,
      setHeaders(res, path) {
        // The same URL is answered brotli, gzip or plain by Accept-Encoding: caches must keep them apart.
        res.setHeader('Vary', 'Accept-Encoding')
        const inAssets = path.startsWith(`${staticRoot}${sep}assets${sep}`)
        res.setHeader('Cache-Control', inAssets && !NO_CACHE_FILES.has(basename(path))
          ? 'public, max-age=31536000, immutable'
          : 'no-cache')
      },
    })
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && extname(path) === ''
    // Deep links such as /setup?code=… or /study are the app's routes: answer with its shell.
    if (staticRoot && isPage && !isApiPath(path))
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html', staticRoot)
    return reply.status(404).send(errorBody(localeOf(request), 'not_found', 'notFound'))
  })

  return app
}
