/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { api } from '@/app/api/client'
import { sessionsApi } from '@/app/api/sessions'
import { db } from '@/app/db/database'
import { runSyncPass } from '@/app/sync/engine'
import { useBranchSessionsStore } from '@/app/stores/branchSessions'
import { useSessionStore } from '@/app/stores/session'
import { DEFAULT_TIME_ZONE, todayIn } from '@/domain/week'
import { pullEverything } from '../support/server'
import { resetDevice, signInDevice, useDeviceOnBranch } from '../support/device'

// Sessions through the app's sync engine against the real server: the secretary's phone pushes a
// session made offline, a member's phone pulls it and signs in by its code, a phone that never saw
// it signs in by the code alone, and the server's attendance counts both.
describe('sessions sync like materials', () => {
  const site = useDeviceOnBranch('同步党支部')

  /** A phone signed in as a new member of the branch: an emptied device with fresh stores. */
  async function phone(inviteCode: string, name: string) {
    setActivePinia(createPinia())
    await resetDevice()
    const joined = await signInDevice(site.server, inviteCode, name)
    await useSessionStore().restore()
    return joined
  }

  it('a session pushed by the secretary is pulled by members, and sign-ins by id and by code attend it', async () => {
    const today = todayIn(DEFAULT_TIME_ZONE)
    const secretary = await phone(site.branch.secretaryInviteCode, '王书记')
    const sessionId = await useBranchSessionsStore().save({ form: 'reading_class', topic: '读书班', date: today, endDate: null, time: '09:00', place: '党员活动室', host: '王书记', speaker: null, materialIds: [] })
    await useBranchSessionsStore().addLeave(sessionId, secretary.member.id, '主持')
    const code = (await db.sessions.get(sessionId))!.code
    expect((await runSyncPass(api, { memberId: secretary.member.id })).applied).toBe(1)
    expect(await db.sessions.get(sessionId)).toMatchObject({ sync: 'synced', code, leaves: [{ memberId: secretary.member.id, reason: '主持' }] })

    // A member whose phone pulled it: 签到 by the code, linked by id.
    const member = await phone(site.branch.memberInviteCode, '张三')
    await runSyncPass(api, { memberId: member.member.id })
    const pulled = (await db.sessions.get(sessionId))!
    expect(pulled).toMatchObject({ form: 'reading_class', topic: '读书班', date: today, time: '09:00', place: '党员活动室', code, sync: 'synced', branchId: site.branch.branchId })
    const verdict = await useBranchSessionsStore().judge(code)
    expect(verdict.kind).toBe('sign-in')
    await useBranchSessionsStore().signIn(code, verdict.kind === 'sign-in' ? verdict.session : null, '')
    await runSyncPass(api, { memberId: member.member.id })
    const ownRows = (await pullEverything(site.server.baseUrl, member.token)).filter(change => change.table === 'studyCheckins')
    expect(ownRows.map(change => change.data)).toMatchObject([{ sessionId, sessionCode: code, form: 'reading_class' }])

    // A member whose phone never had the session: the code alone, matched by the server.
    const other = await phone(site.branch.memberInviteCode, '李四')
    expect(await db.sessions.count()).toBe(0)
    const byCode = await useBranchSessionsStore().signIn(code, null, `活动签到（签到码 ${code}）`)
    await runSyncPass(api, { memberId: other.member.id })
    // Its pull brings the session; the row keeps the code alone, and the phone now places it.
    expect(await db.studyCheckins.get(byCode)).toMatchObject({ sessionCode: code, sync: 'synced' })
    expect((await db.studyCheckins.get(byCode))!.sessionId ?? null).toBeNull()
    expect(await db.sessions.get(sessionId)).toMatchObject({ code })

    setActivePinia(createPinia())
    await resetDevice()
    await signInDevice(site.server, site.branch.secretaryInviteCode, '赵书记')
    const detail = await sessionsApi.detail(sessionId)
    expect(detail.attended.map(entry => entry.name).sort()).toEqual(['张三', '李四'].sort())
    expect(detail.leaves.map(entry => entry.name)).toEqual(['王书记'])
    expect(detail.session).toMatchObject({ attended: 2, onLeave: 1 })
  })
})
