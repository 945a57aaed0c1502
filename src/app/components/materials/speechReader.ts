import type { Ref } from 'vue'
import { onBeforeUnmount, ref } from 'vue'

/** The parts of a `SpeechSynthesisVoice` the reader looks at. */
export interface SpeechVoiceLike {
  lang: string
  name: string
  localService?: boolean
}

/** The parts of a `SpeechSynthesisUtterance` the reader sets and listens to. */
export interface SpeechUtteranceLike {
  text: string
  lang: string
  rate: number
  voice: unknown
  onend: ((event?: unknown) => void) | null
  onerror: ((event?: unknown) => void) | null
}

/** The parts of `window.speechSynthesis` the reader uses (a stand-in in tests). */
export interface SpeechSynthLike {
  speak: (utterance: SpeechUtteranceLike) => void
  cancel: () => void
  pause: () => void
  resume: () => void
  getVoices: () => readonly SpeechVoiceLike[]
  addEventListener?: (type: 'voiceschanged', listener: () => void) => void
  removeEventListener?: (type: 'voiceschanged', listener: () => void) => void
}

/** idle: nothing queued; speaking: a paragraph is being read; paused: 暂停 pressed mid-paragraph. */
export type SpeechState = 'idle' | 'speaking' | 'paused'

/** A Chinese voice, if the phone has one: Mainland Mandarin first, a voice on the device before a network one. */
export function pickChineseVoice(voices: readonly SpeechVoiceLike[]): SpeechVoiceLike | null {
  const lang = (voice: SpeechVoiceLike) => voice.lang.replace('_', '-').toLowerCase()
  const chinese = voices.filter(voice => lang(voice).startsWith('zh') || lang(voice).startsWith('cmn'))
  if (chinese.length === 0)
    return null
  const rank = (voice: SpeechVoiceLike) => (lang(voice) === 'zh-cn' || lang(voice).includes('hans') ? 0 : 2) + (voice.localService === false ? 1 : 0)
  return [...chinese].sort((a, b) => rank(a) - rank(b))[0] ?? null
}

export interface SpeechReaderOptions {
  synth: SpeechSynthLike
  /** What to say for each block of the material, by block index; an empty text is skipped. */
  texts: readonly string[]
  /** Called whenever the state or the paragraph being read changes. */
  onChange?: (state: SpeechState, current: number | null) => void
  /** Called when the last paragraph with text was read to its end (not cut short by 下一段 or 停止). */
  onFinish?: () => void
  createUtterance?: (text: string) => SpeechUtteranceLike
  lang?: string
}

/**
 * Reads a material aloud paragraph by paragraph over the browser's speech synthesis: one utterance
 * per block, the next one queued when the previous ends. Each utterance carries a turn number, so the
 * `end`/`error` a cancelled utterance fires late never moves the reader on twice.
 */
export class SpeechReader {
  state: SpeechState = 'idle'
  /** Index of the block being read (or paused in), null when idle. */
  current: number | null = null
  private voice: SpeechVoiceLike | null = null
  private turn = 0
  private readonly options: SpeechReaderOptions

  constructor(options: SpeechReaderOptions) {
    this.options = options
  }

  /**
   * Finds a Chinese voice. Browsers load their voice list late, so an empty list is asked again
   * after `voiceschanged` (or `waitMs`, whichever comes first).
   */
  async findVoice(waitMs = 1000): Promise<SpeechVoiceLike | null> {
    const { synth } = this.options
    if (synth.getVoices().length === 0 && waitMs > 0) {
      await new Promise<void>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined
        const done = (): void => {
          clearTimeout(timer)
          synth.removeEventListener?.('voiceschanged', done)
          resolve()
        }
        timer = setTimeout(done, waitMs)
        synth.addEventListener?.('voiceschanged', done)
      })
    }
    this.voice = pickChineseVoice(synth.getVoices())
    return this.voice
  }

  /** Starts reading at the first block with text at or after `from`; false when there is none. */
  start(from: number): boolean {
    const index = this.nextIndex(from)
    if (index === null) {
      this.stop()
      return false
    }
    this.speakAt(index)
    return true
  }

  pause(): void {
    if (this.state !== 'speaking')
      return
    this.options.synth.pause()
    this.set('paused', this.current)
  }

  resume(): void {
    if (this.state !== 'paused')
      return
    this.options.synth.resume()
    this.set('speaking', this.current)
  }

  /** Skips to the next paragraph (stops after the last). */
  next(): void {
    if (this.current === null)
      return
    const index = this.nextIndex(this.current + 1)
    if (index === null)
      this.stop()
    else
      this.speakAt(index)
  }

  stop(): void {
    this.turn++
    const wasPaused = this.state === 'paused'
    this.options.synth.cancel()
    // A synth paused before cancel stays paused in Chromium and would swallow the next start.
    if (wasPaused)
      this.options.synth.resume()
    this.set('idle', null)
  }

  private nextIndex(from: number): number | null {
    const { texts } = this.options
    for (let index = Math.max(0, from); index < texts.length; index++) {
      if (texts[index]?.trim())
        return index
    }
    return null
  }

  private speakAt(index: number): void {
    const { synth } = this.options
    const wasPaused = this.state === 'paused'
    const turn = ++this.turn
    synth.cancel()
    if (wasPaused)
      synth.resume()
    const utterance = this.createUtterance(this.options.texts[index] ?? '')
    utterance.lang = this.options.lang ?? 'zh-CN'
    utterance.rate = 0.9
    try {
      // A real utterance accepts only a real SpeechSynthesisVoice; the lang above still picks Chinese.
      if (this.voice)
        utterance.voice = this.voice
    }
    catch {}
    const advance = (): void => {
      if (turn === this.turn)
        this.next()
    }
    utterance.onend = () => {
      if (turn === this.turn && this.nextIndex(index + 1) === null)
        this.options.onFinish?.()
      advance()
    }
    utterance.onerror = advance
    this.set('speaking', index)
    synth.speak(utterance)
  }

  private createUtterance(text: string): SpeechUtteranceLike {
    if (this.options.createUtterance)
      return this.options.createUtterance(text)
    return new SpeechSynthesisUtterance(text) as unknown as SpeechUtteranceLike
  }

  private set(state: SpeechState, current: number | null): void {
    this.state = state
    this.current = current
    this.options.onChange?.(state, current)
  }
}

/** The browser's speech synthesis, or null where there is none (an old WebView). */
export function browserSpeechSynth(): SpeechSynthLike | null {
  if (typeof window === 'undefined' || !('speechSynthesis' in window) || typeof SpeechSynthesisUtterance === 'undefined')
    return null
  return window.speechSynthesis as unknown as SpeechSynthLike
}

/** 朗读 for a page: reactive state and the paragraph being read; stops when the page closes. */
export function useSpeechReader(texts: Ref<readonly string[]>, synth: () => SpeechSynthLike | null = browserSpeechSynth, onFinish?: () => void): {
  state: Ref<SpeechState>
  current: Ref<number | null>
  /** True after 朗读 found no Chinese voice (or no speech synthesis at all). */
  noVoice: Ref<boolean>
  start: (from: number) => Promise<void>
  pause: () => void
  resume: () => void
  next: () => void
  stop: () => void
} {
  const state = ref<SpeechState>('idle')
  const current = ref<number | null>(null)
  const noVoice = ref(false)
  let reader: SpeechReader | null = null

  async function start(from: number): Promise<void> {
    reader?.stop()
    const target = synth()
    if (!target) {
      noVoice.value = true
      return
    }
    reader = new SpeechReader({
      synth: target,
      texts: texts.value,
      onChange: (next, index) => {
        state.value = next
        current.value = index
      },
      onFinish,
    })
    const voice = await reader.findVoice()
    noVoice.value = voice === null
    if (voice)
      reader.start(from)
  }

  onBeforeUnmount(() => reader?.stop())

  return {
    state,
    current,
    noVoice,
    start,
    pause: () => reader?.pause(),
    resume: () => reader?.resume(),
    next: () => reader?.next(),
    stop: () => reader?.stop(),
  }
}
