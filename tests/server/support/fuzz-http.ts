import { Buffer } from 'node:buffer'
import http from 'node:http'
import { connect } from 'node:net'

/**
 * A client for the fuzz test that speaks to a real listening server on loopback: `send` goes
 * through node:http (one keep-alive connection per simulated device), `sendRaw` writes bytes on a
 * socket of its own, for requests node:http refuses to build (huge or broken headers, smuggling).
 */

export interface FuzzRequest {
  method: string
  /** Path and query exactly as sent, never re-encoded. */
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
}

export interface FuzzResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** Set when no response arrived (reset, timeout): the server dropped the request. */
  failure?: string
}

const TIMEOUT_MS = 15_000

export class FuzzClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

  constructor(private readonly port: number) {}

  async send(request: FuzzRequest): Promise<FuzzResponse> {
    const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8')
    return new Promise((resolve) => {
      let settled = false
      const done = (response: FuzzResponse) => {
        if (!settled) {
          settled = true
          resolve(response)
        }
      }
      const req = http.request({
        host: '127.0.0.1',
        port: this.port,
        method: request.method,
        path: request.path,
        agent: this.agent,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...request.headers },
        timeout: TIMEOUT_MS,
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', error => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), failure: `response ${error.message}` }))
      })
      req.on('timeout', () => {
        req.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`))
      })
      req.on('error', error => done({ status: 0, headers: {}, body: '', failure: error.message }))
      if (body)
        req.write(body)
      req.end()
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** Writes `bytes` on a fresh connection and reads the answer until the server closes or `Content-Length` is met. */
export async function sendRaw(port: number, bytes: string | Buffer): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let settled = false
    const finish = (failure?: string) => {
      if (settled)
        return
      settled = true
      socket.destroy()
      resolve(parseRaw(Buffer.concat(chunks), failure))
    }
    socket.setTimeout(TIMEOUT_MS, () => finish(`no answer in ${TIMEOUT_MS} ms`))
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      const parsed = parseRaw(Buffer.concat(chunks))
      if (parsed.complete)
        finish()
    })
    socket.on('end', () => finish())
    // A reset after the answer arrived is the server closing a connection it refused; keep the answer.
    socket.on('error', error => finish(chunks.length > 0 ? undefined : error.message))
    socket.on('connect', () => {
      socket.write(bytes)
    })
  })
}

function parseRaw(data: Buffer, failure?: string): FuzzResponse & { complete: boolean } {
  const text = data.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end < 0)
    return { status: 0, headers: {}, body: '', failure: failure ?? (data.length ? 'truncated answer' : 'no answer'), complete: false }
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = data.subarray(end + 4)
  let complete = false
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    complete = body.length >= length
    body = body.subarray(0, length)
  }
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const decoded: Buffer[] = []
    let rest = body
    for (;;) {
      const lineEnd = rest.indexOf('\r\n')
      if (lineEnd < 0)
        break
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16)
      if (Number.isNaN(size) || rest.length < lineEnd + 2 + size + 2)
        break
      if (size === 0) {
        complete = true
        break
      }
      decoded.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
      rest = rest.subarray(lineEnd + 2 + size + 2)
    }
    body = Buffer.concat(decoded)
  }
  return { status, headers, body: body.toString('utf8'), ...(failure && !complete && status === 0 ? { failure } : {}), complete }
}
