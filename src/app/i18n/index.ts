import type { Locale } from '@/domain/locale'
import { createI18n } from 'vue-i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

/** The app's UI strings: zh-CN first (the default and the fallback), English beside it. */
export type MessageSchema = typeof zhCN

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

/** Switches the UI language and the document's `lang` (screen readers and fonts follow it). */
export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
}
