import { expect, it } from 'vitest'
import { databaseMigratedTo, describeEachBackend } from './support/backends'

/** Migrations 0004/0005 (issue #5) upgrade a database made before them, keeping its members and records. */

describeEachBackend('branch administration migrations', (backend) => {
  it('upgrades a database made before 0004: members in work with no join date, records entered by themselves', async () => {
    const { db, open, dispose } = await databaseMigratedTo(backend, '0003_materials')
    try {
      await db.insertInto('branches').values({ id: 'b1', name: '老支部', time_zone: 'Asia/Shanghai', member_invite_code: 'm1', secretary_invite_code: 's1', created_at: 1 }).execute()
      await db.insertInto('members').values({ id: 'm1', branch_id: 'b1', name: '老党员', role: 'member', status: 'active', created_at: 1 }).execute()
      await db.insertInto('study_checkins').values({ id: 'c1', member_id: 'm1', branch_id: 'b1', updated_at: 1, client_id: 'x', deleted: 0, rev: 1, date: '2025-12-02', week: '2025-W49', form: 'branch_study', topic: '学习', minutes: 60 }).execute()
      await db.destroy()

      const storage = await open()
      try {
        expect(await storage.branchAdmin.members('b1')).toEqual([{ id: 'm1', name: '老党员', role: 'member', retired: false, partyJoinDate: null, joinedAt: 1, activeDevices: 0, lastSyncAt: null }])
        const [row] = await storage.branchAdmin.memberRecords('b1', 'm1', 'studyCheckins', {})
        expect(row).toMatchObject({ id: 'c1', memberName: '老党员', data: { topic: '学习', enteredByName: null } })
        const summary = await storage.summary.values({ branchId: 'b1', month: '2025-12', timeZone: 'Asia/Shanghai' })
        // Since issue #13 a check-in makes no session: the old branch study is kept, unlinked, for the secretary to link or merge.
        expect(summary.values).toMatchObject({ 'branchStudy.held': 0, 'branchStudy.attendance': 0, 'sessions.unlinkedCheckins': 1, 'study.checkins': 1 })
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await dispose()
    }
  })
})
