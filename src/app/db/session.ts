import type { SessionRow } from './database'
import type { MemberInfo } from '@/domain/wire'
import { toRaw } from 'vue'
import { MEMBER_TABLES } from '@/domain/tables'
import { db } from './database'

/** The signed-in member kept on this device, if any. */
export async function loadSession(): Promise<SessionRow | undefined> {
  return db.session.get('current')
}

/** What an id seed looks like (the server sends 128 random bits as hex); anything else is not kept. */
export const ID_SEED_RE = /^[0-9a-f]{32,128}$/

/**
 * Keeps the token and member on this device so reopening the app goes straight in. The member's
 * `idSeed` is kept when given; when not (a server or a path that does not send it), the seed
 * already kept for the same member stays: a seed, once known, is never lost.
 */
export async function saveSession(token: string, member: MemberInfo & { idSeed?: string }): Promise<void> {
  const m = toRaw(member)
  await db.transaction('rw', db.session, async () => {
    const previous = await db.session.get('current')
    const idSeed = [m.idSeed, previous?.member.id === m.id ? previous.member.idSeed : undefined]
      .find(seed => typeof seed === 'string' && ID_SEED_RE.test(seed))
    await db.session.put({
      key: 'current',
      token,
      member: { id: m.id, name: m.name, role: m.role, branchId: m.branchId, branchName: m.branchName, ...(idSeed ? { idSeed } : {}) },
    })
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

/**
 * The device's member was merged into another (合并到…, the sync answer names that member): from
 * now on the device is `member`. The rows kept under the former id become the member's (the
 * server moved them, keeping their ids) and the session says who it is, in one transaction, so
 * the lists show the member's records and the next sync pulls and pushes as them.
 */
export async function adoptMergedMember(formerId: string, member: MemberInfo & { idSeed?: string }): Promise<void> {
  const records = MEMBER_TABLES.map(table => db.records(table))
  await db.transaction('rw', [db.session, ...records], async () => {
    const current = await db.session.get('current')
    if (current?.member.id !== formerId)
      return
    for (const table of records) {
      const rows = await table.where('memberId').equals(formerId).toArray()
      if (rows.length > 0)
        await table.bulkPut(rows.map(row => ({ ...row, memberId: member.id })) as never)
    }
    await saveSession(current.token, member)
  })
}
