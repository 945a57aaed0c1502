/**
 * Calendar arithmetic on plain `YYYY-MM-DD` strings in the branch's time zone, and ISO-8601
 * week keys (`2026-W48`, Monday start). Dates never pass through a local-time `Date`, so the
 * result is the same on a phone in any zone and on the server.
 */

import type { Locale } from './locale'

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const WEEK_RE = /^(\d{4})-W(\d{2})$/
const DAY_MS = 86_400_000

/**
 * Years a date, week or month from outside may have. Arithmetic on them reaches about a year
 * either side (a week's Monday, the next month) and must stay within 0000–9999, which `YYYY`
 * can write; beyond it a query would fail inside the server instead of being refused.
 */
export const MIN_YEAR = 1
export const MAX_YEAR = 9998

/** Whether a year is one a date, week or month from outside may have. */
export const isCalendarYear = (year: number): boolean => year >= MIN_YEAR && year <= MAX_YEAR

const year4 = (year: number): string => String(year).padStart(4, '0')
const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Milliseconds at a UTC wall-clock time; unlike `Date.UTC` alone, years 0–99 are not read as 1900–1999. */
export function utcMs(year: number, monthIndex: number, day: number, hours = 0, minutes = 0, seconds = 0): number {
  const t = new Date(0)
  t.setUTCFullYear(year, monthIndex, day)
  t.setUTCHours(hours, minutes, seconds, 0)
  return t.getTime()
}

// Days since the epoch of a real date in 0000–9999 (arithmetic may pass through any of them), or null.
function calendarDays(value: string): number | null {
  const m = DATE_RE.exec(value)
  if (!m)
    return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = new Date(utcMs(y, mo - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t.getTime() / DAY_MS : null
}

/** A real date of any four-digit year, which arithmetic on accepted dates may reach (a month's end). */
export const isCalendarDate = (value: string): boolean => calendarDays(value) !== null

/** True for a real calendar date written `YYYY-MM-DD` (rejects 2026-02-30) in years MIN_YEAR–MAX_YEAR. */
export function isIsoDate(value: string): boolean {
  return calendarDays(value) !== null && isCalendarYear(Number(value.slice(0, 4)))
}

function toUtcDays(date: string): number {
  const days = calendarDays(date)
  if (days === null)
    throw new RangeError(`not a YYYY-MM-DD date: ${date}`)
  return days
}

function fromUtcDays(days: number): string {
  const t = new Date(days * DAY_MS)
  const year = t.getUTCFullYear()
  if (!(year >= 0 && year <= 9999))
    throw new RangeError(`outside the four-digit calendar: ${days} days`)
  return `${year4(year)}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`
}

/**
 * A pure function of a string remembered for the strings it has seen, up to `size` of them: a
 * sync push of 500 check-ins asks the week of the same few dates (and tomorrow, for the future
 * check) 1,500 times, and each answer builds several Date objects.
 */
function remembered<R>(compute: (key: string) => R, size = 4096): (key: string) => R {
  const known = new Map<string, R>()
  return (key) => {
    let value = known.get(key)
    if (value === undefined) {
      value = compute(key)
      if (known.size >= size)
        known.clear()
      known.set(key, value)
    }
    return value
  }
}

const dayAfter = remembered(date => fromUtcDays(toUtcDays(date) + 1))

/** `date` moved by `days` (negative goes back). */
export function addDays(date: string, days: number): string {
  return days === 1 ? dayAfter(date) : fromUtcDays(toUtcDays(date) + days)
}

/** ISO weekday: 1 Monday … 7 Sunday. */
export function isoWeekday(date: string): number {
  const dow = new Date(toUtcDays(date) * DAY_MS).getUTCDay()
  return dow === 0 ? 7 : dow
}

/** The ISO-8601 week key of a date: 2026-12-31 → `2026-W53`, 2027-01-04 → `2027-W01`. */
export const weekKey: (date: string) => string = remembered(computeWeekKey)

function computeWeekKey(date: string): string {
  // The week belongs to the year of its Thursday.
  const thursday = addDays(date, 4 - isoWeekday(date))
  const year = Number(thursday.slice(0, 4))
  const ordinal = toUtcDays(thursday) - toUtcDays(`${year4(year)}-01-01`)
  const week = Math.floor(ordinal / 7) + 1
  return `${year4(year)}-W${String(week).padStart(2, '0')}`
}

/** True for a week key that names a week that exists (`2026-W53` yes, `2027-W53` no), in years MIN_YEAR–MAX_YEAR. */
export function isWeekKey(value: string): boolean {
  return weekExists(value) && isCalendarYear(Number(value.slice(0, 4)))
}

// A week of any four-digit year (arithmetic may pass through year 0).
function weekExists(value: string): boolean {
  const m = WEEK_RE.exec(value)
  if (!m)
    return false
  const week = Number(m[2])
  return week >= 1 && week <= weeksInYear(Number(m[1]))
}

/** 52 or 53: the number of ISO weeks in an ISO week-numbering year. */
export function weeksInYear(year: number): number {
  return weekKey(`${year4(year)}-12-28`) === `${year4(year)}-W53` ? 53 : 52
}

/** Monday and Sunday of a week key. */
export function weekRange(week: string): { start: string, end: string } {
  const m = WEEK_RE.exec(week)
  if (!m || !weekExists(week))
    throw new RangeError(`not an ISO week key: ${week}`)
  const year = Number(m[1])
  // January 4th is always in week 1.
  const jan4 = `${year4(year)}-01-04`
  const week1Monday = addDays(jan4, 1 - isoWeekday(jan4))
  const start = addDays(week1Monday, (Number(m[2]) - 1) * 7)
  return { start, end: addDays(start, 6) }
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * A week as people say it, for wherever a person reads one: `2026-W49` is "第49周 · 11月30日–12月6日"
 * in Chinese and "Week 49 · 30 Nov – 6 Dec" in English (the key itself is for machines: URLs, sync).
 */
export function weekLabel(week: string, locale: Locale): string {
  const { start, end } = weekRange(week)
  const number = Number(week.slice(-2))
  const [m1, d1, m2, d2] = [start.slice(5, 7), start.slice(8, 10), end.slice(5, 7), end.slice(8, 10)].map(Number) as [number, number, number, number]
  return locale === 'en'
    ? `Week ${number} · ${d1} ${EN_MONTHS[m1 - 1]} – ${d2} ${EN_MONTHS[m2 - 1]}`
    : `第${number}周 · ${m1}月${d1}日–${m2}月${d2}日`
}

/** The week key `offset` weeks from `week` (negative goes back). */
export function shiftWeek(week: string, offset: number): string {
  return weekKey(addDays(weekRange(week).start, offset * 7))
}

// One formatter per time zone: making an Intl.DateTimeFormat costs far more than formatting with
// it, and a sync push checks the date of each of its 500 changes.
const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** Today's date in a time zone, as `YYYY-MM-DD`. */
export function todayIn(timeZone: string = DEFAULT_TIME_ZONE, now: number = Date.now()): string {
  let format = dayFormats.get(timeZone)
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, format)
  }
  return format.format(now)
}

/** The current week key in a time zone. */
export function currentWeek(timeZone: string = DEFAULT_TIME_ZONE, now: number = Date.now()): string {
  return weekKey(todayIn(timeZone, now))
}
