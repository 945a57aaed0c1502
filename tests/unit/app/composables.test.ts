/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { EffectScope } from 'vue'
import type { StudyCheckinRow } from '@/app/db/database'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { db } from '@/app/db/database'
import { saveSession } from '@/app/db/session'
import { saveStudyCheckin } from '@/app/db/studyCheckins'
import { sortStudyCheckins, studyWeekState } from '@/app/composables/studyCheckinsView'
import { useBranchCompletion } from '@/app/composables/useBranchCompletion'
import { HELD_REFRESH_MS, holdLiveQueries, useLiveQuery } from '@/app/composables/useLiveQuery'
import { useStudyCheckins, useStudyWeek } from '@/app/composables/useStudyCheckins'
import { useSessionStore } from '@/app/stores/session'
import { useStudyStore } from '@/app/stores/study'
import { useSyncStore } from '@/app/stores/sync'
import { currentWeek, todayIn } from '@/domain/week'
import { checkin, resetDevice, useDeviceOnBranch } from './support/device'

const member = { id: '44444444-4444-4444-8444-444444444444', name: '张三', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }

function row(id: string, date: string, updatedAt: number, deleted = false): StudyCheckinRow {
  return { ...checkin(id, 30, date), id, memberId: member.id, week: '', updatedAt, deleted, sync: 'synced' }
}

describe('check-in ordering and week state', () => {
  it('lists newest date first, then the latest edit, without tombstones', () => {
    const rows = [
      row('a', '2026-11-20', 5),
      row('b', '2026-11-23', 1),
      row('c', '2026-11-23', 9),
      row('d', '2026-11-24', 2, true),
      row('e', '2026-10-01', 50),
    ]
    expect(sortStudyCheckins(rows).map(r => r.id)).toEqual(['c', 'b', 'a', 'e'])
  })

  it('counts a week as studied only with a live check-in dated in it', () => {
    const rows = [row('a', '2026-11-23', 1), row('b', '2026-11-29', 2), row('c', '2026-11-25', 3, true), row('d', '2026-11-30', 4)]
    expect(studyWeekState(rows, '2026-W48')).toEqual({ week: '2026-W48', studied: true, checkins: 2, minutes: 60 })
    expect(studyWeekState([row('c', '2026-11-25', 3, true)], '2026-W48')).toEqual({ week: '2026-W48', studied: false, checkins: 0, minutes: 0 })
  })
})

describe('live composables', () => {
  let scope: EffectScope

  beforeEach(async () => {
    setActivePinia(createPinia())
    await resetDevice()
    await saveSession('token', member)
    await useSessionStore().restore()
    scope = effectScope()
  })

  afterEach(() => {
    scope.stop()
  })

  it('useStudyCheckins follows saves, edits and deletes, and shows only the member\'s rows', async () => {
    const { checkins } = scope.run(() => useStudyCheckins())!
    const study = useStudyStore()
    const older = await study.save(checkin('较早', 30, '2026-11-20'))
    const newer = await study.save(checkin('较新', 30, '2026-11-23'))
    await saveStudyCheckin('55555555-5555-4555-8555-555555555555', crypto.randomUUID(), checkin('别人的'))
    await vi.waitFor(() => expect(checkins.value.map(r => r.topic)).toEqual(['较新', '较早']))
    await study.save(checkin('改到更晚', 30, '2026-11-24'), older)
    await vi.waitFor(() => expect(checkins.value.map(r => r.id)).toEqual([older, newer]))
    await study.remove(newer)
    await vi.waitFor(() => expect(checkins.value.map(r => r.id)).toEqual([older]))
  })

  it('useStudyWeek says whether this week has a check-in', async () => {
    const state = scope.run(() => useStudyWeek())!
    const lastWeek = scope.run(() => useStudyWeek('2020-W01'))!
    await vi.waitFor(() => expect(state.value).toEqual({ week: currentWeek(), studied: false, checkins: 0, minutes: 0 }))
    await useStudyStore().save(checkin('本周学习', 40, todayIn()))
    await vi.waitFor(() => expect(state.value).toMatchObject({ studied: true, checkins: 1, minutes: 40 }))
    expect(lastWeek.value.studied).toBe(false)
  })

  it('useLiveQuery re-runs when its dependency changes and stops with its scope', async () => {
    const memberId = ref(member.id)
    const count = scope.run(() => useLiveQuery(() => db.studyCheckins.where('memberId').equals(memberId.value).count(), -1, memberId))!
    await saveStudyCheckin(member.id, crypto.randomUUID(), checkin('一'))
    await vi.waitFor(() => expect(count.value).toBe(1))
    memberId.value = 'nobody'
    await vi.waitFor(() => expect(count.value).toBe(0))
    scope.stop()
    memberId.value = member.id
    await saveStudyCheckin(member.id, crypto.randomUUID(), checkin('二'))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(count.value).toBe(0)
  })
})

describe('live queries held while the sync stores many batches', () => {
  beforeEach(async () => {
    await resetDevice()
  })

  it('read at most once per refresh while held, at once when released, and at once for a query started meanwhile', async () => {
    const scope = effectScope()
    let reads = 0
    const count = scope.run(() => useLiveQuery(() => {
      reads++
      return db.studyCheckins.where('owner').equals(member.id).count()
    }, -1))!
    await vi.waitFor(() => expect(count.value).toBe(0))
    const release = holdLiveQueries()
    try {
      const readsAtHold = reads
      // Ten commits in quick succession, as ten settled batches would be.
      for (let i = 0; i < 10; i++)
        await saveStudyCheckin(member.id, crypto.randomUUID(), checkin(`第${i}次`))
      await new Promise(resolve => setTimeout(resolve, 100))
      // Not one read per commit: at most one refresh came meanwhile.
      expect(reads - readsAtHold).toBeLessThanOrEqual(1)
      expect(count.value).toBeLessThan(10)
      // The refresh reads what is there now.
      await vi.waitFor(() => expect(count.value).toBe(10), { timeout: HELD_REFRESH_MS * 3 })
      // A query started while held answers at once, with the rows as they are.
      const late = scope.run(() => useLiveQuery(() => db.studyCheckins.where('owner').equals(member.id).count(), -1))!
      await vi.waitFor(() => expect(late.value).toBe(10), { timeout: HELD_REFRESH_MS / 2 })
      await saveStudyCheckin(member.id, crypto.randomUUID(), checkin('放开前'))
    }
    finally {
      release()
      release()
    }
    // Released: the save made while held shows at once, and later ones as they commit.
    await vi.waitFor(() => expect(count.value).toBe(11), { timeout: HELD_REFRESH_MS / 2 })
    await saveStudyCheckin(member.id, crypto.randomUUID(), checkin('放开后'))
    await vi.waitFor(() => expect(count.value).toBe(12), { timeout: HELD_REFRESH_MS / 2 })
    scope.stop()
  })
})

describe('useBranchCompletion against the real server', () => {
  const site = useDeviceOnBranch('第三支部')

  it('loads the week\'s completion for a secretary, and reloads when the week changes', async () => {
    const session = useSessionStore()
    await session.join(site.branch.memberInviteCode, '张三')
    await useStudyStore().save(checkin('已学习', 30, todayIn()))
    await useSyncStore().syncNow()
    await session.join(site.branch.secretaryInviteCode, '书记')

    const week = ref(currentWeek())
    const scope = effectScope()
    const completion = scope.run(() => useBranchCompletion(week))!
    await vi.waitFor(() => expect(completion.data.value?.week).toBe(week.value))
    expect(completion.data.value).toMatchObject({ total: 2, completed: 1 })
    expect(completion.data.value!.members[0]).toMatchObject({ name: '书记', studied: false })
    expect(completion.error.value).toBeNull()
    expect(completion.loading.value).toBe(false)

    week.value = '2020-W01'
    await vi.waitFor(() => expect(completion.data.value?.week).toBe('2020-W01'))
    expect(completion.data.value?.completed).toBe(0)
    scope.stop()
  })

  it('gives a member the server\'s forbidden error', async () => {
    await useSessionStore().join(site.branch.memberInviteCode, '李四')
    const scope = effectScope()
    const completion = scope.run(() => useBranchCompletion(ref(currentWeek())))!
    await vi.waitFor(() => expect(completion.error.value).not.toBeNull())
    expect(completion.error.value).toMatchObject({ status: 403, code: 'forbidden' })
    expect(completion.data.value).toBeNull()
    scope.stop()
  })
})
