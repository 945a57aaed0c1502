import type { AppModule } from './types'
import { watch } from 'vue'
import { useSettingsStore } from '@/app/stores/settings'

/** 长辈模式 applies to the whole app through `<html class="elder">` (styles/elder.css). */
export const installElderMode: AppModule = () => {
  const settings = useSettingsStore()
  watch(() => settings.elderMode, on => document.documentElement.classList.toggle('elder', on), { immediate: true })
}
