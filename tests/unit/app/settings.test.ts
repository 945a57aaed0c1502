/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { getMeta } from '@/app/db/meta'
import { READER_FONT_DEFAULT, READER_FONT_MAX, READER_FONT_MIN, useSettingsStore } from '@/app/stores/settings'
import { resetDevice } from './support/device'

beforeEach(async () => {
  setActivePinia(createPinia())
  await resetDevice()
})

/** The store as a freshly opened app would see it: a new Pinia, preferences read from IndexedDB. */
async function reopened() {
  setActivePinia(createPinia())
  const settings = useSettingsStore()
  await settings.load()
  return settings
}

describe('elder mode and reader font size', () => {
  it('start off, not asked, 18 px on a new device', async () => {
    const settings = await reopened()
    expect(settings.elderMode).toBe(false)
    expect(settings.elderModeAsked).toBe(false)
    expect(settings.readerFontSize).toBe(READER_FONT_DEFAULT)
  })

  it('keep elder mode across a restart, and choosing it counts as asked', async () => {
    await useSettingsStore().setElderMode(true)
    const settings = await reopened()
    expect(settings.elderMode).toBe(true)
    expect(settings.elderModeAsked).toBe(true)
    await settings.setElderMode(false)
    expect((await reopened()).elderMode).toBe(false)
  })

  it('remember 暂不 so the question is asked once, with elder mode still off', async () => {
    await useSettingsStore().markElderModeAsked()
    const settings = await reopened()
    expect(settings.elderModeAsked).toBe(true)
    expect(settings.elderMode).toBe(false)
  })

  it('keep the reader size within 14–36 px across a restart', async () => {
    const settings = useSettingsStore()
    expect(await settings.setReaderFontSize(24)).toBe(24)
    expect((await reopened()).readerFontSize).toBe(24)
    expect(await useSettingsStore().setReaderFontSize(80)).toBe(READER_FONT_MAX)
    expect(await useSettingsStore().setReaderFontSize(2)).toBe(READER_FONT_MIN)
    expect(await getMeta('readerFontSize')).toBe(READER_FONT_MIN)
    expect((await reopened()).readerFontSize).toBe(READER_FONT_MIN)
  })
})
