import type { IncomingMessage, ServerResponse } from 'node:http'
/**
 * The PouchDB peer of the browser push bench (tests/bench/sync.ts), a process of its own like our
 * server: express-pouchdb (the CouchDB API pouchdb-server is built on) over pouchdb-node on leveldb
 * in DB_DIR, on 127.0.0.1:PORT. It also serves the page the browser replicates from, at
 * /_bench/ with the pouchdb-browser bundle at /_bench/pouchdb.js (BUNDLE), so the replication is
 * same-origin like our app's sync. Prints `listening PORT` when it accepts requests.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import process from 'node:process'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
interface PouchStatic { defaults: (options: { prefix: string }) => PouchStatic }

const require = createRequire(import.meta.url)
// Neither package ships types; each is used through the one call below.
const PouchDB = require('pouchdb-node') as PouchStatic
const expressPouchDB = require('express-pouchdb') as (pouch: PouchStatic, options: object) => Handler

const dbDir = process.env.DB_DIR!
const bundle = readFileSync(process.env.BUNDLE!)
const page = '<!doctype html><meta charset="utf-8"><title>PouchDB bench</title><script src="/_bench/pouchdb.js"></script>'

const couch = expressPouchDB(PouchDB.defaults({ prefix: `${dbDir}${path.sep}` }), {
  mode: 'minimumForPouchDB',
  configPath: path.join(dbDir, 'config.json'),
  logPath: path.join(dbDir, 'log.txt'),
})

const server = createServer((req, res) => {
  if (req.url === '/_bench/' || req.url === '/_bench/pouchdb.js') {
    const js = req.url.endsWith('.js')
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html; charset=utf-8' })
    res.end(js ? bundle : page)
    return
  }
  couch(req, res)
})
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`listening ${process.env.PORT}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
