/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { MaterialDownload } from '@/app/sync/materialBodies'
import Dexie from 'dexie'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { api, ApiError, configureApi } from '@/app/api/client'
import { downloadOf, useMaterial, useMaterials } from '@/app/composables/useMaterials'
import { exportBackup } from '@/app/db/backup'
import type { MaterialRow } from '@/app/db/database'
import { db, outboxKey, StudyLogDatabase } from '@/app/db/database'
import { NotSecretaryError, RecordValidationError, useMaterialsStore } from '@/app/stores/materials'
import { useNotesStore } from '@/app/stores/notes'
import { useReaderStore } from '@/app/stores/reader'
import { useSessionStore } from '@/app/stores/session'
import { useSyncStore } from '@/app/stores/sync'
import { downloadMaterialBodies } from '@/app/sync/materialBodies'
import { PUSH_BYTE_BUDGET } from '@/app/sync/engine'
import { materialBytes } from '@/domain/materialText'
import { recordingTransport, resetDevice, useDeviceOnBranch } from './support/device'
import { pullEverything } from './support/server'

const site = useDeviceOnBranch('材料支部')

afterEach(async () => {
  await useSyncStore().idle()
})

const text = '# 学习材料\n一、总体要求\n\u3000\u3000第一段：坚持不懈用新时代中国特色社会主义思想凝心铸魂。\n> 不忘初心，牢记使命。\n- 读原著\n- 学原文'

function material(title: string, body = text, studyBy: string | null = null) {
  return { title, category: 'classic' as const, body, studyBy }
}

/** A new phone signed in with an invite code (the device is emptied first). */
async function phone(inviteCode: string, name: string) {
  setActivePinia(createPinia())
  await resetDevice()
  configureApi({ baseUrl: site.server.baseUrl })
  return useSessionStore().join(inviteCode, name)
}

describe('publishing a material (secretary)', () => {
  it('keeps the text on the phone at once, pushes it, then keeps only metadata in the row', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('第一篇', text, '2026-12-31'))
    const pending = await db.materials.get(id)
    expect(pending).toMatchObject({ title: '第一篇', body: text, sync: 'pending', authorName: '王书记', bodyBytes: materialBytes(text), studyBy: '2026-12-31' })
    expect(await db.materialBodies.get(id)).toEqual({ id, updatedAt: pending!.updatedAt, body: text })
    expect(await db.outbox.get(outboxKey('materials', id))).toBeDefined()

    await useSyncStore().syncNow()
    const synced = await db.materials.get(id)
    expect(synced).toMatchObject({ sync: 'synced', title: '第一篇' })
    expect(synced).not.toHaveProperty('body')
    expect(synced!.base!.data).not.toHaveProperty('body')
    expect((await db.materialBodies.get(id))?.body).toBe(text)
    expect(useSyncStore().lastDownloads).toMatchObject({ downloaded: 0, failed: 0 })
  })

  it('refuses a member, and bad fields with data.<field> paths', async () => {
    await phone(site.branch.memberInviteCode, '李党员')
    await expect(useMaterialsStore().publish(material('不该发布'))).rejects.toBeInstanceOf(NotSecretaryError)
    expect(await db.materials.count()).toBe(0)

    await phone(site.branch.secretaryInviteCode, '王书记')
    const error = await useMaterialsStore().publish({ title: ' ', category: 'classic', body: '', studyBy: '2026-13-01' }).catch(e => e)
    expect(error).toBeInstanceOf(RecordValidationError)
    expect((error as RecordValidationError).issues.map(issue => issue.path).sort()).toEqual(['data.body', 'data.studyBy', 'data.title'])
    expect(await db.materials.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
  })

  it('an edit keeps the first publishing time; 撤回 drops the text and leaves a tombstone for every phone', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const materials = useMaterialsStore()
    const id = await materials.publish({ ...material('撤回的'), publishedAt: 1_700_000_000_000 })
    await useSyncStore().syncNow()
    await materials.publish({ ...material('撤回的（修改）', `${text}\n补充一段。`), publishedAt: 1_800_000_000_000 }, id)
    expect(await db.materials.get(id)).toMatchObject({ title: '撤回的（修改）', publishedAt: 1_700_000_000_000 })
    await useSyncStore().syncNow()

    // Another secretary of the branch may withdraw it; the row keeps its first author.
    await phone(site.branch.secretaryInviteCode, '王书记二号')
    await useSyncStore().syncNow()
    expect(await db.materials.get(id)).toMatchObject({ authorName: '王书记', title: '撤回的（修改）' })
    expect((await db.materialBodies.get(id))?.body).toBe(`${text}\n补充一段。`)
    await useMaterialsStore().unpublish(id)
    expect(await db.materialBodies.get(id)).toBeUndefined()
    expect(await db.materials.get(id)).toMatchObject({ deleted: true, sync: 'pending' })
    await useSyncStore().syncNow()
    expect(await db.materials.get(id)).toBeUndefined()
    expect(await db.outbox.count()).toBe(0)
  })

  it('a member\'s phone drops the text when the material is withdrawn', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('将被撤回'))
    await useSyncStore().syncNow()
    const secretaryToken = (await db.session.get('current'))!.token

    await phone(site.branch.memberInviteCode, '李党员')
    await useSyncStore().syncNow()
    expect(await db.materialBodies.get(id)).toBeDefined()
    const tombstone = { table: 'materials' as const, id, updatedAt: Date.now() + 1000, deleted: true }
    const response = await fetch(`${site.server.baseUrl}/api/v1/sync`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Authorization': `Bearer ${secretaryToken}` },
      body: JSON.stringify({ clientId: crypto.randomUUID(), cursor: null, changes: [tombstone] }),
    })
    expect(response.status).toBe(200)
    await useSyncStore().syncNow()
    expect(await db.materials.get(id)).toBeUndefined()
    expect(await db.materialBodies.get(id)).toBeUndefined()
  })
})

describe('material texts on a member\'s phone', () => {
  it('pulls metadata, downloads the text with progress, and lists it unread and downloaded', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('下载的', text, '2026-12-01'))
    await useSyncStore().syncNow()

    await phone(site.branch.memberInviteCode, '李党员')
    const scope = effectScope()
    const { materials, storedBytes } = scope.run(() => useMaterials())!
    await useSyncStore().syncNow()
    expect(await db.materialBodies.get(id)).toMatchObject({ id, body: text })
    const row = await db.materials.get(id)
    expect(row).toMatchObject({ title: '下载的', authorName: '王书记', bodyBytes: materialBytes(text), sync: 'synced' })
    expect(row).not.toHaveProperty('body')
    expect(useMaterialsStore().downloads[id]).toMatchObject({ state: 'downloaded' })
    await vi.waitFor(() => expect(materials.value.find(entry => entry.material.id === id)).toMatchObject({
      unread: true,
      percent: 0,
      finished: false,
      studiedThisWeek: false,
      download: { state: 'downloaded' },
    }))
    // Materials of earlier tests are on the branch too: all of them are kept once the sync is done.
    await vi.waitFor(() => expect(materials.value.every(entry => entry.download.state === 'downloaded')).toBe(true))
    expect(storedBytes.value).toBe(materials.value.reduce((sum, entry) => sum + entry.material.bodyBytes, 0))
    expect(storedBytes.value).toBeGreaterThanOrEqual(materialBytes(text))
    scope.stop()
  })

  it('reports download progress with the size the server announces', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('进度', '学'.repeat(30_000)))
    await useSyncStore().syncNow()

    const member = await phone(site.branch.memberInviteCode, '李党员')
    const { transport } = recordingTransport()
    useSyncStore().setTransport({ sync: transport.sync, materialBody: () => Promise.reject(new ApiError(0, 'network', 'offline')) })
    await useSyncStore().syncNow()
    const states: MaterialDownload[] = []
    const summary = await downloadMaterialBodies(api, { memberId: member.id, onState: (materialId, state) => materialId === id && states.push(state) })
    expect(summary.failed).toBe(0)
    const answerBytes = states.at(-1)!.total
    expect(answerBytes).toBeGreaterThan(90_000)
    expect(states[0]).toMatchObject({ state: 'waiting', received: 0 })
    expect(states[1]).toMatchObject({ state: 'downloading', received: 0 })
    // Before the answer the size is the text's own; then the answer's decoded size (X-Body-Length: it goes compressed).
    expect(states[1]!.total).toBe(materialBytes('学'.repeat(30_000)))
    expect(states.slice(2).filter(s => s.state === 'downloading').every(s => s.total === answerBytes)).toBe(true)
    expect(states.filter(s => s.state === 'downloading').length).toBeGreaterThan(2)
    expect(states.at(-1)).toEqual({ state: 'downloaded', received: answerBytes, total: answerBytes })
  })

  it('retries a failed download on the next sync (offline first, then online)', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('离线时发布的'))
    await useSyncStore().syncNow()

    await phone(site.branch.memberInviteCode, '李党员')
    const sync = useSyncStore()
    const { transport } = recordingTransport()
    let offline = true
    sync.setTransport({
      sync: transport.sync,
      materialBody: (materialId, onProgress) => offline ? Promise.reject(new ApiError(0, 'network', 'Failed to fetch')) : api.materialBody(materialId, onProgress),
    })
    await sync.syncNow()
    expect(await db.materials.get(id)).toBeDefined()
    expect(await db.materialBodies.get(id)).toBeUndefined()
    expect(useMaterialsStore().downloads[id]?.state).toMatch(/failed|waiting/)
    expect(sync.lastDownloads?.failed).toBeGreaterThan(0)

    offline = false
    await sync.syncNow()
    expect((await db.materialBodies.get(id))?.body).toBe(text)
    expect(useMaterialsStore().downloads[id]?.state).toBe('downloaded')
    // Once kept, the text is not fetched again.
    offline = true
    await sync.syncNow()
    expect(sync.lastDownloads).toMatchObject({ downloaded: 0, failed: 0 })
  })

  it('round-trips a 100,000-character material exactly, and splits big pushes under the byte budget', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const long = Array.from({ length: 1000 }, (_, i) => `第${i}段${'新时代中国特色社会主义思想'.repeat(8)}`).join('\n').slice(0, 100_000)
    expect(long.length).toBe(100_000)
    const materials = useMaterialsStore()
    const ids: string[] = []
    for (let i = 0; i < 4; i++)
      ids.push(await materials.publish(material(`长文${i}`, long)))
    const sync = useSyncStore()
    const { transport, requests } = recordingTransport()
    sync.setTransport(transport)
    await sync.syncNow()
    const pushes = requests.filter(request => request.changes.length > 0)
    expect(pushes.length).toBeGreaterThanOrEqual(2)
    for (const request of pushes)
      expect(new TextEncoder().encode(JSON.stringify(request)).length).toBeLessThanOrEqual(PUSH_BYTE_BUDGET + 1024)
    expect(await db.outbox.count()).toBe(0)

    await phone(site.branch.memberInviteCode, '李党员')
    await useSyncStore().syncNow()
    for (const id of ids)
      expect((await db.materialBodies.get(id))?.body).toBe(long)
  })
})

describe('useMaterial', () => {
  it('reads the material, its text as blocks, and progress from IndexedDB only', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('离线阅读'))
    const scope = effectScope()
    const view = scope.run(() => useMaterial(ref(id)))!
    await vi.waitFor(() => expect(view.loaded.value).toBe(true))
    await vi.waitFor(() => expect(view.body.value).toBe(text))
    expect(view.material.value?.title).toBe('离线阅读')
    expect(view.blocks.value.map(block => block.kind)).toEqual(['heading', 'heading', 'paragraph', 'quote', 'item', 'item'])
    expect(view.progress.value).toBeNull()
    expect(view.studiedThisWeek.value).toBe(false)

    const missing = scope.run(() => useMaterial(ref('00000000-0000-4000-8000-000000000000')))!
    await vi.waitFor(() => expect(missing.loaded.value).toBe(true))
    expect(missing.material.value).toBeNull()
    expect(missing.body.value).toBeNull()
    scope.stop()
  })
})

describe('摘抄', () => {
  it('starts the new note\'s draft from a passage, linked to the material', async () => {
    await phone(site.branch.memberInviteCode, '李党员')
    const materialId = '44444444-4444-4444-8444-444444444444'
    await useNotesStore().startFromExcerpt({ materialId, title: '《论党的自我革命》', excerpt: '  勇于自我革命是我们党最鲜明的品格。 ' })
    expect(await useNotesStore().loadDraft('new')).toMatchObject({ title: '《论党的自我革命》', excerpt: '勇于自我革命是我们党最鲜明的品格。', materialId })
  })
})

describe('signing out', () => {
  it('drops the material texts with the rest of the member\'s data', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    await useMaterialsStore().publish(material('退出'))
    await useSyncStore().syncNow()
    expect(await db.materialBodies.count()).toBeGreaterThan(0)
    await useSessionStore().signOut()
    expect(await db.materialBodies.count()).toBe(0)
    expect(await db.materials.count()).toBe(0)
  })
})

describe('the server sees', () => {
  it('a member pulls materials without their text', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const id = await useMaterialsStore().publish(material('无正文拉取'))
    await useSyncStore().syncNow()
    const joined = await phone(site.branch.memberInviteCode, '李党员')
    expect(joined.role).toBe('member')
    const token = (await db.session.get('current'))!.token
    const rows = await pullEverything(site.server.baseUrl, token)
    const pulled = rows.find(row => row.id === id)
    expect(pulled?.data).toMatchObject({ title: '无正文拉取', authorName: '王书记' })
    expect(pulled?.data).not.toHaveProperty('body')
  })
})

describe('database version 3', () => {
  it('adds materials, their texts and reading progress, and pulls everything again', async () => {
    const name = `upgrade-v3-${crypto.randomUUID()}`
    const v2 = new Dexie(name)
    v2.version(1).stores({ meta: 'key', session: 'key', studyCheckins: 'id, memberId, [memberId+date], week, updatedAt', outbox: 'key, queuedAt' })
    v2.version(2).stores({ serviceLogs: 'id, memberId, [memberId+date], updatedAt', readingNotes: 'id, memberId, updatedAt', problems: 'id, memberId, branchId, updatedAt, status', drafts: 'key' })
    await v2.table('meta').put({ key: 'cursor', value: '42' })
    await v2.table('readingNotes').put({ id: 'n1', memberId: 'm1', title: '升级前', reflection: '心得', updatedAt: 1, deleted: false, sync: 'synced' })
    v2.close()

    const v3 = new StudyLogDatabase(name)
    expect(await v3.meta.get('cursor')).toEqual({ key: 'cursor', value: null })
    expect(await v3.readingNotes.get('n1')).toMatchObject({ title: '升级前' })
    expect(await v3.materials.count()).toBe(0)
    expect(await v3.materialBodies.count()).toBe(0)
    // Version 4 adds the owner indexes beside these (record-lists.test.ts).
    expect(v3.materials.schema.indexes.map(index => index.name)).toEqual(expect.arrayContaining(['memberId', 'publishedAt', 'updatedAt']))
    expect(v3.readingProgress.schema.indexes.map(index => index.name)).toEqual(expect.arrayContaining(['materialId', 'memberId', 'updatedAt']))
    v3.close()
    await Dexie.delete(name)
  })
})

describe('backups', () => {
  it('carry reading progress and only the materials not yet on the server (with their text), and restore them', async () => {
    await phone(site.branch.secretaryInviteCode, '王书记')
    const materials = useMaterialsStore()
    const onServer = await materials.publish(material('已在服务器'))
    await useSyncStore().syncNow()
    const unsent = await materials.publish(material('还没发出', '离线写的正文'))
    await useReaderStore().savePosition(onServer, 1, 40)

    const { json, csv } = await exportBackup()
    const file = JSON.parse(json) as { records: Record<string, { id: string, data: Record<string, unknown> }[]> }
    expect(file.records.materials!.map(row => row.id)).toEqual([unsent])
    expect(file.records.materials![0]!.data).toMatchObject({ title: '还没发出', body: '离线写的正文' })
    expect(file.records.readingProgress!.map(row => row.data)).toEqual([{ materialId: onServer, position: 1, percent: 40, secondsSpent: 0, finishedAt: null }])
    expect(Object.keys(csv).sort()).toEqual(['problems', 'readingNotes', 'serviceLogs', 'studyCheckins'])

    // A new phone restored from the file has the unsent material's text at once and pushes it.
    setActivePinia(createPinia())
    await resetDevice()
    configureApi({ baseUrl: site.server.baseUrl })
    await useSessionStore().restoreFromBackup(json)
    expect(await db.materials.get(unsent)).toMatchObject({ sync: 'pending', title: '还没发出' })
    expect((await db.materialBodies.get(unsent))?.body).toBe('离线写的正文')
    await useSyncStore().syncNow()
    expect(await db.outbox.count()).toBe(0)
    expect((await db.materialBodies.get(onServer))?.body).toBe(text)
  })
})

describe('downloadOf (the list\'s download state)', () => {
  const row = { id: 'm', updatedAt: 20, bodyBytes: 3000 } as MaterialRow

  it('is downloaded when the text of this version is on the phone, whatever was reported', () => {
    expect(downloadOf(row, 20, { state: 'failed', received: 0, total: 3000 })).toEqual({ state: 'downloaded', received: 3000, total: 3000 })
  })

  it('shows a running or failed download, and waits for a newer version of a kept text', () => {
    expect(downloadOf(row, undefined, { state: 'downloading', received: 1200, total: 3100 })).toEqual({ state: 'downloading', received: 1200, total: 3100 })
    expect(downloadOf(row, undefined, { state: 'failed', received: 0, total: 3000 }).state).toBe('failed')
    expect(downloadOf(row, 10, { state: 'downloaded', received: 2000, total: 2000 })).toEqual({ state: 'waiting', received: 0, total: 3000 })
    expect(downloadOf(row, undefined, undefined)).toEqual({ state: 'waiting', received: 0, total: 3000 })
  })
})
