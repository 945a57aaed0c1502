import type { Member } from './support/api'
import { beforeAll, expect, it } from 'vitest'
import { branchWith, studyChange, syncOk, useApp, uuid } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

/**
 * Timestamps in `data` (a material's publishedAt, reading progress's finishedAt) were only
 * "integer ≥ 0": 1e300 or 2^63 passed, then PostgreSQL's bigint refused the row and the whole push
 * answered 500 (the fuzz test found it). They are refused at their field like any bad value,
 * and the other changes of the push still apply.
 */

const HUGE = [1e300, 2 ** 63, 2 ** 53, Number.MAX_VALUE]

describeEachBackend('huge numbers in record data', (backend) => {
  const ctx = useStorage(backend)
  const app = useApp(() => ctx.storage)
  let secretary: Member

  beforeAll(async () => {
    secretary = (await branchWith(app.app, ctx.storage, [])).secretary
  })

  it('rejects an unsafe timestamp at its field and applies the rest of the push', async () => {
    const changes = HUGE.flatMap(n => [
      { table: 'materials', id: uuid(), updatedAt: 1, data: { title: '资料', category: 'notice', body: '正文', publishedAt: n } },
      { table: 'readingProgress', id: uuid(), updatedAt: 1, data: { materialId: uuid(), position: 0, percent: 50, secondsSpent: 60, finishedAt: n } },
    ])
    const fine = studyChange(uuid(), 1)
    const body = await syncOk(app.app, secretary.token, { clientId: 'huge', changes: [...changes, fine] })
    expect(body.results.at(-1)).toMatchObject({ id: fine.id, status: 'applied' })
    for (const [i, result] of body.results.slice(0, -1).entries()) {
      expect(result.status, JSON.stringify(changes[i])).toBe('rejected')
      expect(result.error?.code).toBe('validation_failed')
      expect(result.error?.details?.map(d => d.path)).toEqual([changes[i]!.table === 'materials' ? 'data.publishedAt' : 'data.finishedAt'])
    }
  })

  it('keeps the largest safe timestamp exactly', async () => {
    const id = uuid()
    const body = await syncOk(app.app, secretary.token, { clientId: 'huge', changes: [{ table: 'readingProgress', id, updatedAt: 1, data: { materialId: uuid(), position: 0, percent: 50, secondsSpent: 60, finishedAt: Number.MAX_SAFE_INTEGER } }] })
    expect(body.results[0]!.status).toBe('applied')
    const row = await ctx.storage.db.selectFrom('reading_progress').select('finished_at').where('id', '=', id).executeTakeFirstOrThrow()
    expect(Number(row.finished_at)).toBe(Number.MAX_SAFE_INTEGER)
  })
})
