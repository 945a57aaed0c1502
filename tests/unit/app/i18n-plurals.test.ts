import { describe, expect, it } from 'vitest'
import branchEn from '@/app/i18n/branch/en.json'
import devicesEn from '@/app/i18n/devices/en.json'
import en from '@/app/i18n/en.json'
import reportEn from '@/app/i18n/report/en.json'
import { createI18n } from '@/app/i18n/runtime'

interface Messages { [key: string]: string | Messages }

function merge(target: Messages, source: Messages): Messages {
  for (const [key, value] of Object.entries(source))
    target[key] = typeof value === 'string' ? value : merge((target[key] ?? {}) as Messages, value)
  return target
}

const messages = [branchEn, devicesEn, reportEn].reduce<Messages>((all, part) => merge(all, part as Messages), structuredClone(en) as Messages)

function entries(tree: Messages, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) => typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : entries(value, `${prefix}${key}.`))
}

const { t } = createI18n({ locale: 'en', fallbackLocale: 'en', messages: { en: messages } }).global

// English says "1 week", "2 weeks": a count before a plural noun needs the plural forms (vue-i18n's, app/i18n/runtime.ts)
// ("singular | plural", chosen by the count the call passes), else it reads "Studied 1 weeks".
describe('english plurals', () => {
  it.each([
    ['progress.streak', { n: 1 }, 1, 'Studied 1 week in a row', 'Studied 3 weeks in a row'],
    ['progress.yearStrip', { n: 1, year: 2026 }, 1, 'Studied 1 week in 2026', 'Studied 3 weeks in 2026'],
    ['notes.found', { n: 1 }, 1, '1 note found', '3 notes found'],
    ['notes.wordCount', { n: 1 }, 1, '1 character', '3 characters'],
    ['materialForm.bodyCount', { n: 1 }, 1, '1 character', '3 characters'],
    ['service.people', { n: 1 }, 1, '1 person served', '3 people served'],
    ['service.thisMonthTotals', { hours: 2, count: 1 }, 1, 'This month 2 h · once', 'This month 2 h · 3 times'],
    ['branch.members.count', { count: 1 }, 1, '1 member', '3 members'],
    ['branch.member.revoked', { count: 1 }, 1, '1 device signed out.', '3 devices signed out.'],
    ['branch.summary.recordsCount', { n: 1 }, 1, '1 record', '3 records'],
    ['branch.birthdays.entry', { date: '2025-07-01', years: 1 }, 1, 'joined 2025-07-01 · 1 year', 'joined 2025-07-01 · 3 years'],
  ] as const)('%s: one and many', (key, params, one, singular, plural) => {
    expect(t(key, params, one)).toBe(singular)
    const many = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === 'year' || k === 'hours' || k === 'date' ? v : 3]))
    expect(t(key, many, 3)).toBe(plural)
  })

  it('every message with a count before an English plural noun has a singular form', () => {
    // {code} is a 签到码, not a count; {max} (weeks a grid may span) is never 1.
    const countedPlural = /\{(?!code\}|max\})\w+\} ([a-z-]+s)\b/g
    const notNouns = new Set(['is', 'was', 'has', 'this'])
    const counted = (text: string) => [...text.matchAll(countedPlural)].some(m => !notNouns.has(m[1]!))
    const missing = entries(messages).filter(([, text]) => counted(text) && !text.includes(' | ')).map(([key, text]) => `${key}: ${text}`)
    expect(missing).toEqual([])
  })
})
