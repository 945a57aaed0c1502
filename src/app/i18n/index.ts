import type { Locale } from '@/domain/locale'
import { createI18n } from './runtime'
import zhCN from './zh-CN.json'

/** The app's UI strings: zh-CN first (the default and the fallback), English beside it. */
export type MessageSchema = typeof zhCN

export const i18n = createI18n<Locale>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  // English rides in its own chunk, fetched the first time a member picks it (see loadLocale).
  messages: { 'zh-CN': zhCN },
})

let englishLoaded: Promise<void> | undefined

/** Makes sure `locale`'s messages are in i18n; English is fetched once, on first use. */
export function loadLocale(locale: Locale): Promise<void> {
  if (locale !== 'en')
    return Promise.resolve()
  englishLoaded ??= import('./en.json').then(({ default: en }) => {
    // Merged, not set: the secretary pages' English (i18n/branch) may have been merged already.
    i18n.global.mergeLocaleMessage('en', en as never)
  }).catch((error: unknown) => {
    englishLoaded = undefined
    throw error
  })
  return englishLoaded
}

let wanted: Locale = 'zh-CN'

/**
 * Switches the UI language and the document's `lang` (screen readers and fonts follow it), once its
 * messages are loaded; until then the page stays in the language it had. The last call wins.
 */
export async function applyLocale(locale: Locale): Promise<void> {
  wanted = locale
  await loadLocale(locale)
  if (wanted !== locale)
    return
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
}
