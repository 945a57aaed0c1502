import { describe, expect, it } from 'vitest'
import { weekStudy } from '@/domain/completion'
import { pickLocale } from '@/domain/locale'

describe('pickLocale', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['fr-FR,en;q=0.5,zh;q=0.4', 'en'],
    ['en;q=0.2,zh-TW;q=0.8', 'zh-CN'],
    ['de', 'zh-CN'],
    ['en;q=0', 'zh-CN'],
  ])('%j → %s', (header, expected) => {
    expect(pickLocale(header)).toBe(expected)
  })
})

describe('weekStudy', () => {
  const checkins = [
    { date: '2026-11-23', minutes: 60 }, // Monday of 2026-W48
    { date: '2026-11-29', minutes: 30 }, // Sunday of 2026-W48
    { date: '2026-11-30', minutes: 45 }, // Monday of 2026-W49
    { date: '2026-11-24', minutes: 90, deleted: true },
  ]

  it('counts live check-ins dated in the week, Monday to Sunday', () => {
    expect(weekStudy(checkins, '2026-W48')).toEqual({ studied: true, checkins: 2, minutes: 90 })
    expect(weekStudy(checkins, '2026-W49')).toEqual({ studied: true, checkins: 1, minutes: 45 })
  })

  it('does not count a deleted check-in', () => {
    expect(weekStudy([checkins[3]!], '2026-W48')).toEqual({ studied: false, checkins: 0, minutes: 0 })
  })
})
