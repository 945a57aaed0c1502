import type { AppModule } from './types'
import { Locale as VantLocale } from 'vant'
import vantEnUS from 'vant/es/locale/lang/en-US'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import { watch } from 'vue'
import { applyLocale, i18n } from '@/app/i18n'
import { useSettingsStore } from '@/app/stores/settings'

/** vue-i18n, with the language kept in the settings store (persisted on the device). */
export const installI18n: AppModule = (app) => {
  app.use(i18n)
  const settings = useSettingsStore()
  watch(() => settings.locale, (locale) => {
    applyLocale(locale)
    // Vant's own few strings (dialog buttons we do not label ourselves) follow the same language.
    if (locale === 'en')
      VantLocale.use('en-US', vantEnUS)
    else
      VantLocale.use('zh-CN', vantZhCN)
  }, { immediate: true })
  void settings.load()
}
