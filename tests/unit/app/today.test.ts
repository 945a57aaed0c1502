import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { msUntilNextMidnight, useCurrentWeek, useToday } from '@/app/composables/useToday'

// Sunday 2026-11-29 23:59:00 in Asia/Shanghai (UTC+8).
const SUNDAY_BEFORE_MIDNIGHT = Date.parse('2026-11-29T15:59:00Z')

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('useToday', () => {
  it('counts the time to the branch\'s midnight, not the machine\'s', () => {
    expect(msUntilNextMidnight('Asia/Shanghai', SUNDAY_BEFORE_MIDNIGHT)).toBe(60_000)
    expect(msUntilNextMidnight('Asia/Shanghai', Date.parse('2026-11-29T16:00:00Z'))).toBe(86_400_000)
  })

  it('rolls today and this week over at midnight Sunday→Monday without a reload', () => {
    vi.useFakeTimers({ now: SUNDAY_BEFORE_MIDNIGHT })
    const scope = effectScope()
    const { today, week } = scope.run(() => ({ today: useToday(), week: useCurrentWeek() }))!
    expect(today.value).toBe('2026-11-29')
    expect(week.value).toBe('2026-W48')

    vi.advanceTimersByTime(59_000)
    expect(week.value).toBe('2026-W48')
    vi.advanceTimersByTime(2_000)
    expect(today.value).toBe('2026-11-30')
    expect(week.value).toBe('2026-W49')

    // The next timer is set for the following midnight.
    vi.advanceTimersByTime(86_400_000)
    expect(today.value).toBe('2026-12-01')

    scope.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('catches up when the page becomes visible after its timer slept', () => {
    vi.useFakeTimers({ now: SUNDAY_BEFORE_MIDNIGHT })
    const page = Object.assign(new EventTarget(), { visibilityState: 'hidden' })
    vi.stubGlobal('document', page)
    const scope = effectScope()
    const week = scope.run(() => useCurrentWeek())!
    expect(week.value).toBe('2026-W48')

    // The phone slept through midnight: the clock moved, the timer did not fire.
    vi.setSystemTime(Date.parse('2026-11-30T01:00:00Z'))
    expect(week.value).toBe('2026-W48')
    page.visibilityState = 'visible'
    page.dispatchEvent(new Event('visibilitychange'))
    expect(week.value).toBe('2026-W49')

    scope.stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})
