import { describe, expect, it } from 'vitest'
import { creditedSeconds, HOME_STUDY_MAX_SECONDS, HOME_STUDY_MIN_SECONDS, homeStudyCheckin, homeStudyCheckinId, homeStudyStatus, readingChars, readingProgressId, requiredReadingSeconds, stableUuid } from '@/domain/homeStudy'
import { UUID_RE, validateRecordData } from '@/domain/records'

const memberId = '11111111-1111-4111-8111-111111111111'
const material = { id: '22222222-2222-4222-8222-222222222222', title: '《论党的自我革命》选读' }
/** The member's secret seed, as the server makes it (128 random bits, hex). */
const idSeed = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'

describe('stableUuid', () => {
  it('is a lower-case version-8 UUID with the RFC 9562 variant', () => {
    for (const parts of [['a'], ['readingProgress', memberId, material.id], [''], ['学习', '资料']]) {
      const id = stableUuid(...parts)
      expect(id).toMatch(UUID_RE)
      expect(id[14]).toBe('8')
      expect('89ab').toContain(id[19])
    }
  })

  it('gives the same id for the same parts, every time', () => {
    expect(stableUuid('x', 'y')).toBe(stableUuid('x', 'y'))
    expect(readingProgressId(idSeed, memberId, material.id)).toBe(readingProgressId(idSeed, memberId, material.id))
  })

  it('gives different ids for different parts, and for the same text split differently', () => {
    const ids = new Set([
      stableUuid('ab', 'c'),
      stableUuid('a', 'bc'),
      stableUuid('abc'),
      stableUuid('abd'),
      stableUuid('c', 'ab'),
      readingProgressId(idSeed, memberId, material.id),
      homeStudyCheckinId(idSeed, memberId, material.id, '2026-W48'),
      homeStudyCheckinId(idSeed, memberId, material.id, '2026-W49'),
    ])
    expect(ids.size).toBe(8)
    const many = new Set(Array.from({ length: 5000 }, (_, i) => stableUuid(String(i))))
    expect(many.size).toBe(5000)
  })
})

describe('ids derived with the member\'s secret seed', () => {
  const otherSeed = 'a0b1c2d3e4f5061728394a5b6c7d8e9f'

  it('are the same for the same seed (two phones of one member), different for another seed', () => {
    expect(readingProgressId(idSeed, memberId, material.id)).toBe(readingProgressId(`${idSeed}`, memberId, material.id))
    expect(homeStudyCheckinId(idSeed, memberId, material.id, '2026-W48')).toBe(homeStudyCheckinId(`${idSeed}`, memberId, material.id, '2026-W48'))
    expect(readingProgressId(otherSeed, memberId, material.id)).not.toBe(readingProgressId(idSeed, memberId, material.id))
    expect(homeStudyCheckinId(otherSeed, memberId, material.id, '2026-W48')).not.toBe(homeStudyCheckinId(idSeed, memberId, material.id, '2026-W48'))
  })

  it('cannot be computed from what the branch sees: neither the legacy id nor a guessed seed gives them', () => {
    const seeded = [readingProgressId(idSeed, memberId, material.id), homeStudyCheckinId(idSeed, memberId, material.id, '2026-W48')]
    const legacy = [stableUuid('readingProgress', memberId, material.id), stableUuid('homeStudy', memberId, material.id, '2026-W48')]
    expect(readingProgressId(null, memberId, material.id)).toBe(legacy[0])
    expect(homeStudyCheckinId(null, memberId, material.id, '2026-W48')).toBe(legacy[1])
    const guesses = ['', memberId, '0'.repeat(32), material.id].flatMap(seed => [
      readingProgressId(seed, memberId, material.id),
      homeStudyCheckinId(seed, memberId, material.id, '2026-W48'),
    ])
    for (const id of seeded) {
      expect(id).toMatch(UUID_RE)
      expect([...legacy, ...guesses]).not.toContain(id)
    }
  })

  it('the home-study rule uses the seed it is given, and the legacy id while the seed is unknown', () => {
    const today = '2026-11-26'
    expect(homeStudyCheckin({ memberId, idSeed, material, today, secondsSpent: 90, checkins: [] })!.id).toBe(homeStudyCheckinId(idSeed, memberId, material.id, '2026-W48'))
    expect(homeStudyCheckin({ memberId, idSeed: null, material, today, secondsSpent: 90, checkins: [] })!.id).toBe(stableUuid('homeStudy', memberId, material.id, '2026-W48'))
  })

  it('a check-in of the week made under the legacy scheme still counts once the seed is known', () => {
    const legacy = homeStudyCheckin({ memberId, idSeed: null, material, today: '2026-11-23', secondsSpent: 90, checkins: [] })!
    expect(homeStudyCheckin({ memberId, idSeed, material, today: '2026-11-26', secondsSpent: 90, checkins: [{ id: legacy.id, ...legacy.data }] })).toBeNull()
  })
})

describe('the home-study rule', () => {
  const monday = '2026-11-23'
  const thursday = '2026-11-26'
  const nextMonday = '2026-11-30'

  it('makes a valid home_study check-in linked to the material, dated today', () => {
    const made = homeStudyCheckin({ memberId, idSeed, material, today: thursday, secondsSpent: 61, checkins: [] })
    expect(made).toEqual({
      id: homeStudyCheckinId(idSeed, memberId, material.id, '2026-W48'),
      data: { date: thursday, form: 'home_study', topic: material.title, minutes: 2, materialId: material.id },
    })
    expect(validateRecordData('studyCheckins', made!.data)).toMatchObject({ ok: true })
  })

  it('counts once per material per week', () => {
    const first = homeStudyCheckin({ memberId, idSeed, material, today: monday, secondsSpent: 600, checkins: [] })!
    const again = homeStudyCheckin({ memberId, idSeed, material, today: thursday, secondsSpent: 900, checkins: [{ id: first.id, ...first.data }] })
    expect(again).toBeNull()
    const other = homeStudyCheckin({ memberId, idSeed, material: { id: '33333333-3333-4333-8333-333333333333', title: '另一篇' }, today: thursday, secondsSpent: 90, checkins: [{ id: first.id, ...first.data }] })
    expect(other).not.toBeNull()
  })

  it('counts again in a new week, with a new id', () => {
    const first = homeStudyCheckin({ memberId, idSeed, material, today: monday, secondsSpent: 120, checkins: [] })!
    const next = homeStudyCheckin({ memberId, idSeed, material, today: nextMonday, secondsSpent: 120, checkins: [{ id: first.id, ...first.data }] })
    expect(next?.id).toBe(homeStudyCheckinId(idSeed, memberId, material.id, '2026-W49'))
    expect(next?.id).not.toBe(first.id)
  })

  it('is not blocked by a deleted check-in, nor by other forms of study of the material', () => {
    const first = homeStudyCheckin({ memberId, idSeed, material, today: monday, secondsSpent: 120, checkins: [] })!
    const checkins = [
      { id: first.id, ...first.data, deleted: true },
      { id: 'x', date: monday, form: 'self_study', materialId: material.id },
    ]
    expect(homeStudyCheckin({ memberId, idSeed, material, today: thursday, secondsSpent: 120, checkins })?.id).toBe(first.id)
  })

  it('gives two devices finishing offline in the same week the same id', () => {
    const phone = homeStudyCheckin({ memberId, idSeed, material, today: monday, secondsSpent: 300, checkins: [] })
    const tablet = homeStudyCheckin({ memberId, idSeed, material, today: thursday, secondsSpent: 75, checkins: [] })
    expect(phone!.id).toBe(tablet!.id)
  })

  it('rounds reading time up to minutes within 1–600, and cuts a long title to 200 characters', () => {
    const minutes = (secondsSpent: number) => homeStudyCheckin({ memberId, idSeed, material, today: monday, secondsSpent, checkins: [] })!.data.minutes
    expect(minutes(0)).toBe(1)
    expect(minutes(HOME_STUDY_MIN_SECONDS)).toBe(1)
    expect(minutes(HOME_STUDY_MIN_SECONDS + 1)).toBe(2)
    expect(minutes(100_000)).toBe(600)
    const long = homeStudyCheckin({ memberId, idSeed, material: { id: material.id, title: `${'长'.repeat(199)}👍` }, today: monday, secondsSpent: 60, checkins: [] })!
    expect(long.data.topic).toBe('长'.repeat(199))
    expect(validateRecordData('studyCheckins', long.data)).toMatchObject({ ok: true })
  })
})

describe('what home study asks of a reader (homeStudyStatus)', () => {
  const base = { chars: 44, secondsSpent: 0, creditedSeconds: 0, endReached: true, countedThisWeek: false }

  it('asks a minute of any text, and half a long one at 300 characters a minute, at most 20 minutes', () => {
    expect(readingChars('为人民 服务\n\n  👍')).toBe(6)
    expect(requiredReadingSeconds(0)).toBe(HOME_STUDY_MIN_SECONDS)
    expect(requiredReadingSeconds(44)).toBe(60)
    expect(requiredReadingSeconds(600)).toBe(60)
    expect(requiredReadingSeconds(601)).toBe(61)
    expect(requiredReadingSeconds(3000)).toBe(300)
    expect(requiredReadingSeconds(12_000)).toBe(HOME_STUDY_MAX_SECONDS)
    expect(requiredReadingSeconds(200_000)).toBe(HOME_STUDY_MAX_SECONDS)
  })

  it('a short text on screen whole is not counted on opening, only once its minute is read', () => {
    expect(homeStudyStatus(base)).toEqual({ state: 'reading', requiredSeconds: 60, readSeconds: 0, remainingSeconds: 60 })
    expect(homeStudyStatus({ ...base, secondsSpent: 59 }).state).toBe('reading')
    expect(homeStudyStatus({ ...base, secondsSpent: 60 })).toEqual({ state: 'due', requiredSeconds: 60, readSeconds: 60, remainingSeconds: 0 })
  })

  it('a long text needs its time and the end, or 标记已学 after the time', () => {
    const long = { ...base, chars: 3000, endReached: false }
    expect(homeStudyStatus({ ...long, secondsSpent: 299 })).toMatchObject({ state: 'reading', remainingSeconds: 1 })
    expect(homeStudyStatus({ ...long, secondsSpent: 299, endReached: true }).state).toBe('reading')
    expect(homeStudyStatus({ ...long, secondsSpent: 300 }).state).toBe('markable')
    expect(homeStudyStatus({ ...long, secondsSpent: 300, endReached: true }).state).toBe('due')
  })

  it('once counted this week it stays counted, whatever the time (badge and message never disagree)', () => {
    expect(homeStudyStatus({ ...base, countedThisWeek: true }).state).toBe('counted')
    expect(homeStudyStatus({ ...base, secondsSpent: 999, countedThisWeek: true }).state).toBe('counted')
  })

  it('a new week needs reading again: earlier weeks\' credits use up their minutes, a deleted one gives them back', () => {
    const week = '2026-W49'
    const checkins = [
      { id: 'a', date: '2026-11-24', form: 'home_study', materialId: material.id, minutes: 2 },
      { id: 'b', date: '2026-11-17', form: 'home_study', materialId: material.id, minutes: 3, deleted: true },
      { id: 'c', date: '2026-11-24', form: 'self_study', materialId: material.id, minutes: 30 },
      { id: 'd', date: '2026-11-24', form: 'home_study', materialId: 'other', minutes: 30 },
      { id: 'e', date: '2026-12-01', form: 'home_study', materialId: material.id, minutes: 30 },
    ]
    expect(creditedSeconds(checkins, material.id, week)).toBe(120)
    expect(homeStudyStatus({ ...base, secondsSpent: 150, creditedSeconds: 120 })).toMatchObject({ state: 'reading', readSeconds: 30, remainingSeconds: 30 })
    expect(homeStudyStatus({ ...base, secondsSpent: 180, creditedSeconds: 120 }).state).toBe('due')
  })
})
