/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { RealServer } from './support/server'
import type { SessionRow } from '@/app/db/database'
import type { CreatedBranch } from '@/server/storage'
import { createPinia, setActivePinia } from 'pinia'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { configureApi } from '@/app/api/client'
import { useMaterial, useMaterials } from '@/app/composables/useMaterials'
import { db, outboxKey } from '@/app/db/database'
import { getReadingProgress } from '@/app/db/materials'
import { saveSession } from '@/app/db/session'
import { useMaterialsStore } from '@/app/stores/materials'
import { MaterialNotFoundError, useReaderStore } from '@/app/stores/reader'
import { useSessionStore } from '@/app/stores/session'
import { useSyncStore } from '@/app/stores/sync'
import { homeStudyCheckinId, readingProgressId } from '@/domain/homeStudy'
import { currentWeek, todayIn } from '@/domain/week'
import { resetDevice } from './support/device'
import { joinOverHttp, pullEverything, startRealServer, syncOverHttp } from './support/server'

let server: RealServer
let branch: CreatedBranch
let materialIds: string[]

/** One phone's login: the token and member (with its id seed) as the session table keeps them. */
type Login = Pick<SessionRow, 'token' | 'member'>

async function freshDevice(): Promise<void> {
  setActivePinia(createPinia())
  await resetDevice()
  configureApi({ baseUrl: server.baseUrl })
}

/** A phone signed in with `login` (another device of the same member), with the branch's materials pulled. */
async function deviceOf(login: Login): Promise<void> {
  await freshDevice()
  await saveSession(login.token, login.member)
  await useSessionStore().restore()
  await useSyncStore().syncNow()
}

async function newMember(name: string): Promise<Login> {
  await freshDevice()
  await useSessionStore().join(branch.memberInviteCode, name)
  await useSyncStore().syncNow()
  return (await db.session.get('current'))!
}

beforeAll(async () => {
  server = await startRealServer()
  branch = await server.storage.createBranch('阅读支部')
  await freshDevice()
  await useSessionStore().join(branch.secretaryInviteCode, '王书记')
  const materials = useMaterialsStore()
  materialIds = [
    await materials.publish({ title: '第一篇', category: 'classic', body: '# 一\n第一段\n第二段' }),
    await materials.publish({ title: '第二篇', category: 'speech', body: '讲话正文' }),
  ]
  await useSyncStore().syncNow()
  await useSyncStore().idle()
})

beforeEach(async () => {
  await freshDevice()
})

afterEach(async () => {
  vi.restoreAllMocks()
  await useSyncStore().idle()
})

afterAll(async () => {
  await server?.close()
})

describe('reading position', () => {
  it('never lowers the furthest percent read, while the position follows the reader', async () => {
    const me = await newMember('张三')
    const reader = useReaderStore()
    const [id] = materialIds as [string]
    await reader.savePosition(id, 10, 60)
    await reader.flush()
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ position: 10, percent: 60, secondsSpent: 0 })
    await reader.savePosition(id, 2, 20)
    await reader.flush()
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ position: 2, percent: 60 })
    expect(await db.outbox.get(outboxKey('readingProgress', readingProgressId(me.member.idSeed!, me.member.id, id)))).toBeDefined()
    // Down to 90% and back up to 30% between two writes (the clock stands still, so both wait for
    // one write): the write keeps the batch's furthest point, not its last.
    vi.spyOn(Date, 'now').mockReturnValue(Date.now())
    await reader.savePosition(id, 30, 90)
    await reader.savePosition(id, 5, 30)
    expect(reader.waiting).toEqual([id])
    await reader.flush()
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ position: 5, percent: 90 })
    vi.restoreAllMocks()
  })

  it('writes at most every few seconds while scrolling, and at once on flush', async () => {
    const me = await newMember('李四')
    const reader = useReaderStore()
    const [id] = materialIds as [string]
    // The clock stands still, so however slow the machine, the later calls fall within the interval.
    vi.spyOn(Date, 'now').mockReturnValue(Date.now())
    await reader.savePosition(id, 1, 5)
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ position: 1 })
    await reader.savePosition(id, 3, 15)
    await reader.savePosition(id, 4, 20)
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ position: 1, percent: 5 })
    expect(reader.waiting).toEqual([id])
    await reader.flush()
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ position: 4, percent: 20 })
    expect(reader.waiting).toEqual([])
    vi.restoreAllMocks()
  })

  it('keeps reading time alone for later, and writes it with the rest on flush', async () => {
    const me = await newMember('周九')
    const reader = useReaderStore()
    const [id] = materialIds as [string]
    vi.spyOn(Date, 'now').mockReturnValue(Date.now())
    await reader.addReadingTime(id, 5)
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ secondsSpent: 5 })
    await reader.addReadingTime(id, 5)
    await reader.addReadingTime(id, 5)
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ secondsSpent: 5 })
    expect(reader.waiting).toEqual([id])
    await reader.flush()
    expect(await getReadingProgress(me.member.id, id)).toMatchObject({ secondsSpent: 15 })
  })

  it('reaches the member\'s other phone through the server', async () => {
    const me = await newMember('王五')
    const [id] = materialIds as [string]
    const reader = useReaderStore()
    await reader.savePosition(id, 2, 70)
    await reader.addReadingTime(id, 45)
    await reader.flush()
    await useSyncStore().syncNow()

    await deviceOf(me)
    const scope = effectScope()
    const view = scope.run(() => useMaterial(ref(id)))!
    await vi.waitFor(() => expect(view.progress.value).toMatchObject({ position: 2, percent: 70, secondsSpent: 45 }))
    expect(view.body.value).toContain('第二段')
    scope.stop()
  })
})

describe('home study', () => {
  it('标记已学 needs a minute of reading, then counts once this week', async () => {
    const me = await newMember('赵六')
    const reader = useReaderStore()
    const [id] = materialIds as [string]
    await reader.addReadingTime(id, 30)
    expect(await reader.markStudied(id)).toBe('tooShort')
    expect(await db.studyCheckins.count()).toBe(0)

    await reader.addReadingTime(id, 30)
    expect(await reader.markStudied(id)).toBe('counted')
    const checkin = await db.studyCheckins.get(homeStudyCheckinId(me.member.idSeed!, me.member.id, id, currentWeek()))
    expect(checkin).toMatchObject({ form: 'home_study', materialId: id, topic: '第一篇', minutes: 1, sync: 'pending' })
    expect(await reader.markStudied(id)).toBe('alreadyCounted')
    expect(await reader.finish(id)).toBe('alreadyCounted')
    expect(await db.studyCheckins.count()).toBe(1)
  })

  it('a material withdrawn since (its tombstone pulled) is not counted, whatever the reading time', async () => {
    await newMember('周九')
    const reader = useReaderStore()
    const [id] = materialIds as [string]
    await reader.addReadingTime(id, 120)
    // The phone has pulled the secretary's withdrawal while the reader stayed open.
    await db.materials.update(id, { deleted: true })
    await expect(reader.markStudied(id)).rejects.toBeInstanceOf(MaterialNotFoundError)
    await expect(reader.finish(id)).rejects.toBeInstanceOf(MaterialNotFoundError)
    expect(await db.studyCheckins.count()).toBe(0)
  })

  it('reaching the end counts once a minute is read, marks the material finished, and shows in the list', async () => {
    await newMember('钱七')
    const reader = useReaderStore()
    const [, id] = materialIds as [string, string]
    const scope = effectScope()
    const { materials } = scope.run(() => useMaterials())!
    // The end on screen at once (a short text) is not reading: finished, but not counted yet.
    expect(await reader.finish(id)).toBe('tooShort')
    await vi.waitFor(() => expect(materials.value.find(entry => entry.material.id === id)).toMatchObject({ finished: true, percent: 100, studiedThisWeek: false }))
    expect(await db.studyCheckins.count()).toBe(0)
    await reader.addReadingTime(id, 60)
    expect(await reader.finish(id)).toBe('counted')
    await vi.waitFor(() => expect(materials.value.find(entry => entry.material.id === id)).toMatchObject({ unread: false, finished: true, percent: 100, studiedThisWeek: true }))
    expect(materials.value.find(entry => entry.material.id !== id)).toMatchObject({ unread: true, studiedThisWeek: false })
    scope.stop()
  })

  it('two phones of one member finishing offline in the same week make one check-in on the server', async () => {
    const me = await newMember('孙八')
    const [id] = materialIds as [string]
    await useReaderStore().addReadingTime(id, 60)
    expect(await useReaderStore().finish(id)).toBe('counted')
    const first = (await db.studyCheckins.toArray())[0]!
    await useSyncStore().syncNow()

    await deviceOf(me)
    // This phone never saw the first one's check-in (both were offline): it counts the material
    // itself, with the reading time the first phone synced.
    await db.studyCheckins.clear()
    expect(await useReaderStore().finish(id)).toBe('counted')
    const second = (await db.studyCheckins.toArray())[0]!
    expect(second.id).toBe(first.id)
    await useSyncStore().syncNow()
    expect(await db.outbox.count()).toBe(0)

    const rows = await pullEverything(server.baseUrl, me.token)
    expect(rows.filter(row => row.table === 'studyCheckins' && !row.deleted).map(row => row.id)).toEqual([first.id])
  })
})

describe('a phone that joined before id seeds', () => {
  /** Nothing listens here: a phone offline. */
  const OFFLINE_URL = 'http://127.0.0.1:1'

  /**
   * The member's old phone: its session has no id seed and it started offline (GET /me failed),
   * then the network came back for syncs only; `session.refresh()` is its next GET /me.
   */
  async function legacyPhoneOf(login: Login): Promise<void> {
    await freshDevice()
    const { idSeed: _seed, ...member } = login.member
    await saveSession(login.token, member)
    configureApi({ baseUrl: OFFLINE_URL })
    const session = useSessionStore()
    await session.restore()
    await session.refresh()
    expect(session.idSeed).toBeNull()
    configureApi({ baseUrl: server.baseUrl })
    await useSyncStore().syncNow()
  }

  const liveRows = async (token: string, table: string) => (await pullEverything(server.baseUrl, token)).filter(row => row.table === table && !row.deleted).map(row => row.id).sort()

  it('derives the legacy ids until GET /me brings the seed, then keeps crediting by meaning: no second progress row or check-in', async () => {
    const me = await newMember('吴一')
    await legacyPhoneOf(me)
    const session = useSessionStore()
    const reader = useReaderStore()
    const [first, second] = materialIds as [string, string]
    await reader.savePosition(first, 3, 40)
    await reader.addReadingTime(first, 90)
    await reader.addReadingTime(second, 60)
    await reader.flush()
    expect(await reader.finish(second)).toBe('counted')
    const week = currentWeek()
    const legacy = {
      first: readingProgressId(null, me.member.id, first),
      second: readingProgressId(null, me.member.id, second),
      checkin: homeStudyCheckinId(null, me.member.id, second, week),
    }
    expect(await db.readingProgress.get(legacy.first)).toMatchObject({ position: 3, secondsSpent: 90 })
    expect(await db.studyCheckins.get(legacy.checkin)).toMatchObject({ form: 'home_study', materialId: second })
    await useSyncStore().syncNow()

    // Online again: GET /me brings the seed, and the phone keeps it.
    await session.refresh()
    expect(session.idSeed).toBe(me.member.idSeed)
    expect((await db.session.get('current'))!.member.idSeed).toBe(me.member.idSeed)

    await reader.savePosition(first, 8, 70)
    await reader.flush()
    expect(await getReadingProgress(me.member.id, first)).toMatchObject({ id: legacy.first, position: 8, percent: 70, secondsSpent: 90 })
    expect(await reader.finish(second)).toBe('alreadyCounted')
    expect(await reader.markStudied(first)).toBe('counted')
    const seededCheckin = homeStudyCheckinId(me.member.idSeed!, me.member.id, first, week)
    expect((await db.readingProgress.toArray()).map(row => row.id).sort()).toEqual([legacy.first, legacy.second].sort())
    expect((await db.studyCheckins.toArray()).map(row => row.id).sort()).toEqual([legacy.checkin, seededCheckin].sort())

    await useSyncStore().syncNow()
    expect(await db.outbox.count()).toBe(0)
    expect(await liveRows(me.token, 'readingProgress')).toEqual([legacy.first, legacy.second].sort())
    expect(await liveRows(me.token, 'studyCheckins')).toEqual([legacy.checkin, seededCheckin].sort())
  })

  it('rows whose legacy ids another member pushed first move to the seeded ids once the seed is known', async () => {
    const victim = await newMember('郑二')
    const attacker = await joinOverHttp(server.baseUrl, branch.memberInviteCode, '冯三')
    const [id] = materialIds as [string]
    const week = currentWeek()
    const legacy = { progress: readingProgressId(null, victim.member.id, id), checkin: homeStudyCheckinId(null, victim.member.id, id, week) }
    // The attacker read the victim's memberId (every problem carries it) and squats the legacy ids.
    const squat = await syncOverHttp(server.baseUrl, attacker.token, { clientId: 'attacker', cursor: null, changes: [
      { table: 'readingProgress', id: legacy.progress, updatedAt: 1, data: { materialId: id, position: 0, percent: 0, secondsSpent: 0, finishedAt: null } },
      { table: 'studyCheckins', id: legacy.checkin, updatedAt: 1, data: { date: todayIn(), form: 'home_study', topic: '抢占', minutes: 1, materialId: id } },
    ] })
    expect(squat.results.map(r => r.status)).toEqual(['applied', 'applied'])

    await legacyPhoneOf(victim)
    const session = useSessionStore()
    const reader = useReaderStore()
    await reader.addReadingTime(id, 90)
    await reader.flush()
    expect(await reader.finish(id)).toBe('counted')
    await useSyncStore().syncNow()
    expect(await db.readingProgress.get(legacy.progress)).toMatchObject({ sync: 'rejected', rejection: { code: 'forbidden' } })
    expect(await db.studyCheckins.get(legacy.checkin)).toMatchObject({ sync: 'rejected', rejection: { code: 'forbidden' } })

    await session.refresh()
    expect(session.idSeed).toBe(victim.member.idSeed)
    const seeded = { progress: readingProgressId(victim.member.idSeed!, victim.member.id, id), checkin: homeStudyCheckinId(victim.member.idSeed!, victim.member.id, id, week) }
    // The next write moves the progress (kept, not restarted) to the seeded id; the refused copy leaves the phone.
    await reader.addReadingTime(id, 10)
    await reader.flush()
    expect(await db.readingProgress.get(legacy.progress)).toBeUndefined()
    expect(await db.readingProgress.get(seeded.progress)).toMatchObject({ percent: 100, secondsSpent: 100, sync: 'pending' })
    expect(await getReadingProgress(victim.member.id, id)).toMatchObject({ id: seeded.progress })
    // The refused check-in never reached the server: the week is credited again, with the seeded id.
    expect(await reader.finish(id)).toBe('counted')
    expect(await reader.finish(id)).toBe('alreadyCounted')
    expect(await db.studyCheckins.get(seeded.checkin)).toMatchObject({ form: 'home_study', materialId: id, sync: 'pending' })

    await useSyncStore().syncNow()
    expect(await db.outbox.count()).toBe(0)
    expect(await liveRows(victim.token, 'readingProgress')).toEqual([seeded.progress])
    expect(await liveRows(victim.token, 'studyCheckins')).toEqual([seeded.checkin])
  })
})
