import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import { PAGE_SIZE, usePaging } from '@/app/components/app/paging'
import { wordCount } from '@/app/components/notes/wordCount'
import { visibleMonths } from '@/app/components/service/serviceMonths'

describe('wordCount (字数)', () => {
  it('counts CJK characters and emoji as one each, not spaces or line breaks', () => {
    expect(wordCount('学习 党章\n第一章')).toBe(7)
    expect(wordCount('读原著 👍')).toBe(4)
    expect(wordCount('  \n\t')).toBe(0)
  })
})

describe('visibleMonths', () => {
  const months = [
    { month: '2026-11', hours: 6, count: 3, logs: ['a', 'b', 'c'] },
    { month: '2026-10', hours: 4, count: 2, logs: ['d', 'e'] },
  ]

  it('cuts the last shown month short but keeps its whole-month totals', () => {
    expect(visibleMonths(months, 4)).toEqual([months[0], { month: '2026-10', hours: 4, count: 2, logs: ['d'] }])
  })

  it('shows whole months while the limit allows, and nothing for a zero limit', () => {
    expect(visibleMonths(months, 3)).toEqual([months[0]])
    expect(visibleMonths(months, 50)).toEqual(months)
    expect(visibleMonths(months, 0)).toEqual([])
  })
})

describe('usePaging (加载更多)', () => {
  it('grows a page at a time and starts over when the search changes', async () => {
    const total = ref(120)
    const query = ref('')
    const paging = usePaging(total, query)
    expect(paging.limit.value).toBe(PAGE_SIZE)
    expect(paging.hasMore.value).toBe(true)
    paging.more()
    paging.more()
    expect(paging.limit.value).toBe(PAGE_SIZE * 3)
    expect(paging.hasMore.value).toBe(false)
    query.value = '党章'
    await nextTick()
    expect(paging.limit.value).toBe(PAGE_SIZE)
  })
})
