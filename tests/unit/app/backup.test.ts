/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { BackupFile } from '@/domain/backup'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { configureApi } from '@/app/api/client'
import { exportBackup, importBackup } from '@/app/db/backup'
import { db, outboxKey } from '@/app/db/database'
import { saveRecord } from '@/app/db/records'
import { useNotesStore } from '@/app/stores/notes'
import { useProblemsStore } from '@/app/stores/problems'
import { useServiceStore } from '@/app/stores/service'
import { useSessionStore } from '@/app/stores/session'
import { useStudyStore } from '@/app/stores/study'
import { useSyncStore } from '@/app/stores/sync'
import { BackupFormatError, BackupMemberError } from '@/domain/backup'
import { checkin, problem, readingNote, resetDevice, serviceLog, useDeviceOnBranch } from './support/device'
import { pullEverything } from './support/server'

const site = useDeviceOnBranch('第五支部')

afterEach(async () => {
  await useSyncStore().idle()
})

/** A member with a record of each table on the server, and a check-in and a note still waiting to sync. */
async function memberWithRecords(name = '张三') {
  const session = useSessionStore()
  const member = await session.join(site.branch.memberInviteCode, name)
  const synced = {
    study: await useStudyStore().save(checkin('已同步的学习')),
    service: await useServiceStore().save(serviceLog('幸福社区', 2)),
    note: await useNotesStore().save(readingNote('已同步的笔记')),
    problem: await useProblemsStore().save(problem('已同步的问题')),
  }
  await useSyncStore().syncNow()
  const pending = {
    study: await useStudyStore().save(checkin('未同步的学习', 20)),
    note: await useNotesStore().save(readingNote('未同步的笔记', '离线写的心得')),
  }
  return { member, synced, pending }
}

/** A fresh phone: nothing on the device, fresh stores. */
async function freshPhone() {
  setActivePinia(createPinia())
  await resetDevice()
  configureApi({ baseUrl: site.server.baseUrl })
}

describe('export', () => {
  it('writes the member\'s own records of every table with their sync state and the login, and CSV per table', async () => {
    const { member, synced, pending } = await memberWithRecords()
    // A colleague's problem pulled onto this device is not the member's to export.
    await saveRecord('problems', crypto.randomUUID(), crypto.randomUUID(), problem('同事的问题'))
    const { json, csv } = await exportBackup(Date.parse('2026-11-24T12:00:00Z'))
    const file = JSON.parse(json) as BackupFile
    expect(file).toMatchObject({ format: 'study-log-backup', version: 1, exportedAt: '2026-11-24T12:00:00.000Z', member: { id: member.id, name: '张三', branchName: '第五支部' } })
    expect(file.session?.member.id).toBe(member.id)
    expect(file.session?.token).toBeTruthy()
    expect(file.records.studyCheckins?.map(r => [r.id, r.sync]).sort()).toEqual([[synced.study, 'synced'], [pending.study, 'pending']].sort())
    expect(file.records.problems?.map(r => r.data.title)).toEqual(['已同步的问题'])
    expect(file.records.problems?.[0]?.serverFields).toMatchObject({ status: 'open', reporterName: '张三' })
    expect(file.records.serviceLogs?.[0]?.data).toEqual(serviceLog('幸福社区', 2))
    expect(Object.keys(csv).sort()).toEqual(['problems', 'readingNotes', 'serviceLogs', 'studyCheckins'])
    expect(csv.serviceLogs.startsWith('\uFEFF日期,报到社区,服务类型')).toBe(true)
    expect(csv.serviceLogs).toContain('幸福社区,走访慰问,2,12')
  })
})

describe('restoring a new phone', () => {
  it('signs in as the same member, brings every record, queues only what was pending, and the server keeps each record once', async () => {
    const { member, synced, pending } = await memberWithRecords()
    const { json } = await exportBackup()

    await freshPhone()
    const session = useSessionStore()
    const result = await session.restoreFromBackup(json)
    expect(result).toEqual({ added: 6, updated: 0, skipped: 0 })
    expect(session.member).toEqual(member)
    expect(await db.session.get('current')).toMatchObject({ member: { id: member.id } })
    expect(await db.studyCheckins.get(synced.study)).toMatchObject({ topic: '已同步的学习', sync: 'synced' })
    expect(await db.problems.get(synced.problem)).toMatchObject({ status: 'open', reporterName: '张三' })
    expect((await db.outbox.toArray()).map(entry => entry.key).sort()).toEqual([outboxKey('readingNotes', pending.note), outboxKey('studyCheckins', pending.study)].sort())

    await useSyncStore().syncNow()
    await useSyncStore().idle()
    expect(useSyncStore().lastError).toBeNull()
    expect(await db.outbox.count()).toBe(0)
    const onServer = await pullEverything(site.server.baseUrl, (await db.session.get('current'))!.token)
    // Other members' problems of the branch come along in a pull; count the member's own rows.
    const ids = onServer.filter(row => row.data.memberId === member.id).map(row => row.id)
    expect(ids.sort()).toEqual([...Object.values(synced), ...Object.values(pending)].sort())
    expect(onServer.find(row => row.id === pending.note)).toMatchObject({ data: { reflection: '离线写的心得' } })
    // Nothing doubled on the phone either.
    expect(await db.studyCheckins.count()).toBe(2)
    expect(await db.readingNotes.count()).toBe(2)

    // Importing the same file again adds nothing.
    expect(await importBackup(json)).toEqual({ added: 0, updated: 0, skipped: 6 })
    expect(await db.outbox.count()).toBe(0)
  })

  it('refuses a file that is not a backup or carries no login', async () => {
    await expect(useSessionStore().restoreFromBackup('{"hello":1}')).rejects.toBeInstanceOf(BackupFormatError)
    await memberWithRecords()
    const { json } = await exportBackup()
    const withoutLogin = JSON.parse(json) as BackupFile
    delete withoutLogin.session
    await freshPhone()
    await expect(useSessionStore().restoreFromBackup(JSON.stringify(withoutLogin))).rejects.toThrow('这份备份不含登录信息')
    expect(await db.session.count()).toBe(0)
  })
})

describe('import on a signed-in device', () => {
  it('keeps the newer copy of each record and queues an older device\'s pending edits only when newer', async () => {
    const { synced } = await memberWithRecords()
    const { json } = await exportBackup()
    // After the export the member edits one note here; the backup's older copy must not win.
    await useNotesStore().save(readingNote('导出后改的笔记'), synced.note)
    const file = JSON.parse(json) as BackupFile
    // And the backup holds a newer copy of the service log than this device.
    const log = file.records.serviceLogs![0]!
    log.updatedAt += 60_000
    log.sync = 'pending'
    log.data = { ...log.data, community: '备份里更新的社区' }
    const result = await importBackup(JSON.stringify(file))
    expect(result).toEqual({ added: 0, updated: 1, skipped: 5 })
    expect(await db.readingNotes.get(synced.note)).toMatchObject({ title: '导出后改的笔记' })
    expect(await db.serviceLogs.get(synced.service)).toMatchObject({ community: '备份里更新的社区', sync: 'pending' })
    expect(await db.outbox.get(outboxKey('serviceLogs', synced.service))).toBeDefined()
  })

  it('refuses another member\'s backup with a clear message and changes nothing', async () => {
    await memberWithRecords('王五')
    const { json } = await exportBackup()
    await freshPhone()
    await useSessionStore().join(site.branch.memberInviteCode, '赵六')
    const error = await importBackup(json).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BackupMemberError)
    expect((error as Error).message).toBe('这是另一位党员的备份')
    await expect(useSessionStore().restoreFromBackup(json)).rejects.toThrow('这是另一位党员的备份')
    expect(await db.studyCheckins.count()).toBe(0)
    expect(useSessionStore().member?.name).toBe('赵六')
  })

  it('refuses a file that is not JSON with a message saying so', async () => {
    await useSessionStore().join(site.branch.memberInviteCode, '钱七')
    await expect(importBackup('这不是 JSON')).rejects.toThrow('这不是学习打卡的备份文件（无法读取为 JSON）')
  })
})
