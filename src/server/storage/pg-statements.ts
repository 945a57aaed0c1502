import type { PostgresPool, PostgresPoolClient } from 'kysely'
import type pg from 'pg'
import { createHash } from 'node:crypto'

/** How many statements each connection keeps prepared: the app's hot queries are a few dozen. */
export const NAMED_STATEMENTS_PER_CONNECTION = 200

/** A pool for Kysely's PostgresDialect whose hot statements are kept prepared, once migrations have run. */
export interface NamedStatementPool extends PostgresPool {
  /** From now on, a text run a second time on a connection is prepared there and kept. */
  keepStatements: () => void
}

/**
 * The pg pool as Kysely's PostgresDialect uses it, with each connection's repeated statements
 * kept as named prepared statements. Kysely runs every query unnamed, so PostgreSQL parses and
 * plans it each time: planning the up-to-date probe (one subquery a table) took 0.8 ms of the
 * server's CPU per push of 10, more than running it (issue #11, measured in the statement log).
 * A named statement is parsed once per connection, and PostgreSQL keeps its plan once a generic
 * one does as well as the custom ones (plan_cache_mode auto).
 *
 * A text is named on its second run on a connection, by its hash, until the connection keeps
 * `size` of them; later texts (IN lists of many lengths, say) run unnamed as before. Only after
 * `keepStatements()`: a migration may change a table under a kept `select *`, which PostgreSQL
 * then refuses ("cached plan must not change result type"). pg forgets a name whose Parse failed.
 */
export function withNamedStatements(pool: pg.Pool, size: number = NAMED_STATEMENTS_PER_CONNECTION): NamedStatementPool {
  let keeping = false
  const patched = new WeakSet<pg.PoolClient>()
  const patch = (client: pg.PoolClient): void => {
    const seen = new Set<string>()
    const named = new Map<string, string>()
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as { query: unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
      if (!keeping || typeof text !== 'string' || !Array.isArray(values) || rest.length > 0)
        return query(text, values, ...rest)
      let name = named.get(text)
      if (name === undefined && named.size < size) {
        if (seen.has(text)) {
          name = `k${createHash('sha1').update(text).digest('base64url')}`
          named.set(text, name)
          seen.delete(text)
        }
        else {
          // Texts run once (and never again) are forgotten in bulk, so a hot one still gets in.
          if (seen.size >= size * 4)
            seen.clear()
          seen.add(text)
        }
      }
      return name === undefined ? query(text, values) : query({ name, text, values })
    }
    patched.add(client)
  }
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      if (!patched.has(client))
        patch(client)
      return client as unknown as PostgresPoolClient
    },
    end: () => pool.end(),
    keepStatements: () => {
      keeping = true
    },
  }
}
