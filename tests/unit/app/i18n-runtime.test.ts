import { describe, expect, it } from 'vitest'
import { effect } from 'vue'
import en from '@/app/i18n/en.json'
import { createI18n, pluralForm } from '@/app/i18n/runtime'
import zhCN from '@/app/i18n/zh-CN.json'

interface Messages { [key: string]: string | Messages }

function entries(tree: Messages, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) => typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : entries(value, `${prefix}${key}.`))
}

// The app's i18n reads messages as vue-i18n did (app/i18n/runtime.ts): the cases below are what
// vue-i18n 11 answered for the same calls.
describe('the app\'s i18n', () => {
  const i18n = createI18n<'zh-CN' | 'en'>({ locale: 'zh-CN', fallbackLocale: 'zh-CN', messages: { 'zh-CN': { a: { b: '你好，{name}', plural: '{n} 条' } } } })
  const { t } = i18n.global

  it('takes named values, and nothing for a missing one', () => {
    expect(t('a.b', { name: '王' })).toBe('你好，王')
    expect(t('a.b')).toBe('你好，')
    expect(t('a.b', { name: 0 })).toBe('你好，0')
  })

  it('gives the key for a missing message, and the fallback locale\'s message for one missing in the locale', () => {
    expect(t('a.missing')).toBe('a.missing')
    expect(t('a')).toBe('a')
    i18n.global.mergeLocaleMessage('en', { a: { other: 'x' } })
    i18n.global.locale.value = 'en'
    expect(t('a.b', { name: 'Wang' })).toBe('你好，Wang')
    expect(t('a.other')).toBe('x')
    i18n.global.locale.value = 'zh-CN'
  })

  it('chooses plural forms by vue-i18n\'s default rule, with n and count set from the count', () => {
    i18n.global.mergeLocaleMessage('zh-CN', { two: '{n} item | {n} items', three: 'none | one {count} | {count} many', own: '{n} x | {n} xs' })
    expect([0, 1, 2, 5].map(n => t('two', n))).toEqual(['0 items', '1 item', '2 items', '5 items'])
    expect([0, 1, 2].map(n => t('three', {}, n))).toEqual(['none', 'one 1', '2 many'])
    expect(t('own', { n: 'seven' }, 7)).toBe('seven xs')
    expect(t('two')).toBe(' item')
    expect(t('a.plural', { n: 3 }, 3)).toBe('3 条')
    expect([pluralForm(0, 2), pluralForm(1, 2), pluralForm(-1, 2), pluralForm(3, 2)]).toEqual([1, 0, 0, 1])
  })

  it('answers again when the locale changes or messages are merged', () => {
    const seen: string[] = []
    const stop = effect(() => void seen.push(t('late')))
    i18n.global.mergeLocaleMessage('zh-CN', { late: '迟到' })
    i18n.global.locale.value = 'en'
    i18n.global.mergeLocaleMessage('en', { late: 'late' })
    i18n.global.locale.value = 'zh-CN'
    stop.effect.stop()
    expect(seen).toEqual(['late', '迟到', '迟到', 'late', '迟到'])
  })

  it('no message uses vue-i18n syntax the app\'s i18n does not read (linked @:, literals, lists, pipes without spaces)', () => {
    const all = [...entries(zhCN as Messages), ...entries(en as Messages)]
    const unread = all.filter(([, text]) => /[@$%]\{|@[:.]|\{'|\{\d+\}|\{\s|[^ ]\||\|[^ ]/.test(text))
    expect(unread).toEqual([])
  })
})
