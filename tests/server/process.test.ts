import type { SetupResponse, SyncResponse } from '../../src/domain/wire'
import type { ServerProcess } from './support/process'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { studyChange, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { fakeStaticDir, http, REPO_ROOT, startServerProcess, TSX } from './support/process'

function runAdmin(args: string[], env: Record<string, string>): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['src/server/cli/admin.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk)
    })
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk)
    })
    child.once('exit', status => resolve({ status, stdout, stderr }))
  })
}

describeEachBackend('server process', (backend) => {
  const ctx = useStorage(backend)
  let staticDir: string
  const running: ServerProcess[] = []

  beforeAll(() => {
    staticDir = fakeStaticDir(mkdtempSync(join(tmpdir(), 'study-log-static-')))
  })
  afterEach(() => {
    // Never leave a server behind, whatever a test did.
    for (const server of running.splice(0))
      server.kill('SIGKILL')
  })
  afterAll(() => {
    rmSync(staticDir, { recursive: true, force: true })
  })

  async function start(): Promise<ServerProcess> {
    const server = await startServerProcess({ ...ctx.env, STATIC_DIR: staticDir })
    running.push(server)
    return server
  }

  it('prints the setup link on an empty database, keeps every acknowledged change through kill -9, and stops on SIGTERM', async () => {
    const first = await start()
    expect(first.output()).toContain(`listening on http://127.0.0.1:${first.port}`)
    expect(first.setupCode).toEqual(expect.any(String))
    const setup = await http<SetupResponse>(first.baseUrl, '/api/v1/setup', { body: { code: first.setupCode, branchName: '持久支部', name: '书记' } })
    expect(setup.status).toBe(201)
    const join = await http(first.baseUrl, '/api/v1/join', { body: { inviteCode: setup.body.memberInviteCode, name: '党员' } })
    expect(join.status).toBe(201)
    const token = join.body.token as string

    // Several pushes race; the moment one is acknowledged the process is killed outright.
    const acknowledged = new Set<string>()
    let killed = false
    const pushes = Array.from({ length: 6 }, async (_, batch) => {
      const changes = Array.from({ length: 40 }, (_, i) => studyChange(uuid(), batch * 100 + i, { topic: `批次 ${batch}` }))
      try {
        const res = await http<SyncResponse>(first.baseUrl, '/api/v1/sync', { token, body: { clientId: 'phone', cursor: null, changes } })
        if (res.status === 200) {
          res.body.results.filter(r => r.status === 'applied').forEach(r => acknowledged.add(r.id))
          if (!killed) {
            killed = true
            first.kill('SIGKILL')
          }
        }
      }
      catch {
        // Cut off by the kill: never acknowledged, so no promise was made about it.
      }
    })
    await Promise.all(pushes)
    const exit = await first.exited
    expect(exit.signal ?? exit.code).toBeTruthy()
    expect(acknowledged.size).toBeGreaterThanOrEqual(40)

    const second = await start()
    // The database has a branch now: no new setup link.
    expect(second.setupCode).toBeNull()
    const seen = new Set<string>()
    let cursor: string | null = null
    for (;;) {
      const res: { status: number, body: SyncResponse } = await http<SyncResponse>(second.baseUrl, '/api/v1/sync', { token, body: { clientId: 'phone', cursor, changes: [] } })
      expect(res.status).toBe(200)
      res.body.changes.forEach(c => seen.add(c.id))
      cursor = res.body.cursor
      if (!res.body.hasMore)
        break
    }
    for (const id of acknowledged)
      expect(seen.has(id), `acknowledged change ${id} lost`).toBe(true)

    second.kill('SIGTERM')
    expect(await second.exited).toEqual({ code: 0, signal: null })
  })

  it('admin create-branch prints one JSON line and the branch can be joined', async () => {
    const result = spawnSync(TSX, ['src/server/cli/admin.ts', 'create-branch', '新建 支部'], { cwd: REPO_ROOT, env: { ...process.env, ...ctx.env }, encoding: 'utf8' })
    expect(result.status, result.stderr).toBe(0)
    const lines = result.stdout.split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    const branch = JSON.parse(lines[0]!)
    expect(Object.keys(branch).sort()).toEqual(['branchId', 'memberInviteCode', 'name', 'secretaryInviteCode'])
    expect(branch.name).toBe('新建 支部')
    expect(branch.memberInviteCode).toMatch(/^[A-Z2-9]{8}$/)
    const found = await ctx.storage.branches.byInviteCode(branch.secretaryInviteCode)
    expect(found).toMatchObject({ role: 'secretary', branch: { id: branch.branchId, name: '新建 支部' } })

    const badArgs = [[], ['create-branch'], ['create-branch', ''], ['delete-branch', 'x'], ['create-branch', 'a', 'b']]
    const runs = await Promise.all(badArgs.map(args => runAdmin(args, ctx.env)))
    runs.forEach((bad, i) => {
      expect(bad.status, badArgs[i]!.join(' ')).not.toBe(0)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toMatch(/usage: npm run admin/)
    })
  })
})
