/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { OrganisationSignInResponse } from '@/domain/organisation'
import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { configureOrganisationApi } from '@/app/api/organisation'
import { organisationReportApi } from '@/app/api/report'
import { useReportDraft } from '@/app/composables/branch/useReportDraft'
import { getDraft, putDraft } from '@/app/db/drafts'
import { clearOrganisationSession, loadOrganisationSession, ORGANISATION_REPORT_DRAFTS, saveOrganisationSession } from '@/app/db/organisation'
import { useDeviceOnBranch } from '../support/device'

/**
 * The organisation's report draft (issue #14) on a phone signed in only as 组织管理员, against the
 * real server: the same outbox as the branch's, under its own keys, with the organisation's token;
 * signing out of the organisation takes its drafts and leaves the branch's.
 */

const MONTH = '2025-10'

describe('the organisation report draft against the real server', () => {
  const site = useDeviceOnBranch('党组下的支部')

  it('keeps edits under organisation-report:<month>, pushes them with the organisation token, and drops them at sign-out', async () => {
    const organisation = await site.server.storage.organisations.create('某局党组', 'leading_group')
    await site.server.storage.organisations.attach(organisation.organisationId, site.branch.branchId)
    const res = await fetch(`${site.server.baseUrl}/api/v1/organisation/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inviteCode: organisation.inviteCode, name: '组织管理员' }) })
    expect(res.status).toBe(201)
    const signIn = await res.json() as OrganisationSignInResponse
    await saveOrganisationSession(signIn)
    configureOrganisationApi(signIn.token)
    // A branch report draft of the same month on the same phone (the 书记 who is also 组织管理员).
    await putDraft(`report:${MONTH}`, { base: null, edits: { 'develop.1': '支部的文字' } })

    const scope = effectScope()
    const draft = scope.run(() => useReportDraft(() => MONTH, { api: organisationReportApi, keyPrefix: ORGANISATION_REPORT_DRAFTS, online: () => true }))!
    await vi.waitFor(() => expect(draft.state.value).toBe('saved'))
    expect(draft.report.value?.paragraphs[0]?.template).toBe('某局党组主题教育2025年10月阶段性总结')
    expect(draft.report.value?.revision).toBe(0)

    await draft.edit('develop.1', '党组的文字')
    expect(await getDraft(`organisation-report:${MONTH}`)).toMatchObject({ edits: { 'develop.1': '党组的文字' } })
    await draft.save()
    expect(draft.state.value).toBe('saved')
    expect(draft.report.value?.revision).toBe(1)
    const stored = await fetch(`${site.server.baseUrl}/api/v1/organisation/report?month=${MONTH}`, { headers: { authorization: `Bearer ${signIn.token}` } })
    expect((await stored.json() as { paragraphs: { id: string, template: string }[] }).paragraphs.find(p => p.id === 'develop.1')?.template).toBe('党组的文字')
    // The branch's draft is another key: untouched.
    expect(await getDraft(`report:${MONTH}`)).toMatchObject({ edits: { 'develop.1': '支部的文字' } })

    scope.stop()
    await clearOrganisationSession()
    expect(await loadOrganisationSession()).toBeUndefined()
    expect(await getDraft(`organisation-report:${MONTH}`)).toBeUndefined()
    expect(await getDraft(`report:${MONTH}`)).toMatchObject({ edits: { 'develop.1': '支部的文字' } })
  })
})
