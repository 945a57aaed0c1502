/**
 * The throughput peers of tests/bench/sync.ts, a process of its own like our server: a bare Fastify
 * (the same version ours runs on, default options, no logging) answering `GET /` with a hello world
 * and `POST /echo` with the JSON body it parsed, on 127.0.0.1:PORT. What our sync endpoint adds on
 * top (auth, validation, the database) is the gap between the two. Prints `listening PORT`.
 */
import process from 'node:process'
import Fastify from 'fastify'

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.get('/', async () => ({ hello: 'world' }))
app.post('/echo', async request => request.body)
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => {
  console.log(`listening ${process.env.PORT}`)
}, (error: unknown) => {
  console.error(error)
  process.exit(1)
})
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0))
})
