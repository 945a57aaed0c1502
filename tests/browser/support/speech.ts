import type { BrowserContext, Page } from 'playwright-core'

/**
 * Speech synthesis for the 朗读 tests. Headless Chromium on Linux usually has no voice at all, so the
 * tests install a stand-in `speechSynthesis` (and `SpeechSynthesisUtterance`) before the app loads: it
 * records every utterance (text, lang, voice) and ends one only when the test says so, which lets a
 * test check the highlight while each paragraph is being "spoken". `voices: 'none'` is a phone with no
 * voice at all (the app must say so). The stand-in follows the Web Speech API: `speak` queues,
 * `cancel` empties the queue and ends the current utterance with an `error` event ("interrupted"),
 * `pause`/`resume` fire `pause`/`resume`, `getVoices()` fills in asynchronously with `voiceschanged`.
 */

export type StandInVoices = 'zh' | 'none'

/** One `speak()` call as the stand-in saw it. */
export interface SpokenUtterance {
  text: string
  lang: string
  voice: string | null
  /** How it ended: 'end' (spoken to the end), an error code ('interrupted', 'canceled'), or null while queued/speaking. */
  outcome: string | null
}

/** What the stand-in exposes on `window.__speechStandIn` for the test. */
interface StandInControl {
  spoken: SpokenUtterance[]
  /** Index in `spoken` of the utterance being spoken, or -1. */
  current: number
  paused: boolean
  finishCurrent: () => boolean
}

declare global {
  interface Window { __speechStandIn?: StandInControl }
}

/** The page-side script; serialised by Playwright, so it closes over nothing and names no function. */
function installStandIn(voices: StandInVoices): void {
  const standInVoices = voices === 'zh'
    ? [{ voiceURI: 'stand-in-zh-CN', name: '普通话（测试）', lang: 'zh-CN', localService: true, default: true }]
    : []
  const listeners = new EventTarget()
  let loaded = false
  const queue: { utterance: EventTarget & Record<string, unknown>, index: number }[] = []
  let speaking: { utterance: EventTarget & Record<string, unknown>, index: number } | null = null
  const control = { spoken: [] as { text: string, lang: string, voice: string | null, outcome: string | null }[], current: -1, paused: false, finishCurrent: () => false }

  const fire = (target: EventTarget & Record<string, unknown>, type: string, extra: Record<string, unknown> = {}): void => {
    const event = new Event(type)
    for (const [key, value] of Object.entries({ utterance: target, charIndex: 0, charLength: 0, elapsedTime: 0, name: '', ...extra }))
      Object.defineProperty(event, key, { value, enumerable: true })
    const handler = target[`on${type}`]
    if (typeof handler === 'function')
      (handler as (e: Event) => void).call(target, event)
    target.dispatchEvent(event)
  }

  const startNext = (): void => {
    speaking = queue.shift() ?? null
    control.current = speaking ? speaking.index : -1
    if (speaking) {
      const started = speaking
      setTimeout(() => speaking === started && fire(started.utterance, 'start'), 0)
    }
  }

  control.finishCurrent = () => {
    if (!speaking || control.paused)
      return false
    const done = speaking
    control.spoken[done.index]!.outcome = 'end'
    speaking = null
    control.current = -1
    fire(done.utterance, 'end')
    if (!speaking)
      startNext()
    return true
  }

  class StandInUtterance extends EventTarget {
    [key: string]: unknown
    text: string
    lang = ''
    voice: unknown = null
    rate = 1
    pitch = 1
    volume = 1
    onstart: unknown = null
    onend: unknown = null
    onerror: unknown = null
    onpause: unknown = null
    onresume: unknown = null
    onboundary: unknown = null
    onmark: unknown = null
    constructor(text = '') {
      super()
      this.text = text
    }
  }

  const synth = {
    onvoiceschanged: null as unknown,
    get speaking() { return speaking !== null },
    get pending() { return queue.length > 0 },
    get paused() { return control.paused },
    getVoices() {
      return loaded ? standInVoices.slice() : []
    },
    speak(utterance: EventTarget & Record<string, unknown>) {
      const voice = utterance.voice as { name?: string } | null
      control.spoken.push({ text: String(utterance.text), lang: String(utterance.lang ?? ''), voice: voice?.name ?? null, outcome: null })
      if (voices === 'none') {
        control.spoken.at(-1)!.outcome = 'synthesis-unavailable'
        setTimeout(() => fire(utterance, 'error', { error: 'synthesis-unavailable' }), 0)
        return
      }
      queue.push({ utterance, index: control.spoken.length - 1 })
      if (!speaking)
        startNext()
    },
    cancel() {
      const interrupted = speaking
      const dropped = [...(speaking ? [speaking] : []), ...queue.splice(0)]
      speaking = null
      control.current = -1
      control.paused = false
      for (const entry of dropped) {
        const code = entry === interrupted ? 'interrupted' : 'canceled'
        control.spoken[entry.index]!.outcome = code
        fire(entry.utterance, 'error', { error: code })
      }
    },
    pause() {
      if (control.paused)
        return
      control.paused = true
      if (speaking)
        fire(speaking.utterance, 'pause')
    },
    resume() {
      if (!control.paused)
        return
      control.paused = false
      if (speaking)
        fire(speaking.utterance, 'resume')
    },
    addEventListener: listeners.addEventListener.bind(listeners),
    removeEventListener: listeners.removeEventListener.bind(listeners),
    dispatchEvent: listeners.dispatchEvent.bind(listeners),
  }

  // Chromium fills getVoices() after the first call, then fires voiceschanged; the stand-in does the same.
  setTimeout(() => {
    loaded = true
    const event = new Event('voiceschanged')
    if (typeof synth.onvoiceschanged === 'function')
      (synth.onvoiceschanged as (e: Event) => void).call(synth, event)
    listeners.dispatchEvent(event)
  }, 50)

  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true, enumerable: true })
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: StandInUtterance, configurable: true, writable: true })
  Object.defineProperty(window, '__speechStandIn', { value: control, configurable: true })
}

/** Whether this Chromium has a Chinese voice of its own (waits briefly for the voice list to load). */
export async function hasChineseVoice(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    if (!('speechSynthesis' in window))
      return false
    const zh = (): boolean => speechSynthesis.getVoices().some(v => v.lang.toLowerCase().replace('_', '-').startsWith('zh'))
    if (zh())
      return true
    await new Promise<void>((resolve) => {
      speechSynthesis.addEventListener('voiceschanged', () => resolve(), { once: true })
      setTimeout(resolve, 1500)
    })
    return zh()
  })
}

/** Installs the stand-in in every page the context opens from now on. */
export async function installSpeechStandIn(context: BrowserContext, voices: StandInVoices): Promise<void> {
  // Test code is compiled with keepNames; a serialised function may call esbuild's `__name`.
  await context.addInitScript('globalThis.__name ??= fn => fn')
  await context.addInitScript(installStandIn, voices)
}

/** Everything the stand-in was asked to speak so far. */
export function spokenUtterances(page: Page): Promise<SpokenUtterance[]> {
  return page.evaluate(() => window.__speechStandIn?.spoken.map(u => ({ ...u })) ?? [])
}

/** The text of the utterance being spoken now, or null. */
export function speakingNow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const control = window.__speechStandIn
    return control && control.current >= 0 ? control.spoken[control.current]!.text : null
  })
}

/** Ends the utterance being spoken, as the voice reaching its last word would. Fails if none is. */
export async function finishSpeaking(page: Page): Promise<void> {
  const finished = await page.evaluate(() => window.__speechStandIn?.finishCurrent() ?? false)
  if (!finished)
    throw new Error('nothing was being spoken (or speech was paused)')
}
