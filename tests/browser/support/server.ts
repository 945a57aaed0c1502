import type { ChildProcessByStdio } from 'node:child_process'
import type { Readable } from 'node:stream'
import { spawn } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { REPO_ROOT } from './paths'

const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx')

/** A real server process (`src/server/cli/start.ts`) on a loopback port, with its own data and static dirs. */
export interface RunningServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string
  port: number
  pid: number
  dataDir: string
  /** The directory the server serves; tests may copy a new build over it. */
  staticDir: string
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string
  /** Resolves with the first match of `pattern` in the output, waiting for it up to `timeoutMs`. */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  /** SIGTERM, then SIGKILL after a grace period; removes the temp dirs. */
  stop: () => Promise<void>
}

export interface StartServerOptions {
  /** A built app (`vite build` output) copied into the served directory. */
  staticFrom: string
  /** Extra environment for the process. */
  env?: Record<string, string>
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => {
        if (address && typeof address === 'object')
          resolve(address.port)
        else
          reject(new Error('no port from the probe server'))
      })
    })
  })
}

type ServerChild = ChildProcessByStdio<null, Readable, Readable>

/**
 * The environment for the server and the admin CLI: ours minus a `DATABASE_URL` a developer may have
 * exported, so every run gets its own empty SQLite database in the temp `DATA_DIR`.
 */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  if (!('DATABASE_URL' in extra))
    delete env.DATABASE_URL
  return env
}

function exited(child: ServerChild): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve()
  return new Promise(resolve => child.once('exit', () => resolve()))
}

/** Stops a child we spawned: SIGTERM to it, then SIGKILL to its process group if it lingers. */
async function stopChild(child: ServerChild, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null)
    return
  const done = exited(child)
  child.kill('SIGTERM')
  const inTime = await Promise.race([done.then(() => true), sleep(graceMs).then(() => false)])
  if (!inTime && child.pid) {
    try {
      // The group is ours alone (spawned detached): tsx and the node process it runs.
      process.kill(-child.pid, 'SIGKILL')
    }
    catch {}
    await done
  }
}

/** Starts the real server on a free loopback port and waits until `/api/v1/health` answers. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'study-log-server-'))
  const dataDir = path.join(root, 'data')
  const staticDir = path.join(root, 'static')
  await cp(options.staticFrom, staticDir, { recursive: true })
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`

  const child: ServerChild = spawn(TSX, ['src/server/cli/start.ts'], {
    cwd: REPO_ROOT,
    env: serverEnv({ HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, STATIC_DIR: staticDir, ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const listeners = new Set<() => void>()
  const append = (chunk: string) => {
    output += chunk
    for (const listener of listeners) listener()
  }
  child.stdout.setEncoding('utf8').on('data', append)
  child.stderr.setEncoding('utf8').on('data', append)

  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000) => new Promise<RegExpMatchArray>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    function check(): void {
      const match = output.match(pattern)
      if (!match)
        return
      clearTimeout(timer)
      listeners.delete(check)
      resolve(match)
    }
    timer = setTimeout(() => {
      listeners.delete(check)
      reject(new Error(`server output never matched ${pattern}:\n${output}`))
    }, timeoutMs)
    listeners.add(check)
    check()
  })

  const stop = async () => {
    await stopChild(child)
    await rm(root, { recursive: true, force: true })
  }

  try {
    await waitForHealth(baseUrl, child, () => output)
  }
  catch (error) {
    await stop()
    throw error
  }
  return { baseUrl, port, pid: child.pid!, dataDir, staticDir, output: () => output, waitForOutput, stop }
}

async function waitForHealth(baseUrl: string, child: ServerChild, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output()}`)
    try {
      const response = await fetch(`${baseUrl}/api/v1/health`)
      if (response.ok)
        return
    }
    catch {}
    await sleep(200)
  }
  throw new Error(`server at ${baseUrl} not healthy after ${timeoutMs} ms:\n${output()}`)
}

/** What `npm run admin -- create-branch NAME` prints. */
export interface CreatedBranch {
  branchId: string
  name: string
  memberInviteCode: string
  secretaryInviteCode: string
}

/** Runs the admin CLI against the server's data directory, as an operator would. */
export function createBranch(server: Pick<RunningServer, 'dataDir'>, name: string): Promise<CreatedBranch> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/server/cli/admin.ts', 'create-branch', name], {
      cwd: REPO_ROOT,
      env: serverEnv({ DATA_DIR: server.dataDir }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0)
        return reject(new Error(`admin create-branch exited with ${code}:\n${stdout}${stderr}`))
      const lines = stdout.trim().split('\n')
      try {
        const branch = JSON.parse(lines.at(-1) ?? '') as CreatedBranch
        if (!branch.memberInviteCode || !branch.secretaryInviteCode)
          throw new Error('missing invite codes')
        resolve(branch)
      }
      catch (error) {
        reject(new Error(`admin create-branch printed no branch JSON (${String(error)}):\n${stdout}${stderr}`))
      }
    })
  })
}
