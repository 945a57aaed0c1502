import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** Real server processes (`tsx src/server/cli/start.ts`) on free loopback ports, stopped by pid. */

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..')
export const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** A directory holding a stand-in for the built app, so start.ts does not run vite. */
export function fakeStaticDir(dir: string): string {
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="zh-CN"><head><title>学习打卡</title></head><body><div id="app"></div></body></html>')
  return dir
}

export interface ServerProcess {
  pid: number
  port: number
  baseUrl: string
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string
  setupCode: string | null
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /**
   * SIGKILL goes to the whole process group (tsx and the node it runs); other signals go to the
   * node process that runs the server, as a service manager would send them.
   */
  kill: (signal: NodeJS.Signals) => void
}

/** The node process tsx started for start.ts (tsx also runs an esbuild service). */
function serverPidOf(tsxPid: number): number {
  const children = readFileSync(`/proc/${tsxPid}/task/${tsxPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  const server = children.find(pid => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.ts'))
  if (!server)
    throw new Error(`no server process under tsx ${tsxPid}`)
  return server
}

/** Starts start.ts with `env` and resolves once it prints its `listening on` line. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort()
  // Its own process group, so SIGKILL reaches the node process tsx spawns, not only tsx.
  const child: ChildProcess = spawn(TSX, ['src/server/cli/start.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr!.on('data', (chunk) => {
    output += String(chunk)
  })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const pid = child.pid!
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(signal === 'SIGKILL' ? -pid : serverPidOf(pid), signal)
    }
    catch {}
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('listening on http://')) {
        clearInterval(timer)
        resolve()
      }
    }, 50)
    void exited.then(({ code, signal }) => {
      clearInterval(timer)
      reject(new Error(`server exited early (${code ?? signal}):\n${output}`))
    })
  })
  const setup = /setup: http:\/\/localhost:\d+\/setup\?code=(\S+)/.exec(output)
  return { pid, port, baseUrl: `http://127.0.0.1:${port}`, output: () => output, setupCode: setup?.[1] ?? null, exited, kill }
}

/** JSON over real HTTP. */
export async function http<T = any>(base: string, path: string, init: { method?: string, token?: string, body?: unknown } = {}): Promise<{ status: number, body: T }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
}
