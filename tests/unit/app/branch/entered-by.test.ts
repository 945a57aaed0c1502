import { describe, expect, it } from 'vitest'
import { rowFromServer } from '@/app/sync/engine'

const memberId = '44444444-4444-4444-8444-444444444444'
const id = '55555555-5555-4555-8555-555555555555'

describe('代录 rows on the member\'s phone', () => {
  it('keep who entered them when pulled, so the lists can say 代录', () => {
    const study = rowFromServer({
      table: 'studyCheckins',
      id,
      rev: 7,
      updatedAt: 1_764_000_000_000,
      deleted: false,
      data: { memberId, branchId: 'b1', week: '2026-W48', date: '2026-11-24', form: 'branch_study', topic: '学习党章', minutes: 60, enteredByName: '王书记' },
    } as never)
    expect(study).toMatchObject({ id, topic: '学习党章', enteredByName: '王书记', week: '2026-W48' })

    const service = rowFromServer({
      table: 'serviceLogs',
      id,
      rev: 8,
      updatedAt: 1_764_000_000_000,
      deleted: false,
      data: { memberId, branchId: 'b1', week: '2026-W48', date: '2026-11-24', community: '和平社区', activity: 'visit', hours: 2, description: '', enteredByName: '王书记' },
    } as never)
    expect(service).toMatchObject({ community: '和平社区', enteredByName: '王书记' })
  })

  it('carry no mark for the member\'s own rows', () => {
    const own = rowFromServer({
      table: 'studyCheckins',
      id,
      rev: 9,
      updatedAt: 1_764_000_000_000,
      deleted: false,
      data: { memberId, branchId: 'b1', week: '2026-W48', date: '2026-11-24', form: 'self_study', topic: '自学', minutes: 30, enteredByName: null },
    } as never)
    expect(own).not.toHaveProperty('enteredByName')
  })
})
