import type { SessionRow } from './database'
import type { MemberInfo } from '@/domain/wire'
import { toRaw } from 'vue'
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
 * Signs the device out: the session, the member's records, the outbox and the pull cursor go
 * together in one transaction, so a later member never pushes or sees the previous one's data.
 */
export async function clearSessionData(): Promise<void> {
  await db.transaction('rw', [db.session, db.studyCheckins, db.outbox, db.meta], async () => {
    // One member per device: whatever rows remain belong to the member signing out.
    await db.studyCheckins.clear()
    await db.outbox.clear()
    await db.meta.bulkDelete(['cursor', 'lastSyncedAt'])
    await db.session.delete('current')
  })
}
