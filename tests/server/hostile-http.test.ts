import type { FastifyInstance } from 'fastify'
import type { Member } from './support/api'
import { Buffer } from 'node:buffer'
import { connect } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app'
import { branchWith } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

/**
 * Malformed HTTP itself, sent over a raw socket to a listening server: what Node's HTTP parser
 * refuses before Fastify sees a request (a bad or doubled Content-Length, Transfer-Encoding beside
 * Content-Length, a bad chunk, headers over 16 KB) and what Fastify refuses on the way in. Every
 * answer is a 4xx with the protocol's `{"error":{"code","message"}}` body, never a bare status line
 * or Fastify's own `{"error":"Bad Request",…}`.
 */

interface RawAnswer { status: number, headers: Record<string, string>, body: string }

/** Writes `raw` to the port and reads one HTTP response until the server closes or sends it whole. */
async function rawRequest(port: number, raw: string | Buffer): Promise<RawAnswer> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(received)
    }, 5000)
    const finish = () => {
      clearTimeout(timer)
      resolve(received)
    }
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8')
      // A complete answer (headers and a body of its Content-Length) need not wait for the close.
      const end = received.indexOf('\r\n\r\n')
      const length = /content-length:\s*(\d+)/i.exec(received.slice(0, end))
      if (end >= 0 && length && Buffer.byteLength(received.slice(end + 4)) >= Number(length[1])) {
        socket.destroy()
        finish()
      }
    })
    socket.on('end', finish)
    socket.on('close', finish)
    socket.on('error', (error) => {
      // A reset after the answer was read is fine; before any answer it is the failure.
      if (received)
        finish()
      else reject(error)
    })
    socket.write(raw)
  })
  const end = text.indexOf('\r\n\r\n')
  const head = end >= 0 ? text.slice(0, end) : text
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: end >= 0 ? text.slice(end + 4) : '' }
}

function expectProtocolAnswer(answer: RawAnswer, status: number, label: string): { code: string, message: string } {
  expect(answer.status, `${label}: ${JSON.stringify(answer)}`).toBe(status)
  expect(answer.headers['content-type'], label).toMatch(/^application\/json/)
  let parsed: { error?: { code?: unknown, message?: unknown } }
  try {
    parsed = JSON.parse(answer.body)
  }
  catch {
    throw new Error(`${label}: the body is not JSON: ${JSON.stringify(answer.body)}`)
  }
  expect(typeof parsed.error, `${label}: ${answer.body}`).toBe('object')
  expect(typeof parsed.error?.code, `${label}: ${answer.body}`).toBe('string')
  expect(typeof parsed.error?.message, `${label}: ${answer.body}`).toBe('string')
  expect(String(parsed.error?.message).length).toBeGreaterThan(0)
  expect(answer.body, label).not.toMatch(/Bad Request|Client Error|HPE_|statusCode/)
  return parsed.error as { code: string, message: string }
}

describeEachBackend('malformed HTTP', (backend) => {
  const ctx = useStorage(backend)
  let app: FastifyInstance
  let port: number
  let member: Member

  beforeAll(async () => {
    app = await buildApp({ storage: ctx.storage, rateLimits: { join: 10_000, sync: 100_000 } })
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = (app.server.address() as { port: number }).port
    member = (await branchWith(app, ctx.storage, ['张三'])).members[0]!
  })

  afterAll(async () => {
    await app?.close()
  })

  const sync = '{"clientId":"c","cursor":null,"changes":[]}'
  const head = (lines: string[]) => `${['POST /api/v1/sync HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', ...lines].join('\r\n')}\r\n\r\n`
  const auth = () => `Authorization: Bearer ${member.token}`

  it('a well-formed raw request is answered 200 (the harness itself works)', async () => {
    const answer = await rawRequest(port, `${head([auth(), `Content-Length: ${sync.length}`, 'Connection: close'])}${sync}`)
    expect(answer.status, answer.body).toBe(200)
  })

  it('a Content-Length that is not a number', async () => {
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Content-Length: abc'])}${sync}`), 400, 'Content-Length: abc')
  })

  it('a negative Content-Length', async () => {
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Content-Length: -1'])}${sync}`), 400, 'Content-Length: -1')
  })

  it('two different Content-Length headers', async () => {
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), `Content-Length: ${sync.length}`, 'Content-Length: 3'])}${sync}`), 400, 'doubled Content-Length')
  })

  it('transfer-Encoding beside Content-Length', async () => {
    const chunked = `${sync.length.toString(16)}\r\n${sync}\r\n0\r\n\r\n`
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Transfer-Encoding: chunked', `Content-Length: ${sync.length}`])}${chunked}`), 400, 'TE and CL')
  })

  it('a chunk size that is not hexadecimal', async () => {
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Transfer-Encoding: chunked'])}zz\r\n${sync}\r\n0\r\n\r\n`), 400, 'bad chunk size')
  })

  it('a chunk longer than its size says', async () => {
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Transfer-Encoding: chunked'])}2\r\n${sync}\r\n0\r\n\r\n`), 400, 'overlong chunk')
  })

  it('a Transfer-Encoding the server does not know', async () => {
    expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Transfer-Encoding: gzip, chunked, identity'])}${sync}`), 400, 'unknown TE')
  })

  it('headers over 16 KB: 431', async () => {
    const error = expectProtocolAnswer(await rawRequest(port, head([auth(), `X-Padding: ${'x'.repeat(20_000)}`, `Content-Length: ${sync.length}`]) + sync), 431, 'header overflow')
    expect(error.code).toBe('headers_too_large')
  })

  it('a malformed request line and a header without a name', async () => {
    expectProtocolAnswer(await rawRequest(port, 'GET /api/v1/health HTTP/9.9 extra\r\nHost: x\r\n\r\n'), 400, 'bad request line')
    expectProtocolAnswer(await rawRequest(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n: nameless\r\n\r\n'), 400, 'nameless header')
    expectProtocolAnswer(await rawRequest(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n'), 400, 'space in a header name')
  })

  it('a body shorter than its Content-Length when the client stops sending', async () => {
    // The server waits for the rest; the client half-closes, so the request ends early.
    const answer = await new Promise<RawAnswer>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let received = ''
      socket.on('data', chunk => (received += chunk.toString('utf8')))
      socket.on('error', reject)
      socket.on('close', () => {
        const end = received.indexOf('\r\n\r\n')
        const lines = received.slice(0, end).split('\r\n')
        const headers: Record<string, string> = {}
        for (const line of lines.slice(1))
          headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim()
        resolve({ status: Number(lines[0]!.split(' ')[1]), headers, body: received.slice(end + 4) })
      })
      socket.end(`${head([auth(), 'Content-Length: 500'])}${sync}`)
    })
    expectProtocolAnswer(answer, 400, 'short body')
  })

  it('an HTTP/1.1 request without Host', async () => {
    const error = expectProtocolAnswer(await rawRequest(port, `POST /api/v1/sync HTTP/1.1\r\nContent-Type: application/json\r\n${auth()}\r\nContent-Length: ${sync.length}\r\n\r\n${sync}`), 400, 'no Host')
    expect(error.code).toBe('validation_failed')
    expectProtocolAnswer(await rawRequest(port, 'GET /api/v1/health HTTP/1.1\r\nAccept-Language: en\r\n\r\n'), 400, 'no Host, GET')
    // HTTP/1.0 has no Host header to require.
    expect((await rawRequest(port, 'GET /api/v1/health HTTP/1.0\r\n\r\n')).status).toBe(200)
  })

  it('an Expect the server cannot meet: 417', async () => {
    const error = expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Expect: 200-ok', `Content-Length: ${sync.length}`])}${sync}`), 417, 'Expect: 200-ok')
    expect(error.code).toBe('expectation_failed')
    const en = expectProtocolAnswer(await rawRequest(port, `${head([auth(), 'Accept-Language: en', 'Expect: 200-ok', `Content-Length: ${sync.length}`])}${sync}`), 417, 'Expect en')
    expect(en.message).toMatch(/^[\x20-\x7E]+$/)
    // 100-continue is met as before.
    const answer = await rawRequest(port, `${head([auth(), 'Expect: 100-continue', `Content-Length: ${sync.length}`, 'Connection: close'])}${sync}`)
    expect(answer.status).toBe(100)
  })

  it('speaks English when the refused request asked for it', async () => {
    const answer = await rawRequest(port, `${head([auth(), 'Accept-Language: en', 'Content-Length: abc'])}${sync}`)
    const error = expectProtocolAnswer(answer, 400, 'en')
    expect(error.message).toMatch(/^[\x20-\x7E]+$/)
  })
})
