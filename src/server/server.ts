import type { FastifyInstance } from 'fastify'
import type { ServerConfig } from './config'
import type { Storage } from './storage'
import { randomBytes } from 'node:crypto'
import { buildApp } from './app'
import { openStorage } from './storage'

export interface RunningServer {
  app: FastifyInstance
  storage: Storage
  /** The address it listens on, e.g. `http://0.0.0.0:8080`. */
  url: string
  port: number
  /** The one-time first-run code, when the database had no branch at start-up. */
  setupCode: string | null
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close: () => Promise<void>
}

/**
 * Opens storage, builds the app and listens; SIGTERM/SIGINT close it gracefully (in-flight
 * requests finish, the database is closed) before the process exits.
 */
export async function startServer(config: ServerConfig, opts: { handleSignals?: boolean } = {}): Promise<RunningServer> {
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl })
  let app: FastifyInstance
  let setupCode: string | null = null
  try {
    if (await storage.branches.count() === 0)
      setupCode = randomBytes(18).toString('base64url')
    app = await buildApp({ storage, staticDir: config.staticDir, logger: { level: config.logLevel }, setupCode, rateLimits: config.rateLimits, trustProxy: config.trustProxy })
    await app.listen({ port: config.port, host: config.host })
  }
  catch (error) {
    await storage.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port

  let closing: Promise<void> | null = null
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close()
      await storage.close()
    })()
    return closing
  }

  if (opts.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      app.log.info({ signal }, 'shutting down')
      close().then(() => process.exit(0), (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
    }
    // `on`, not `once`: a second signal during shutdown (a terminal sends one to tsx and to us)
    // must not fall through to the default handler and cut the close short.
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  }

  return { app, storage, url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, port, setupCode, close }
}
