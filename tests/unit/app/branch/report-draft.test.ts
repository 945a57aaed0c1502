/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { ReportResponse } from '@/domain/report'
import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useReportDraft } from '@/app/composables/branch/useReportDraft'
import { getDraft } from '@/app/db/drafts'
import { signInDevice, useDeviceOnBranch } from '../support/device'

/**
 * The report draft's outbox (issue #14) on a secretary's phone against the real server: edits kept
 * in Dexie under report:<month>, pushed over the revision they were made on; a write made on
 * another phone meanwhile is a conflict the secretary settles, never an overwrite.
 */

const MONTH = '2025-10'

async function putElsewhere(baseUrl: string, token: string, revision: number, template: string): Promise<ReportResponse> {
  const res = await fetch(`${baseUrl}/api/v1/branch/report`, { method: 'PUT', headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ month: MONTH, revision, paragraphs: [{ id: 'develop.1', template }] }) })
  expect(res.status).toBe(200)
  return await res.json() as ReportResponse
}

describe('useReportDraft against the real server', () => {
  const site = useDeviceOnBranch('第五支部')

  it('keeps edits on the phone, pushes them over their revision, and settles a conflict either way', async () => {
    const joined = await signInDevice(site.server, site.branch.secretaryInviteCode, '书记')
    const scope = effectScope()
    const draft = scope.run(() => useReportDraft(() => MONTH))!
    await vi.waitFor(() => expect(draft.state.value).toBe('saved'))
    expect(draft.report.value?.revision).toBe(0)

    await draft.edit('develop.1', '本机的文字')
    expect(draft.state.value).toBe('unsaved')
    expect(await getDraft(`report:${MONTH}`)).toMatchObject({ edits: { 'develop.1': '本机的文字' } })
    await draft.save()
    expect(draft.state.value).toBe('saved')
    expect(draft.report.value?.revision).toBe(1)
    expect(await getDraft(`report:${MONTH}`)).toMatchObject({ base: { revision: 1 }, edits: {} })

    // Another phone writes revision 2; this one's next edit, made over 1, is refused and kept.
    await putElsewhere(site.server.baseUrl, joined.token, 1, '另一台手机的文字')
    await draft.edit('develop.1', '本机的第二次修改')
    await draft.save()
    expect(draft.state.value).toBe('conflict')
    expect(draft.conflict.value?.paragraphs.find(p => p.id === 'develop.1')?.template).toBe('另一台手机的文字')
    expect(draft.templateOf('develop.1')).toBe('本机的第二次修改')
    await draft.keepTheirs()
    expect(draft.templateOf('develop.1')).toBe('另一台手机的文字')
    expect(draft.state.value).toBe('saved')

    // Again, and this time the phone's text is kept: written over the server's revision.
    await putElsewhere(site.server.baseUrl, joined.token, 2, '又一次别处的修改')
    await draft.edit('develop.1', '最终用本机的')
    await draft.save()
    expect(draft.state.value).toBe('conflict')
    await draft.keepMine()
    expect(draft.state.value).toBe('saved')
    expect(draft.report.value).toMatchObject({ revision: 4 })
    expect(draft.report.value?.paragraphs.find(p => p.id === 'develop.1')?.template).toBe('最终用本机的')
    scope.stop()

    // An edit kept on the phone (say the app closed offline) is pushed when the page opens again.
    await draft.edit('develop.1', '关机前的修改')
    const reopened = effectScope()
    const again = reopened.run(() => useReportDraft(() => MONTH))!
    await vi.waitFor(() => expect(again.state.value).toBe('saved'))
    expect(again.report.value).toMatchObject({ revision: 5 })
    expect(again.report.value?.paragraphs.find(p => p.id === 'develop.1')?.template).toBe('关机前的修改')
    reopened.stop()
  })
})
