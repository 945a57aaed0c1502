import type { App, Ref } from 'vue'
import { ref } from 'vue'

/**
 * The part of vue-i18n the app uses, in about 1 KiB instead of vue-i18n's ~17 KiB (gzip) runtime
 * on every page: `useI18n()` giving `t` and `locale`, `createI18n({ locale, fallbackLocale,
 * messages })` and `global.mergeLocaleMessage`. The build resolves `vue-i18n` to this module
 * (vite.config.ts), so components keep `import { useI18n } from 'vue-i18n'`.
 *
 * Messages are plain JSON, read as vue-i18n reads them: `{name}` takes the named value (empty when
 * absent); `a | b` are plural forms chosen by the count given as `t`'s last argument, with
 * vue-i18n's default rule (two forms: 1 → the first, 0 and many → the second; three forms: 0, 1,
 * many) and `n` and `count` set to the count unless given. Without a count a plural message gives
 * its first form. A key missing in the locale falls back to `fallbackLocale`, then to the key.
 * Nothing else of vue-i18n's syntax (linked `@:`, `{'literal'}`, list `{0}`) is understood, and no
 * message uses it (tests/unit/app/i18n-plurals.test.ts holds the messages to that).
 */

export interface MessageTree { [key: string]: string | MessageTree }
type Named = Record<string, unknown>

export interface I18nOptions<L extends string> {
  legacy?: false
  locale: L
  fallbackLocale: L
  messages: Partial<Record<L, unknown>>
}

export interface Composer<L extends string> {
  locale: Ref<L>
  t: (key: string, named?: Named | number, plural?: number) => string
  mergeLocaleMessage: (locale: L, messages: unknown) => void
}

export interface I18n<L extends string> {
  global: Composer<L>
  install: (app: App) => void
}

/** The plural form vue-i18n's default rule picks for `choice` among `forms` forms. */
export function pluralForm(choice: number, forms: number): number {
  const n = Math.abs(choice)
  if (forms === 2)
    return n ? (n > 1 ? 1 : 0) : 1
  return n ? Math.min(n, 2) : 0
}

function merge(target: MessageTree, source: MessageTree): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key]
    if (typeof value === 'object' && value !== null && typeof current === 'object')
      merge(current, value)
    else
      target[key] = typeof value === 'object' && value !== null ? structuredClone(value) : value
  }
}

function lookup(tree: MessageTree | undefined, key: string): string | undefined {
  let node: string | MessageTree | undefined = tree
  for (const part of key.split('.')) {
    if (typeof node !== 'object')
      return undefined
    node = node[part]
  }
  return typeof node === 'string' ? node : undefined
}

const PLACEHOLDER = /\{(\w+)\}/g

function format(message: string, named: Named, plural: number | undefined): string {
  let text = message
  if (message.includes('|')) {
    const forms = message.split('|').map(form => form.trim())
    text = forms[plural === undefined ? 0 : pluralForm(plural, forms.length)] ?? ''
  }
  return text.replace(PLACEHOLDER, (_all, name: string) => {
    const value = named[name]
    return value === undefined || value === null ? '' : String(value)
  })
}

let active: I18n<string> | undefined

export function createI18n<L extends string>(options: I18nOptions<L>): I18n<L> {
  const locale = ref(options.locale) as Ref<L>
  const trees = new Map<string, MessageTree>()
  // Bumped on every merge: a `t` that ran before (a key missing, English not loaded yet) runs again.
  const revision = ref(0)
  const mergeLocaleMessage = (target: L, messages: unknown): void => {
    const tree = trees.get(target) ?? {}
    merge(tree, messages as MessageTree)
    trees.set(target, tree)
    revision.value++
  }
  for (const [target, messages] of Object.entries(options.messages) as [L, unknown][]) {
    if (messages)
      mergeLocaleMessage(target, messages)
  }
  const t = (key: string, named?: Named | number, plural?: number): string => {
    void revision.value
    const count = typeof named === 'number' ? named : plural
    const values: Named = typeof named === 'object' && named !== null ? { ...named } : {}
    if (count !== undefined) {
      values.n ??= count
      values.count ??= count
    }
    const message = lookup(trees.get(locale.value), key) ?? lookup(trees.get(options.fallbackLocale), key)
    return message === undefined ? key : format(message, values, count)
  }
  const i18n: I18n<L> = { global: { locale, t, mergeLocaleMessage }, install: () => {} }
  active = i18n as unknown as I18n<string>
  return i18n
}

/** The app's one i18n (made by `createI18n` in src/app/i18n/index.ts): its `t` and `locale`. */
export function useI18n(): Composer<string> {
  if (!active)
    throw new Error('useI18n before createI18n')
  return active.global
}
