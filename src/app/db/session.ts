import type { SessionRow } from './database'
import type { MemberInfo } from '@/domain/wire'
import { toRaw } from 'vue'
import { MEMBER_TABLES } from '@/domain/records'
import { db } from './database'

/** The signed-in member kept on this device, if any. */
export async function loadSession(): Promise<SessionRow | undefined> {
  return db.session.get('current')
}

/** Keeps the token and member on this device so reopening the app goes straight in. */
export async function saveSession(token: string, member: MemberInfo): Promise<void> {
  const m = toRaw(member)
  await db.session.put({
    key: 'current',
    token,
    member: { id: m.id, name: m.name, role: m.role, branchId: m.branchId, branchName: m.branchName },
  })
}

/**
 * Signs the device out: the session, the member's records of every table, the material texts, drafts, the outbox and the pull cursor go
 * together in one transaction, so a later member never pushes or sees the previous one's data.
 */
export async function clearSessionData(): Promise<void> {
  const records = MEMBER_TABLES.map(table => db.records(table))
  await db.transaction('rw', [db.session, db.outbox, db.meta, db.drafts, db.materialBodies, ...records], async () => {
    // One member per device: whatever rows remain belong to the member signing out (or are their branch's).
    await Promise.all(records.map(table => table.clear()))
    await db.materialBodies.clear()
    await db.drafts.clear()
    await db.outbox.clear()
    await db.meta.bulkDelete(['cursor', 'lastSyncedAt'])
    await db.session.delete('current')
  })
}
