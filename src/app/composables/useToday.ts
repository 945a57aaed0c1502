import type { Ref } from 'vue'
import { computed, getCurrentScope, onScopeDispose, readonly, ref } from 'vue'
import { DEFAULT_TIME_ZONE, todayIn, weekKey } from '@/domain/week'

// One clock for the whole app: pages rendered before midnight must roll over to the new day
// (and, Sunday→Monday, the new week) without waiting for data to change or a reload.
const today = ref(todayIn(DEFAULT_TIME_ZONE))
let users = 0
let timer: ReturnType<typeof setTimeout> | undefined

/** Milliseconds from `now` until the next midnight in `timeZone`. */
export function msUntilNextMidnight(timeZone: string = DEFAULT_TIME_ZONE, now: number = Date.now()): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(now)
  const part = (type: string): number => Number(parts.find(p => p.type === type)?.value ?? 0)
  const sinceMidnight = ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + now % 1000
  return 86_400_000 - sinceMidnight
}

function refresh(): void {
  const now = todayIn(DEFAULT_TIME_ZONE)
  if (now !== today.value)
    today.value = now
}

function schedule(): void {
  clearTimeout(timer)
  // A little past midnight, so the clock reads the new day when the timer fires.
  timer = setTimeout(() => {
    refresh()
    schedule()
  }, msUntilNextMidnight() + 50)
}

// Timers sleep while a phone's screen is off: coming back is when the day may have changed.
function onVisibilityChange(): void {
  if (document.visibilityState === 'visible') {
    refresh()
    schedule()
  }
}

function start(): void {
  refresh()
  schedule()
  if (typeof document !== 'undefined')
    document.addEventListener('visibilitychange', onVisibilityChange)
}

function stop(): void {
  clearTimeout(timer)
  timer = undefined
  if (typeof document !== 'undefined')
    document.removeEventListener('visibilitychange', onVisibilityChange)
}

/**
 * Today's date (`YYYY-MM-DD`) in the branch's time zone, live: it changes at the branch's
 * midnight and when the page becomes visible again. The timer runs while any effect scope
 * (component, store) that asked for it is alive.
 */
export function useToday(): Readonly<Ref<string>> {
  if (getCurrentScope()) {
    if (users++ === 0)
      start()
    onScopeDispose(() => {
      if (--users === 0)
        stop()
    })
  }
  else {
    refresh()
  }
  return readonly(today)
}

/** This week's ISO key in the branch's time zone, live like `useToday()`. */
export function useCurrentWeek(): Readonly<Ref<string>> {
  const day = useToday()
  return computed(() => weekKey(day.value))
}
