import { describe, expect, it } from 'vitest'
import { charLength, inputMaxLength, validateRecordData } from '@/domain/records'
import { addDays, DEFAULT_TIME_ZONE, todayIn } from '@/domain/week'

const today = todayIn(DEFAULT_TIME_ZONE)
const checkin = { date: today, form: 'branch_study', topic: '学习党章', minutes: 90 }

describe('study check-in schema', () => {
  it('accepts a complete check-in and keeps its fields', () => {
    const result = validateRecordData('studyCheckins', { ...checkin, note: '第一章' })
    expect(result).toEqual({ ok: true, data: { ...checkin, note: '第一章' } })
  })

  it.each([
    ['minutes', 0],
    ['minutes', 601],
    ['minutes', 1.5],
    ['minutes', '90'],
    ['topic', ''],
    ['topic', '   '],
    ['topic', 'x'.repeat(201)],
    ['form', 'nap'],
    ['date', '2026-02-30'],
    ['date', '2026/11/24'],
    ['note', 'x'.repeat(2001)],
    ['materialId', 'NOT-A-UUID'],
  ])('rejects %s = %j with a message at that field', (field, value) => {
    const result = validateRecordData('studyCheckins', { ...checkin, [field]: value })
    expect(result.ok).toBe(false)
    if (!result.ok)
      expect(result.issues.map(i => i.path)).toContain(`data.${field}`)
  })

  it('allows tomorrow (a phone slightly ahead) but not the day after', () => {
    expect(validateRecordData('studyCheckins', { ...checkin, date: addDays(today, 1) }).ok).toBe(true)
    const late = validateRecordData('studyCheckins', { ...checkin, date: addDays(today, 2) })
    expect(late).toEqual({ ok: false, issues: [{ path: 'data.date', message: '日期不能晚于明天' }] })
  })

  it('speaks English when asked', () => {
    const result = validateRecordData('studyCheckins', { ...checkin, minutes: 0 }, 'en')
    expect(result).toEqual({ ok: false, issues: [{ path: 'data.minutes', message: 'Minutes must be a whole number from 1 to 600' }] })
  })

  it('reports a missing field and a non-object body', () => {
    const missing = validateRecordData('studyCheckins', { date: today, form: 'self_study', minutes: 30 })
    expect(missing.ok === false && missing.issues[0]?.path).toBe('data.topic')
    expect(validateRecordData('studyCheckins', null).ok).toBe(false)
    expect(validateRecordData('studyCheckins', [checkin]).ok).toBe(false)
  })
})

describe('service log schema', () => {
  const log = { date: today, community: '幸福里社区', activity: 'visit', hours: 1.5, peopleServed: 12, description: '走访独居老人' }

  it('accepts half hours and rejects other fractions', () => {
    expect(validateRecordData('serviceLogs', log).ok).toBe(true)
    expect(validateRecordData('serviceLogs', { ...log, hours: 1.25 }).ok).toBe(false)
    expect(validateRecordData('serviceLogs', { ...log, hours: 0 }).ok).toBe(false)
    expect(validateRecordData('serviceLogs', { ...log, hours: 24.5 }).ok).toBe(false)
  })

  it('defaults a missing description to empty text', () => {
    const { description: _omit, ...rest } = log
    const result = validateRecordData('serviceLogs', rest)
    expect(result.ok && result.data.description).toBe('')
  })
})

describe('reading note schema', () => {
  it('needs a title and a reflection', () => {
    expect(validateRecordData('readingNotes', { title: '共产党宣言', reflection: '体会' }).ok).toBe(true)
    const result = validateRecordData('readingNotes', { title: '', reflection: '' })
    expect(result.ok === false && result.issues.map(i => i.path)).toEqual(['data.title', 'data.reflection'])
  })
})

describe('problem schema', () => {
  const problem = { date: today, community: '幸福里社区', category: 'livelihood', title: '楼道灯不亮', detail: '3 号楼 2 单元' }

  it('accepts what a reporter writes and ignores nothing it needs', () => {
    expect(validateRecordData('problems', problem)).toEqual({ ok: true, data: problem })
  })

  it('drops a status a member tries to set (the server owns it)', () => {
    const result = validateRecordData('problems', { ...problem, status: 'solved' })
    expect(result.ok && 'status' in result.data).toBe(false)
  })

  it.each([['category', 'weather'], ['title', ''], ['title', 'x'.repeat(101)], ['detail', 'x'.repeat(2001)], ['community', '']])('rejects %s = %j', (field, value) => {
    const result = validateRecordData('problems', { ...problem, [field]: value })
    expect(result.ok === false && result.issues.map(i => i.path)).toContain(`data.${field}`)
  })
})

describe('text limits count characters (code points), not UTF-16 units', () => {
  const emoji = (n: number) => '😀'.repeat(n)
  const note = { title: '共产党宣言', reflection: '心得' }
  const service = { date: today, community: '东城社区', activity: 'visit', hours: 1 }
  const problem = { date: today, community: '东城社区', category: 'livelihood', title: '楼道灯坏了' }
  const material = { title: '资料', category: 'speech', body: '正文', publishedAt: 1 }
  it.each([
    ['studyCheckins', 'topic', 200, checkin],
    ['studyCheckins', 'note', 2000, checkin],
    ['serviceLogs', 'community', 100, service],
    ['serviceLogs', 'description', 2000, service],
    ['readingNotes', 'title', 200, note],
    ['readingNotes', 'source', 200, note],
    ['readingNotes', 'excerpt', 5000, note],
    ['readingNotes', 'reflection', 10000, note],
    ['problems', 'community', 100, problem],
    ['problems', 'title', 100, problem],
    ['problems', 'detail', 2000, problem],
    ['materials', 'title', 200, material],
  ] as const)('%s.%s takes %i emoji and refuses one more', (table, field, max, base) => {
    expect(validateRecordData(table, { ...base, [field]: emoji(max) }).ok, `${max} emoji`).toBe(true)
    const over = validateRecordData(table, { ...base, [field]: emoji(max + 1) })
    expect(over.ok).toBe(false)
    if (!over.ok)
      expect(over.issues.map(i => i.path)).toEqual([`data.${field}`])
  })

  it('counts a rare 汉字 outside the BMP as one character too', () => {
    expect(validateRecordData('studyCheckins', { ...checkin, topic: '𠀀'.repeat(200) }).ok).toBe(true)
    expect(validateRecordData('studyCheckins', { ...checkin, topic: '𠀀'.repeat(201) }).ok).toBe(false)
  })

  it('a form field\'s maxlength (UTF-16 units) lets in every text the schema takes', () => {
    expect('😀'.repeat(200).length).toBeLessThanOrEqual(inputMaxLength(200))
    expect('𠀀'.repeat(40).length).toBeLessThanOrEqual(inputMaxLength(40))
  })

  it('charLength counts code points; a lone surrogate is one', () => {
    expect(charLength('😀学a')).toBe(3)
    expect(charLength('\uD800x')).toBe(2)
    expect(charLength('')).toBe(0)
  })
})
