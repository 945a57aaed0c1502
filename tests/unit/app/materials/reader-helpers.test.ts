import type { MaterialBlock } from '@/domain/materialText'
import { describe, expect, it } from 'vitest'
import { downloadPercent, formatStoredSize, monthDay } from '@/app/components/materials/materialFormat'
import { readerSegments } from '@/app/components/materials/readerSegments'

describe('readerSegments', () => {
  it('groups consecutive items of one kind into a list and keeps every block\'s index', () => {
    const blocks: MaterialBlock[] = [
      { kind: 'heading', level: 1, text: '总论' },
      { kind: 'item', ordered: true, text: '甲' },
      { kind: 'item', ordered: true, text: '乙' },
      { kind: 'item', ordered: false, text: '丙' },
      { kind: 'paragraph', text: '正文' },
      { kind: 'item', ordered: true, text: '丁' },
    ]
    expect(readerSegments(blocks)).toEqual([
      { kind: 'block', index: 0, block: blocks[0] },
      { kind: 'list', ordered: true, items: [{ index: 1, text: '甲' }, { index: 2, text: '乙' }] },
      { kind: 'list', ordered: false, items: [{ index: 3, text: '丙' }] },
      { kind: 'block', index: 4, block: blocks[4] },
      { kind: 'list', ordered: true, items: [{ index: 5, text: '丁' }] },
    ])
  })

  it('has nothing to draw for no blocks', () => {
    expect(readerSegments([])).toEqual([])
  })
})

describe('materialFormat', () => {
  it('says the size kept on the phone in whole KB below a megabyte, MB with one decimal above', () => {
    expect(formatStoredSize(0)).toEqual({ unit: 'KB', n: '0' })
    expect(formatStoredSize(100)).toEqual({ unit: 'KB', n: '1' })
    expect(formatStoredSize(60_000)).toEqual({ unit: 'KB', n: '59' })
    expect(formatStoredSize(3 * 1024 * 1024 + 200 * 1024)).toEqual({ unit: 'MB', n: '3.2' })
  })

  it('reads a study-by date as month and day without leading zeros', () => {
    expect(monthDay('2026-03-05')).toEqual({ month: 3, day: 5 })
    expect(monthDay('2026-12-25')).toEqual({ month: 12, day: 25 })
  })

  it('gives download progress in whole percent, 0 while the size is unknown', () => {
    expect(downloadPercent(450, 1000)).toBe(45)
    expect(downloadPercent(999, 1000)).toBe(99)
    expect(downloadPercent(1200, 1000)).toBe(100)
    expect(downloadPercent(10, 0)).toBe(0)
    expect(downloadPercent(10, null)).toBe(0)
  })
})
