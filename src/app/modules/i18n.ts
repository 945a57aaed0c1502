import type { AppModule } from './types'
import { watch } from 'vue'
import { applyLocale, i18n } from '@/app/i18n'
import { useSettingsStore } from '@/app/stores/settings'

/** vue-i18n, with the language kept in the settings store (persisted on the device). */
export const installI18n: AppModule = (app) => {
  app.use(i18n)
  const settings = useSettingsStore()
  watch(() => settings.locale, (locale) => {
    applyLocale(locale).catch((error: unknown) => console.error('could not load the messages of', locale, error))
  }, { immediate: true })
  void settings.load()
}
