import type { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import { expect, it } from 'vitest'
import { databaseMigratedTo, describeEachBackend, useStorage } from './support/backends'
import { REPO_ROOT, TSX } from './support/process'

/**
 * Organisations above the branches (issue #14), server side, first step: migration 0015 and the
 * admin commands that create one (党委, 党组, 机关党委, 党总支) and attach branches to it.
 */

function admin(args: string[], env: Record<string, string>): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/server/cli/admin.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.once('error', reject)
    child.once('exit', status => resolve({ status, stdout, stderr }))
  })
}

describeEachBackend('organisations', (backend) => {
  const ctx = useStorage(backend)

  it('npm run admin creates an organisation and attaches branches to it, refusing bad input', async () => {
    const created = await admin(['create-organisation', '市民政局机关党委', '机关党委'], ctx.env)
    expect(created.status, created.stderr).toBe(0)
    const organisation = JSON.parse(created.stdout.trim()) as { organisationId: string, name: string, kind: string }
    expect(organisation).toMatchObject({ name: '市民政局机关党委', kind: 'organ_committee' })
    const first = await ctx.storage.createBranch('第一党支部')
    const second = await ctx.storage.createBranch('第二党支部')
    const alone = await ctx.storage.createBranch('不属于它的支部')
    expect((await admin(['attach-branch', organisation.organisationId, second.branchId], ctx.env)).status).toBe(0)
    const attached = await admin(['attach-branch', organisation.organisationId, first.branchId], ctx.env)
    expect(attached.status, attached.stderr).toBe(0)
    expect(JSON.parse(attached.stdout.trim())).toEqual({ organisationId: organisation.organisationId, branches: [{ id: first.branchId, name: '第一党支部' }, { id: second.branchId, name: '第二党支部' }].sort((a, b) => a.name.localeCompare(b.name)) })
    const rows = await ctx.storage.db.selectFrom('branches').select(['id', 'organisation_id']).where('id', 'in', [first.branchId, second.branchId, alone.branchId]).execute()
    expect(Object.fromEntries(rows.map(r => [r.id, r.organisation_id]))).toEqual({ [first.branchId]: organisation.organisationId, [second.branchId]: organisation.organisationId, [alone.branchId]: null })

    // The Chinese name or the code: 党组 is leading_group.
    const byCode = await admin(['create-organisation', '某某党组', 'leading_group'], ctx.env)
    expect(JSON.parse(byCode.stdout.trim())).toMatchObject({ kind: 'leading_group' })

    const unknown = await admin(['attach-branch', organisation.organisationId, '00000000-0000-4000-8000-000000000000'], ctx.env)
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no branch/)
    const badArgs = [['create-organisation', '名称'], ['create-organisation', '名称', '支部'], ['create-organisation', '', '党委'], ['attach-branch', 'x', first.branchId], ['attach-branch', organisation.organisationId]]
    const runs = await Promise.all(badArgs.map(args => admin(args, ctx.env)))
    runs.forEach((bad, i) => {
      expect(bad.status, badArgs[i]!.join(' ')).toBe(2)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toMatch(/usage: npm run admin/)
    })
  })

  it('migration 0015 keeps every branch, attached to none', async () => {
    const older = await databaseMigratedTo(backend, '0014_report_drafts')
    try {
      const branch = { id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M1', secretary_invite_code: 'S1', created_at: 1 }
      await older.db.insertInto('branches').values(branch).execute()
      await older.db.destroy()
      const storage = await older.open()
      try {
        const rows = await storage.db.selectFrom('branches').selectAll().execute()
        expect(rows.map(r => ({ ...r, created_at: Number(r.created_at) }))).toEqual([{ ...branch, organisation_id: null }])
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await older.dispose()
    }
  })
})
