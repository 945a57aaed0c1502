import type { Member } from './support/api'
import { beforeAll, expect, it } from 'vitest'
import { branchWith, expectError, useApp } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'
import { call } from './support/branch'

/**
 * Weeks, months and dates at the ends of the four-digit calendar, which the fuzz test found
 * answering 500: years 0000–0099 (Date.UTC reads them as 1900–1999) and the last month or week of
 * 9999 (the next one has a five-digit year). The branch's views refuse them with a 400 or answer them.
 */

const EDGE_WEEKS = ['0000-W01', '0001-W01', '0050-W01', '0099-W52', '0100-W01', '1000-W01', '9998-W52', '9999-W01', '9999-W52']
const EDGE_MONTHS = ['0000-01', '0001-01', '0050-06', '0099-12', '0100-01', '9998-12', '9999-01', '9999-12']
const EDGE_DATES = ['0000-01-01', '0001-01-01', '0050-06-01', '0099-12-31', '9998-12-31', '9999-12-31']

describeEachBackend('calendar edges in the branch views', (backend) => {
  const ctx = useStorage(backend)
  const app = useApp(() => ctx.storage)
  let secretary: Member
  let member: Member

  beforeAll(async () => {
    const branch = await branchWith(app.app, ctx.storage, ['党员'])
    secretary = branch.secretary
    member = branch.members[0]!
  })

  it('answers every edge week, month and date with a 200 or a protocol 400, never a 5xx', async () => {
    const urls: string[] = []
    for (const w of EDGE_WEEKS)
      urls.push(`/api/v1/branch/completion?week=${w}`, `/api/v1/branch/grid?from=${w}&to=${w}`, `/api/v1/branch/grid?to=${w}`, `/api/v1/branch/grid?from=${w}`)
    for (const m of EDGE_MONTHS) {
      urls.push(`/api/v1/branch/service-months?from=${m}&to=${m}`, `/api/v1/branch/service-months?to=${m}`, `/api/v1/branch/service-months?from=${m}`)
      for (const path of ['summary', 'summary.docx', 'summary.csv'])
        urls.push(`/api/v1/branch/${path}?month=${m}`)
      for (const figure of ['notes.count', 'problems.open', 'branchStudy.rate'])
        urls.push(`/api/v1/branch/summary/records?month=${m}&figure=${figure}`)
    }
    for (const d of EDGE_DATES) {
      for (const table of ['studyCheckins', 'readingNotes'])
        urls.push(`/api/v1/branch/members/${member.id}/records?table=${table}&from=${d}`, `/api/v1/branch/members/${member.id}/records?table=${table}&to=${d}`)
    }
    const failures: string[] = []
    for (const url of urls) {
      const res = await call(app.app, secretary.token, 'GET', url)
      if (res.statusCode === 400)
        expectError(res, 400, 'validation_failed')
      else if (res.statusCode !== 200)
        failures.push(`${res.statusCode} ${url}`)
    }
    expect(failures).toEqual([])
  })

  it('refuses the weeks and months whose neighbours leave the calendar, and keeps the ordinary ones', async () => {
    for (const url of ['/api/v1/branch/completion?week=9999-W52', '/api/v1/branch/completion?week=0000-W01', '/api/v1/branch/summary?month=9999-12', '/api/v1/branch/summary?month=0000-01'])
      expectError(await call(app.app, secretary.token, 'GET', url), 400, 'validation_failed')
    for (const url of ['/api/v1/branch/completion?week=0050-W01', '/api/v1/branch/summary?month=0001-12', '/api/v1/branch/summary?month=9998-12', '/api/v1/branch/grid?from=9998-W40&to=9998-W52']) {
      const res = await call(app.app, secretary.token, 'GET', url)
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
    }
    const completion = (await call(app.app, secretary.token, 'GET', '/api/v1/branch/completion?week=0050-W01')).json()
    expect(completion.week).toBe('0050-W01')
  })
})
