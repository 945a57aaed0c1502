/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { RealServer } from '../support/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { configureApi } from '@/app/api/client'
import { branchApi } from '@/app/api/branch'
import { useProxyEntry } from '@/app/composables/branch/useProxyEntry'
import { todayIn } from '@/domain/week'
import { joinOverHttp, startRealServer, syncOverHttp } from '../support/server'

// 代录 through the app's own client against the real server: the domain schema speaks first, the
// server's row belongs to the member and names the secretary, and the next entry gets a new id.
describe('useProxyEntry (代录)', () => {
  let server: RealServer
  let memberId: string
  let memberToken: string

  beforeAll(async () => {
    server = await startRealServer()
    const branch = await server.storage.createBranch('和平党支部')
    const secretary = await joinOverHttp(server.baseUrl, branch.secretaryInviteCode, '王书记')
    const member = await joinOverHttp(server.baseUrl, branch.memberInviteCode, '李未学')
    memberId = member.member.id
    memberToken = member.token
    configureApi({ baseUrl: server.baseUrl, token: secretary.token, locale: 'zh-CN' })
  })

  afterAll(async () => {
    configureApi({ baseUrl: '', token: null })
    await server?.close()
  })

  function entry() {
    const formError = ref<string | null>(null)
    const shown: { path: string, message: string }[][] = []
    const proxy = useProxyEntry({
      table: 'studyCheckins',
      memberId: () => memberId,
      lang: () => 'zh-CN',
      formError,
      show: issues => shown.push([...issues]),
      failedMessage: reason => `保存失败：${reason}`,
    })
    return { ...proxy, formError, shown }
  }

  it('puts a bad field at its place without asking the server', async () => {
    const { submit, shown } = entry()
    const saved = await submit({ date: todayIn(), form: 'branch_study', topic: '', minutes: 0 })
    expect(saved).toBe(false)
    expect(shown.at(-1)!.map(issue => issue.path).sort()).toEqual(['data.minutes', 'data.topic'])
    expect((await branchApi.memberRecords(memberId, 'studyCheckins')).records).toEqual([])
  })

  it('saves a check-in that is the member\'s, marked with the secretary, and a second one as a new row', async () => {
    const { submit, formError } = entry()
    const today = todayIn()
    expect(await submit({ date: today, form: 'branch_study', topic: '代录一', minutes: 45 })).toBe(true)
    expect(await submit({ date: today, form: 'self_study', topic: '代录二', minutes: 30 })).toBe(true)
    expect(formError.value).toBeNull()

    const listed = await branchApi.memberRecords(memberId, 'studyCheckins')
    expect(listed.records.map(r => r.data && 'topic' in r.data ? r.data.topic : null).sort()).toEqual(['代录一', '代录二'])
    const pulled = await syncOverHttp(server.baseUrl, memberToken, { clientId: 'member-phone', cursor: null, changes: [] })
    const rows = pulled.changes.filter(change => change.table === 'studyCheckins')
    expect(rows).toHaveLength(2)
    expect(rows.map(row => row.data)).toEqual(expect.arrayContaining([expect.objectContaining({ memberId, topic: '代录一', enteredByName: '王书记' })]))
  })

  it('shows the server\'s refusal above 保存 when the member is not in the branch', async () => {
    const formError = ref<string | null>(null)
    const { submit } = useProxyEntry({
      table: 'studyCheckins',
      memberId: () => '99999999-9999-4999-8999-999999999999',
      lang: () => 'zh-CN',
      formError,
      show: () => {},
      failedMessage: reason => `保存失败：${reason}`,
    })
    expect(await submit({ date: todayIn(), form: 'branch_study', topic: '不存在的人', minutes: 30 })).toBe(false)
    expect(formError.value).toMatch(/^保存失败：/)
  })
})
