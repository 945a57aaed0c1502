import type { SpeechSynthLike, SpeechUtteranceLike, SpeechVoiceLike } from '@/app/components/materials/speechReader'
import { describe, expect, it } from 'vitest'
import { pickChineseVoice, SpeechReader } from '@/app/components/materials/speechReader'

/** A stand-in for `speechSynthesis`: keeps what it was asked to say; the test ends each utterance. */
class StandInSynth implements SpeechSynthLike {
  spoken: SpeechUtteranceLike[] = []
  queue: SpeechUtteranceLike[] = []
  paused = false
  calls: string[] = []
  voices: SpeechVoiceLike[]
  private listeners: (() => void)[] = []

  constructor(voices: SpeechVoiceLike[]) {
    this.voices = voices
  }

  speak(utterance: SpeechUtteranceLike): void {
    this.spoken.push(utterance)
    this.queue.push(utterance)
  }

  cancel(): void {
    this.calls.push('cancel')
    // Like Chromium: a cancelled utterance still reports an error, after the fact.
    const cancelled = this.queue.splice(0)
    for (const utterance of cancelled)
      utterance.onerror?.({ error: 'interrupted' })
  }

  pause(): void {
    this.calls.push('pause')
    this.paused = true
  }

  resume(): void {
    this.calls.push('resume')
    this.paused = false
  }

  getVoices(): SpeechVoiceLike[] {
    return this.voices
  }

  addEventListener(_type: 'voiceschanged', listener: () => void): void {
    this.listeners.push(listener)
  }

  removeEventListener(_type: 'voiceschanged', listener: () => void): void {
    this.listeners = this.listeners.filter(item => item !== listener)
  }

  loadVoices(voices: SpeechVoiceLike[]): void {
    this.voices = voices
    for (const listener of [...this.listeners])
      listener()
  }

  /** The utterance being read comes to its end. */
  finishCurrent(): void {
    const utterance = this.queue.shift()
    utterance?.onend?.({})
  }
}

function utterance(text: string): SpeechUtteranceLike {
  return { text, lang: '', rate: 1, voice: null, onend: null, onerror: null }
}

const zhVoice = { lang: 'zh-CN', name: 'Tingting', localService: true }
const texts = ['第一章', '第一段。', '', '第二段。', '第三段。']

function setUp(voices: SpeechVoiceLike[] = [zhVoice]) {
  const synth = new StandInSynth(voices)
  const changes: [string, number | null][] = []
  const reader = new SpeechReader({ synth, texts, createUtterance: utterance, onChange: (state, current) => changes.push([state, current]) })
  return { synth, reader, changes }
}

describe('pickChineseVoice', () => {
  it('takes a Mainland Chinese voice over another Chinese one and a local voice over a network one', () => {
    const voices = [
      { lang: 'en-US', name: 'Samantha', localService: true },
      { lang: 'zh-TW', name: 'Meijia', localService: true },
      { lang: 'zh-CN', name: 'Google 普通话', localService: false },
      { lang: 'zh_CN', name: 'Tingting', localService: true },
    ]
    expect(pickChineseVoice(voices)?.name).toBe('Tingting')
    expect(pickChineseVoice([voices[1]!])?.name).toBe('Meijia')
  })

  it('finds none among non-Chinese voices', () => {
    expect(pickChineseVoice([{ lang: 'en-US', name: 'Samantha' }, { lang: 'fr-FR', name: 'Thomas' }])).toBeNull()
    expect(pickChineseVoice([])).toBeNull()
  })
})

describe('speechReader', () => {
  it('reads block after block in Chinese, skipping empty ones, and reports the one being read', async () => {
    const { synth, reader, changes } = setUp()
    expect(await reader.findVoice(0)).toEqual(zhVoice)
    expect(reader.start(1)).toBe(true)
    expect(synth.spoken.map(item => item.text)).toEqual(['第一段。'])
    expect(synth.spoken[0]!.lang).toBe('zh-CN')
    expect(synth.spoken[0]!.voice).toEqual(zhVoice)
    synth.finishCurrent()
    synth.finishCurrent()
    synth.finishCurrent()
    expect(synth.spoken.map(item => item.text)).toEqual(['第一段。', '第二段。', '第三段。'])
    expect(changes.map(([, current]) => current)).toEqual([1, 3, 4, null])
    expect(reader.state).toBe('idle')
  })

  it('pauses and resumes the paragraph being read without moving on', async () => {
    const { synth, reader } = setUp()
    await reader.findVoice(0)
    reader.start(0)
    reader.pause()
    expect(reader.state).toBe('paused')
    expect(reader.current).toBe(0)
    expect(synth.paused).toBe(true)
    reader.resume()
    expect(reader.state).toBe('speaking')
    expect(synth.paused).toBe(false)
    expect(synth.spoken).toHaveLength(1)
  })

  it('skips to the next paragraph once, although the cancelled one reports an error late', async () => {
    const { synth, reader } = setUp()
    await reader.findVoice(0)
    reader.start(0)
    reader.next()
    expect(synth.spoken.map(item => item.text)).toEqual(['第一章', '第一段。'])
    expect(reader.current).toBe(1)
    // A skip while paused: the synth is resumed so the next paragraph is heard.
    reader.pause()
    reader.next()
    expect(reader.current).toBe(3)
    expect(reader.state).toBe('speaking')
    expect(synth.paused).toBe(false)
    expect(synth.spoken.map(item => item.text)).toEqual(['第一章', '第一段。', '第二段。'])
  })

  it('stops: nothing more is read, even when the stopped utterance ends afterwards', async () => {
    const { synth, reader } = setUp()
    await reader.findVoice(0)
    reader.start(3)
    const reading = synth.spoken[0]!
    reader.stop()
    reading.onend?.({})
    expect(reader.state).toBe('idle')
    expect(reader.current).toBeNull()
    expect(synth.spoken).toHaveLength(1)
  })

  it('has nothing to read after the last block', async () => {
    const { reader } = setUp()
    await reader.findVoice(0)
    expect(reader.start(5)).toBe(false)
    expect(reader.state).toBe('idle')
  })

  it('waits for a voice list that loads late, and says so when no Chinese voice comes', async () => {
    const late = setUp([])
    const found = late.reader.findVoice(5000)
    late.synth.loadVoices([{ lang: 'en-US', name: 'Samantha' }, zhVoice])
    expect(await found).toEqual(zhVoice)

    const none = setUp([{ lang: 'en-US', name: 'Samantha' }])
    expect(await none.reader.findVoice(0)).toBeNull()
  })
})
