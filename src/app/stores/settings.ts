import type { Locale } from '@/domain/locale'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { configureApi } from '@/app/api/client'
import { getMeta, setMeta } from '@/app/db/meta'
import { LOCALES } from '@/domain/locale'

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale)
}

/** The device's preferences, kept in `meta`. zh-CN unless the member chose English. */
export const useSettingsStore = defineStore('settings', () => {
  /** The interface language; the API client sends it as `Accept-Language`. */
  const locale = ref<Locale>('zh-CN')

  /** Reads the stored language (zh-CN when none was chosen yet). */
  async function load(): Promise<void> {
    const stored = await getMeta<Locale>('locale')
    locale.value = isLocale(stored) ? stored : 'zh-CN'
    configureApi({ locale: locale.value })
  }

  /** Switches the language and remembers it on this device. */
  async function setLocale(next: Locale): Promise<void> {
    locale.value = next
    configureApi({ locale: next })
    await setMeta('locale', next)
  }

  return { locale, load, setLocale }
})
