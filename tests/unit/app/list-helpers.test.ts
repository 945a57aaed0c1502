import { describe, expect, it } from 'vitest'
import { wordCount } from '@/app/components/notes/wordCount'
import { serviceEntries } from '@/app/components/service/serviceMonths'

describe('wordCount (字数)', () => {
  it('counts CJK characters and emoji as one each, not spaces or line breaks', () => {
    expect(wordCount('学习 党章\n第一章')).toBe(7)
    expect(wordCount('读原著 👍')).toBe(4)
    expect(wordCount('  \n\t')).toBe(0)
  })
})

describe('serviceEntries (the 服务 list as drawn)', () => {
  it('heads each month with its whole-month totals, then its logs numbered among all', () => {
    const months = [
      { month: '2026-11', hours: 6, count: 3, logs: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
      { month: '2026-10', hours: 4, count: 2, logs: [{ id: 'd' }, { id: 'e' }] },
    ]
    expect(serviceEntries(months)).toEqual([
      { kind: 'heading', key: 'month-2026-11', month: months[0] },
      { kind: 'row', key: 'a', row: { id: 'a' }, position: 1 },
      { kind: 'row', key: 'b', row: { id: 'b' }, position: 2 },
      { kind: 'row', key: 'c', row: { id: 'c' }, position: 3 },
      { kind: 'heading', key: 'month-2026-10', month: months[1] },
      { kind: 'row', key: 'd', row: { id: 'd' }, position: 4 },
      { kind: 'row', key: 'e', row: { id: 'e' }, position: 5 },
    ])
    expect(serviceEntries([])).toEqual([])
  })
})
