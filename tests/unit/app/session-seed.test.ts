/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { BackupFile } from '@/domain/backup'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { configureApi } from '@/app/api/client'
import { exportBackup } from '@/app/db/backup'
import { db } from '@/app/db/database'
import { loadSession, saveSession } from '@/app/db/session'
import { useSessionStore } from '@/app/stores/session'
import { useSyncStore } from '@/app/stores/sync'
import { BackupFormatError, parseBackup } from '@/domain/backup'
import { resetDevice, useDeviceOnBranch } from './support/device'

/** The member's secret id seed on the phone: from join, from GET /me for a phone that joined before seeds, from a backup. */

const site = useDeviceOnBranch('种子支部')
const SEED_RE = /^[0-9a-f]{32}$/

afterEach(async () => {
  await useSyncStore().idle()
})

async function freshPhone() {
  setActivePinia(createPinia())
  await resetDevice()
  configureApi({ baseUrl: site.server.baseUrl })
}

describe('the id seed of the session', () => {
  it('comes with the join and is kept with the session; signing out forgets it', async () => {
    const session = useSessionStore()
    const member = await session.join(site.branch.memberInviteCode, '张三')
    expect(session.idSeed).toMatch(SEED_RE)
    expect((await loadSession())!.member.idSeed).toBe(session.idSeed)
    expect(session.member).toEqual({ id: member.id, name: '张三', role: 'member', branchId: site.branch.branchId, branchName: '种子支部' })

    // Reopening the app (offline: no GET /me answers) has it at once.
    const seed = session.idSeed
    setActivePinia(createPinia())
    configureApi({ baseUrl: 'http://127.0.0.1:1' })
    const reopened = useSessionStore()
    await reopened.restore()
    expect(reopened.idSeed).toBe(seed)

    await reopened.signOut()
    expect(reopened.idSeed).toBeNull()
    expect(await db.session.count()).toBe(0)
  })

  it('a phone that joined before seeds learns its seed from GET /me and keeps it', async () => {
    const session = useSessionStore()
    await session.join(site.branch.memberInviteCode, '李四')
    const seed = session.idSeed!
    const { token, member } = (await loadSession())!
    const { idSeed: _seed, ...withoutSeed } = member
    await freshPhone()
    await saveSession(token, withoutSeed)
    const old = useSessionStore()
    configureApi({ baseUrl: 'http://127.0.0.1:1' })
    await old.restore()
    await old.refresh()
    expect(old.idSeed).toBeNull()

    configureApi({ baseUrl: site.server.baseUrl })
    await old.refresh()
    expect(old.idSeed).toBe(seed)
    expect((await loadSession())!.member.idSeed).toBe(seed)
    // A later save without the seed (a path or server that does not send it) keeps the one known.
    await saveSession(token, withoutSeed)
    expect((await loadSession())!.member.idSeed).toBe(seed)
    // Another member's session never inherits it.
    await saveSession(token, { ...withoutSeed, id: crypto.randomUUID() })
    expect((await loadSession())!.member.idSeed).toBeUndefined()
  })

  it('travels in the backup, and a new phone restored from it derives with the same seed', async () => {
    const session = useSessionStore()
    await session.join(site.branch.memberInviteCode, '王五')
    const seed = session.idSeed!
    expect(seed).toMatch(SEED_RE)
    const { json } = await exportBackup()
    expect((JSON.parse(json) as BackupFile).session?.member.idSeed).toBe(seed)

    await freshPhone()
    configureApi({ baseUrl: 'http://127.0.0.1:1' })
    const restored = useSessionStore()
    await restored.restoreFromBackup(json)
    expect(restored.idSeed).toBe(seed)
    expect((await loadSession())!.member.idSeed).toBe(seed)
  })

  it('a backup made before seeds still restores; one with a malformed seed is refused', async () => {
    const session = useSessionStore()
    await session.join(site.branch.memberInviteCode, '赵六')
    const seed = session.idSeed!
    const file = JSON.parse((await exportBackup()).json) as BackupFile
    const { idSeed: _seed, ...member } = file.session!.member
    const older = JSON.stringify({ ...file, session: { ...file.session, member } })
    expect(parseBackup(older).session?.member.idSeed).toBeUndefined()
    expect(() => parseBackup(JSON.stringify({ ...file, session: { ...file.session, member: { ...member, idSeed: 'not a seed' } } }))).toThrow(BackupFormatError)

    await freshPhone()
    const restored = useSessionStore()
    await restored.restoreFromBackup(older)
    // No seed in the file: the phone asks GET /me (online here) and has it.
    await restored.refresh()
    expect(restored.idSeed).toBe(seed)
  })
})
