import type { StudyCheckinData } from './records'
import { weekKey } from './week'

/**
 * Home study (居家学习): finishing a branch material counts as a study check-in of form
 * `home_study`, once per material per week. Ids are derived from what they stand for, so two
 * phones of one member finishing the same material offline in the same week write ONE row (the
 * server's last-writer-wins merges them) instead of two check-ins.
 *
 * The derivation includes the member's secret `idSeed` (sent by the server only to the member's
 * own devices): memberIds are visible to the whole branch, so ids made of them alone could be
 * pushed first by another member, who would then own them and block the member's own rows. A
 * phone that joined before seeds existed derives the legacy way (`idSeed` null) until it has
 * fetched its seed from `GET /me`; rows made in that window keep their ids, and the app finds
 * them by what they mean (material, week), never by id.
 */

/** Reading time before any material counts (seconds). */
export const HOME_STUDY_MIN_SECONDS = 60
/**
 * The reading pace a long material asks for: half its characters at 300 characters a minute
 * (a tenth of a second per character), so a 3,000-character speech needs 5 minutes. A careful
 * reader reads Chinese at 300–500 characters a minute; half the length leaves room for skimming
 * the parts a member knows, and an elder's slower pace still has the whole text within reach.
 */
export const HOME_STUDY_PACE_CHARS_PER_MINUTE = 300
export const HOME_STUDY_SHARE = 0.5
/** However long the material, 20 minutes of reading is enough for one week's credit. */
export const HOME_STUDY_MAX_SECONDS = 20 * 60
/** No input (touch, scroll, key) for this long stops the reading clock, unless 朗读 is playing. */
export const READING_IDLE_MS = 2 * 60 * 1000

/** The characters a member reads in a text: whitespace does not count; an emoji counts once. */
export function readingChars(text: string): number {
  let count = 0
  for (const char of text) {
    if (!/\s/.test(char))
      count++
  }
  return count
}

/** Seconds of reading a material of `chars` characters needs before it counts: 60 s to 20 min. */
export function requiredReadingSeconds(chars: number): number {
  const paced = Math.ceil(Math.max(0, chars) * HOME_STUDY_SHARE / HOME_STUDY_PACE_CHARS_PER_MINUTE * 60)
  return Math.min(HOME_STUDY_MAX_SECONDS, Math.max(HOME_STUDY_MIN_SECONDS, paced))
}

/**
 * Where a member stands with this week's home study of one material:
 * - `counted`: a home-study check-in for it is dated this week (the badge 本周已学);
 * - `reading`: not enough reading time yet (标记已学 says how long; `remainingSeconds` > 0);
 * - `markable`: enough time, the end not reached: 标记已学 counts it;
 * - `due`: enough time and the end reached (scrolled to, or heard with 朗读): it counts now.
 */
export type HomeStudyState = 'counted' | 'reading' | 'markable' | 'due'

export interface HomeStudyStatusInput {
  /** The material's characters (`readingChars` of its text). */
  chars: number
  /** The member's reading time in the material so far, on every device (`readingProgress.secondsSpent`). */
  secondsSpent: number
  /** Reading time earlier weeks' credits used up (`creditedSeconds`): a new week needs reading again. */
  creditedSeconds: number
  /** The end of the text was on screen, or 朗读 read its last paragraph to the end. */
  endReached: boolean
  /** A live home-study check-in for the material is dated this week. */
  countedThisWeek: boolean
}

export interface HomeStudyStatus {
  state: HomeStudyState
  /** What this week's credit needs (seconds). */
  requiredSeconds: number
  /** Reading time counted towards it so far (seconds). */
  readSeconds: number
  remainingSeconds: number
}

/**
 * The one rule the reader's badge, its message and the check-in it writes follow, so they never
 * disagree: a material counts once its reading time reaches `requiredReadingSeconds` and the end
 * is reached, or on 标记已学 after that time; once counted this week, it stays counted.
 */
export function homeStudyStatus(input: HomeStudyStatusInput): HomeStudyStatus {
  const requiredSeconds = requiredReadingSeconds(input.chars)
  const readSeconds = Math.max(0, Math.floor(input.secondsSpent) - Math.max(0, input.creditedSeconds))
  const remainingSeconds = Math.max(0, requiredSeconds - readSeconds)
  const state: HomeStudyState = input.countedThisWeek
    ? 'counted'
    : remainingSeconds > 0 ? 'reading' : input.endReached ? 'due' : 'markable'
  return { state, requiredSeconds, readSeconds, remainingSeconds }
}

/**
 * Reading time the material's home-study check-ins of weeks before `week` stand for (their
 * minutes): what a new week's credit must read beyond. Deleted check-ins give their time back.
 */
export function creditedSeconds(checkins: readonly (HomeStudyCheckinLike & { minutes?: number })[], materialId: string, week: string): number {
  let seconds = 0
  for (const c of checkins) {
    if (!c.deleted && c.form === 'home_study' && c.materialId === materialId && weekKey(c.date) < week)
      seconds += Math.max(0, c.minutes ?? 0) * 60
  }
  return seconds
}

/** Four 32-bit lanes of a 128-bit hash (cyrb128 by bryc, public domain): fast, well mixed, no crypto API needed. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

/**
 * A lower-case UUID (version 8, RFC 9562 variant) computed from `parts`: the same parts always give
 * the same id, different parts (or the same text split differently) give different ids.
 */
export function stableUuid(...parts: string[]): string {
  // Length prefixes keep ('ab', 'c') and ('a', 'bc') apart.
  const lanes = hash128(parts.map(part => `${part.length}:${part}`).join('|'))
  const hex = lanes.map(lane => lane.toString(16).padStart(8, '0')).join('')
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * The id of a member's reading progress in a material: the same on every device of the member
 * (they share `idSeed`), unguessable to other members. `idSeed` null: the legacy id, guessable by
 * anyone who knows the memberId (only while a phone has not yet learnt its seed).
 */
export function readingProgressId(idSeed: string | null, memberId: string, materialId: string): string {
  return idSeed === null ? stableUuid('readingProgress', memberId, materialId) : stableUuid('readingProgress', idSeed, memberId, materialId)
}

/** The id of the home-study check-in for a material in a week; `idSeed` as for `readingProgressId`. */
export function homeStudyCheckinId(idSeed: string | null, memberId: string, materialId: string, week: string): string {
  return idSeed === null ? stableUuid('homeStudy', memberId, materialId, week) : stableUuid('homeStudy', idSeed, memberId, materialId, week)
}

/** What the rule needs to know of the member's check-ins (rows as the app keeps them). */
export interface HomeStudyCheckinLike {
  id: string
  date: string
  form: string
  materialId?: string | null
  deleted?: boolean
}

export interface HomeStudyInput {
  memberId: string
  /** The member's secret seed, or null while the phone does not know it (legacy ids). */
  idSeed: string | null
  material: { id: string, title: string }
  /** Today in the branch's zone (`YYYY-MM-DD`); the check-in is dated today. */
  today: string
  /** Reading time spent on the material; gives the check-in's minutes. */
  secondsSpent: number
  /** The member's check-ins (tombstones may be included: they do not count). */
  checkins: readonly HomeStudyCheckinLike[]
}

/** Whether a live home-study check-in for the material is dated in `week`. */
export function countedInWeek(checkins: readonly HomeStudyCheckinLike[], materialId: string, week: string): boolean {
  return checkins.some(c => !c.deleted && c.form === 'home_study' && c.materialId === materialId && weekKey(c.date) === week)
}

/** A title cut to the check-in topic's 200 characters, never splitting a surrogate pair. */
function topicOf(title: string): string {
  const trimmed = title.trim()
  if (trimmed.length <= 200)
    return trimmed
  const cut = trimmed.slice(0, 200)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

/**
 * The home-study check-in finishing `material` today creates, or null when a live home-study
 * check-in for it already exists in today's week (a deleted one does not count; a new week counts
 * again). Minutes = reading time rounded up, 1–600; topic = the material's title.
 */
export function homeStudyCheckin(input: HomeStudyInput): { id: string, data: StudyCheckinData } | null {
  const week = weekKey(input.today)
  if (countedInWeek(input.checkins, input.material.id, week))
    return null
  const minutes = Math.min(600, Math.max(1, Math.ceil(Math.max(0, input.secondsSpent) / 60)))
  return {
    id: homeStudyCheckinId(input.idSeed, input.memberId, input.material.id, week),
    data: { date: input.today, form: 'home_study', topic: topicOf(input.material.title), minutes, materialId: input.material.id },
  }
}
