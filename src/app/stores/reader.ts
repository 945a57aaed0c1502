import type { ReadingProgressRow } from '@/app/db/database'
import type { ReadingProgressData } from '@/domain/records'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { getMaterial, getMaterialBody, getReadingProgress, idTaken, saveReadingProgress } from '@/app/db/materials'
import { listStudyCheckins } from '@/app/db/studyCheckins'
import { countedInWeek, creditedSeconds, homeStudyCheckin, homeStudyStatus, readingChars, readingProgressId } from '@/domain/homeStudy'
import { MATERIAL_BODY_MAX, validateRecordData } from '@/domain/records'
import { todayIn, weekKey } from '@/domain/week'
import { NotSignedInError, RecordValidationError } from './recordWriter'
import { useSessionStore } from './session'
import { useStudyStore } from './study'
import { useSyncStore } from './sync'

/** Reading position writes are kept at most this often while the member scrolls (ms); leaving writes at once. */
export const POSITION_SAVE_INTERVAL_MS = 5_000
/**
 * Reading time alone (the member reads without scrolling) is written this seldom: each write
 * queues a push, and the status bar should not blink 待同步 every few seconds.
 */
export const READING_TIME_SAVE_INTERVAL_MS = 30_000

/** What finishing or 标记已学 did: a home-study check-in was written, one already counts this week, or too little reading time (nothing written). */
export type StudiedOutcome = 'counted' | 'alreadyCounted' | 'tooShort'

/** Thrown when the material is not on the phone (never pulled, or unpublished). */
export class MaterialNotFoundError extends Error {
  constructor(id: string) {
    super(`Material ${id} is not on this phone`)
    this.name = 'MaterialNotFoundError'
  }
}

/** Changes to one material's progress not yet written. */
interface PendingProgress {
  position?: number
  percent?: number
  seconds: number
}

/**
 * The reader's bookkeeping: where the member stopped in each material (synced to the member's
 * other devices as `readingProgress`), reading time, and home study (居家学习) counted when the
 * end is reached or on 标记已学 after at least a minute. Position writes are throttled; `flush()`
 * writes what waits (call it when the reader closes).
 */
export const useReaderStore = defineStore('reader', () => {
  const session = useSessionStore()
  const sync = useSyncStore()
  const study = useStudyStore()

  /** Material ids with changes not yet written (for tests and the reader's leave handling). */
  const waiting = ref<string[]>([])
  /** Reading time per material not yet written (seconds): the reader adds it to the stored time it shows. */
  const unsavedSeconds = ref<Record<string, number>>({})
  /**
   * Reading time per material as last written (seconds): the reader shows at least this, since its
   * live row catches up with a write a moment after it. The time moves from unsaved to written in
   * one step, so the clock never shows a write's seconds twice or not at all.
   */
  const writtenSeconds = ref<Record<string, number>>({})

  const pending = new Map<string, PendingProgress>()
  const lastWrite = new Map<string, number>()
  const timers = new Map<string, { handle: ReturnType<typeof setTimeout>, due: number }>()
  let writes: Promise<unknown> = Promise.resolve()

  function memberId(): string {
    const id = session.member?.id
    if (!id)
      throw new NotSignedInError()
    return id
  }

  function pendingFor(materialId: string): PendingProgress {
    let entry = pending.get(materialId)
    if (!entry) {
      entry = { seconds: 0 }
      pending.set(materialId, entry)
      waiting.value = [...pending.keys()]
    }
    return entry
  }

  /** Writes a material's waiting changes merged into its stored progress; percent never goes down. */
  async function write(materialId: string, extra?: (data: ReadingProgressData) => ReadingProgressData): Promise<ReadingProgressRow | undefined> {
    clearTimeout(timers.get(materialId)?.handle)
    timers.delete(materialId)
    const changes = pending.get(materialId) ?? { seconds: 0 }
    pending.delete(materialId)
    waiting.value = [...pending.keys()]
    const owner = memberId()
    const stored = await getReadingProgress(owner, materialId)
    // The row the phone has, whichever id scheme made it (never a second row after the seed
    // arrives), unless another member took its id: then the id made with the seed.
    const id = stored && !idTaken(stored) ? stored.id : readingProgressId(session.idSeed, owner, materialId)
    let data: ReadingProgressData = {
      materialId,
      position: changes.position ?? stored?.position ?? 0,
      percent: Math.max(stored?.percent ?? 0, changes.percent ?? 0),
      secondsSpent: (stored?.secondsSpent ?? 0) + changes.seconds,
      finishedAt: stored?.finishedAt ?? null,
    }
    if (extra)
      data = extra(data)
    writtenSeconds.value = { ...writtenSeconds.value, [materialId]: data.secondsSpent }
    // Ticks counted while the stored row was read wait in a new entry: they stay unsaved.
    const newer = pending.get(materialId)?.seconds ?? 0
    unsavedSeconds.value = { ...unsavedSeconds.value, [materialId]: newer }
    const unchanged = stored && stored.id === id && data.position === stored.position && data.percent === stored.percent
      && data.secondsSpent === stored.secondsSpent && (data.finishedAt ?? null) === (stored.finishedAt ?? null)
    if (unchanged)
      return stored
    const checked = validateRecordData('readingProgress', data)
    if (!checked.ok)
      throw new RecordValidationError(checked.issues)
    lastWrite.set(materialId, Date.now())
    const row = await saveReadingProgress(owner, id, checked.data, Date.now(), stored)
    sync.scheduleSoon()
    return row
  }

  /** Runs writes one after another, so two never read the same stored row. */
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const next = writes.then(task, task)
    writes = next.catch(() => {})
    return next
  }

  /** When a material's waiting changes are due: soon for a new position, later for reading time alone. */
  function dueIn(materialId: string): number {
    const entry = pending.get(materialId)
    const moved = entry?.position !== undefined || entry?.percent !== undefined
    const interval = moved ? POSITION_SAVE_INTERVAL_MS : READING_TIME_SAVE_INTERVAL_MS
    return interval - (Date.now() - (lastWrite.get(materialId) ?? 0))
  }

  function schedule(materialId: string): Promise<void> {
    const wait = dueIn(materialId)
    if (wait <= 0)
      return serial(() => write(materialId)).then(() => {})
    const timer = timers.get(materialId)
    // A position arriving while only reading time waited brings the write forward.
    if (timer && timer.due <= Date.now() + wait)
      return Promise.resolve()
    clearTimeout(timer?.handle)
    const handle = setTimeout(() => {
      timers.delete(materialId)
      void serial(() => write(materialId)).catch(error => console.error('reading progress not saved', error))
    }, wait)
    timers.set(materialId, { handle, due: Date.now() + wait })
    return Promise.resolve()
  }

  /**
   * Remembers where the member is: `position` = index of the first block on screen, `percent` =
   * how far down (0–100). Written at once if the last write is a few seconds old, else shortly;
   * the stored `percent` never goes down (scrolling back keeps the furthest point).
   */
  function savePosition(materialId: string, position: number, percent: number): Promise<void> {
    const entry = pendingFor(materialId)
    entry.position = Math.min(MATERIAL_BODY_MAX, Math.max(0, Math.floor(position)))
    entry.percent = Math.max(entry.percent ?? 0, Math.min(100, Math.max(0, Math.round(percent * 10) / 10)))
    return schedule(materialId)
  }

  /** Adds reading time (seconds the reader was open and visible); written with the next position write, or within half a minute. */
  function addReadingTime(materialId: string, seconds: number): Promise<void> {
    if (!(seconds > 0))
      return Promise.resolve()
    const entry = pendingFor(materialId)
    entry.seconds += Math.round(seconds)
    unsavedSeconds.value = { ...unsavedSeconds.value, [materialId]: entry.seconds }
    return schedule(materialId)
  }

  /** Writes every waiting change now (the reader calls it when it closes or the page hides). */
  async function flush(): Promise<void> {
    await Promise.all([...pending.keys()].map(id => serial(() => write(id))))
  }

  /**
   * Decides with `homeStudyStatus` (the rule the reader's badge and message follow) on the stored
   * rows, and writes the week's check-in when the rule says it counts: `due`, or `markable` when the
   * member tapped 标记已学 (`marked`).
   */
  async function countHomeStudy(materialId: string, progress: ReadingProgressRow | undefined, endReached: boolean): Promise<StudiedOutcome> {
    const owner = memberId()
    const [material, body] = await Promise.all([getMaterial(materialId), getMaterialBody(materialId)])
    if (!material || material.deleted)
      throw new MaterialNotFoundError(materialId)
    const idSeed = session.idSeed
    // Credited weeks are found by what they mean (home study of the material in the week), so a
    // check-in made under the legacy ids still counts after the seed arrives. One whose legacy id
    // another member took never reached the server: with the seed known it no longer counts, and
    // the seeded id (which nobody else can compute) is written instead.
    const checkins = (await listStudyCheckins(owner)).filter(c => idSeed === null || !idTaken(c))
    const today = todayIn()
    const week = weekKey(today)
    const status = homeStudyStatus({
      chars: readingChars(body?.body ?? ''),
      secondsSpent: progress?.secondsSpent ?? 0,
      creditedSeconds: creditedSeconds(checkins, materialId, week),
      endReached,
      countedThisWeek: countedInWeek(checkins, materialId, week),
    })
    if (status.state === 'counted')
      return 'alreadyCounted'
    if (status.state === 'reading')
      return 'tooShort'
    const checkin = homeStudyCheckin({
      memberId: owner,
      idSeed,
      material: { id: material.id, title: material.title },
      today,
      secondsSpent: status.readSeconds,
      checkins,
    })
    if (!checkin)
      return 'alreadyCounted'
    await study.save(checkin.data, checkin.id)
    return 'counted'
  }

  const markFinished = (data: ReadingProgressData): ReadingProgressData => ({ ...data, percent: 100, finishedAt: data.finishedAt ?? Date.now() })

  /**
   * The end was reached (scrolled onto the screen, or 朗读 read the last paragraph): progress becomes
   * 100 % with `finishedAt`, and the week's home-study check-in is written if its reading time is
   * read (once per material per week). `'tooShort'` when the time is not read yet (nothing counted).
   */
  async function finish(materialId: string): Promise<StudiedOutcome> {
    const progress = await serial(() => write(materialId, markFinished))
    return countHomeStudy(materialId, progress, true)
  }

  /** The end was reached before the reading time was read: progress becomes 100 % with `finishedAt`, nothing counted yet. */
  async function reachEnd(materialId: string): Promise<void> {
    await serial(() => write(materialId, markFinished))
  }

  /**
   * 标记已学: counts the material as this week's home study once its reading time is read (a
   * minute, more for a long text: `requiredReadingSeconds`); `'tooShort'` otherwise, nothing
   * written; `'alreadyCounted'` when it already counts this week.
   */
  async function markStudied(materialId: string): Promise<StudiedOutcome> {
    const progress = await serial(() => write(materialId))
    const outcome = await countHomeStudy(materialId, progress, true)
    if (outcome === 'counted')
      await serial(() => write(materialId, data => ({ ...data, finishedAt: data.finishedAt ?? Date.now() })))
    return outcome
  }

  return { waiting, unsavedSeconds, writtenSeconds, savePosition, addReadingTime, flush, reachEnd, finish, markStudied }
})
