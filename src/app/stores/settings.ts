import type { Locale } from '@/domain/locale'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { configureApi } from '@/app/api/client'
import { getMetas, setMeta } from '@/app/db/meta'
import { LOCALES } from '@/domain/locale'

/** The reader's text size when none was chosen (px). */
export const READER_FONT_DEFAULT = 18
/** Smallest and largest reader text size (px); elder mode reaches the top of the range. */
export const READER_FONT_MIN = 14
export const READER_FONT_MAX = 36

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale)
}

/** A font size clamped to the reader's range and rounded to a whole pixel. */
export function clampReaderFontSize(px: number): number {
  if (!Number.isFinite(px))
    return READER_FONT_DEFAULT
  return Math.min(READER_FONT_MAX, Math.max(READER_FONT_MIN, Math.round(px)))
}

/** The device's preferences, kept in `meta`. zh-CN unless the member chose English. */
export const useSettingsStore = defineStore('settings', () => {
  /** The interface language; the API client sends it as `Accept-Language`. */
  const locale = ref<Locale>('zh-CN')
  /** 长辈模式: larger text and targets over the whole app (the UI sets `<html class="elder">`). */
  const elderMode = ref(false)
  /** Whether this device already asked 是否开启长辈模式？ (asked once, at first start). */
  const elderModeAsked = ref(false)
  /** The reader's text size in px (14–36, default 18). */
  const readerFontSize = ref(READER_FONT_DEFAULT)

  /** Reads the stored preferences (zh-CN, elder mode off and not asked, 18 px when none were chosen). */
  async function load(): Promise<void> {
    // One read, not four: at start it shares the phone with the first screen's rows.
    const [stored, elder, asked, font] = await getMetas(['locale', 'elderMode', 'elderModeAsked', 'readerFontSize'])
    locale.value = isLocale(stored) ? stored : 'zh-CN'
    configureApi({ locale: locale.value })
    elderMode.value = elder === true
    elderModeAsked.value = asked === true
    readerFontSize.value = typeof font === 'number' ? clampReaderFontSize(font) : READER_FONT_DEFAULT
  }

  /** Switches the language and remembers it on this device. */
  async function setLocale(next: Locale): Promise<void> {
    locale.value = next
    configureApi({ locale: next })
    await setMeta('locale', next)
  }

  /** Turns 长辈模式 on or off and remembers it; choosing counts as having been asked. */
  async function setElderMode(on: boolean): Promise<void> {
    elderMode.value = on
    elderModeAsked.value = true
    await Promise.all([setMeta('elderMode', on), setMeta('elderModeAsked', true)])
  }

  /** Remembers that the first-start question was answered (暂不), so it is not asked again. */
  async function markElderModeAsked(): Promise<void> {
    elderModeAsked.value = true
    await setMeta('elderModeAsked', true)
  }

  /** Sets the reader's text size (clamped to 14–36 px) and remembers it; returns the size kept. */
  async function setReaderFontSize(px: number): Promise<number> {
    const size = clampReaderFontSize(px)
    readerFontSize.value = size
    await setMeta('readerFontSize', size)
    return size
  }

  return { locale, elderMode, elderModeAsked, readerFontSize, load, setLocale, setElderMode, markElderModeAsked, setReaderFontSize }
})
