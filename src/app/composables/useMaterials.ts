import type { ComputedRef, Ref } from 'vue'
import type { MaterialRow, ReadingProgressRow, StudyCheckinRow } from '@/app/db/database'
import type { MaterialDownload } from '@/app/sync/materialBodies'
import type { MaterialBlock } from '@/domain/materialText'
import { computed } from 'vue'
import { db } from '@/app/db/database'
import { getMaterial, getMaterialBody, getReadingProgress, listMaterials, readingProgressByMaterial, storedBodyVersions } from '@/app/db/materials'
import { listStudyCheckins } from '@/app/db/studyCheckins'
import { useMaterialDownloadsStore } from '@/app/stores/materialDownloads'
import { useSessionStore } from '@/app/stores/session'
import { countedInWeek } from '@/domain/homeStudy'
import { parseMaterial } from '@/domain/materialText'
import { useLiveQuery } from './useLiveQuery'
import { useCurrentWeek } from './useToday'

/** One row of the 资料 list. */
export interface MaterialListEntry {
  material: MaterialRow
  /** Never opened by the member on any device (no reading progress yet). */
  unread: boolean
  /** Furthest point read, 0–100. */
  percent: number
  /** The end was reached (or 标记已学). */
  finished: boolean
  /** A home-study check-in for it counts this week. */
  studiedThisWeek: boolean
  /** Whether its text is on the phone, or how its download goes. */
  download: MaterialDownload
}

interface MaterialsSnapshot {
  materials: MaterialRow[]
  versions: Map<string, number>
  progress: Map<string, ReadingProgressRow>
  checkins: StudyCheckinRow[]
}

const EMPTY: MaterialsSnapshot = { materials: [], versions: new Map(), progress: new Map(), checkins: [] }

/** A material's download state: its text on the phone is current, else what the last download said, else waiting. */
export function downloadOf(material: MaterialRow, storedVersion: number | undefined, reported: MaterialDownload | undefined): MaterialDownload {
  if (storedVersion === material.updatedAt)
    return { state: 'downloaded', received: material.bodyBytes, total: material.bodyBytes }
  if (reported && reported.state !== 'downloaded')
    return reported
  return { state: 'waiting', received: 0, total: material.bodyBytes }
}

/**
 * The branch's materials on this phone, live from IndexedDB, newest `publishedAt` first, each with
 * the member's reading state and its download state; `storedBytes` is the size of the texts kept
 * on the phone. Works offline; empty while nobody is signed in.
 */
export function useMaterials(): { materials: ComputedRef<MaterialListEntry[]>, storedBytes: ComputedRef<number> } {
  const session = useSessionStore()
  const downloads = useMaterialDownloadsStore()
  const thisWeek = useCurrentWeek()
  const snapshot = useLiveQuery<MaterialsSnapshot>(
    async () => {
      const memberId = session.member?.id
      if (!memberId)
        return EMPTY
      const [materials, versions, progress, checkins] = await Promise.all([
        listMaterials(),
        storedBodyVersions(),
        readingProgressByMaterial(memberId),
        listStudyCheckins(memberId),
      ])
      return { materials, versions, progress, checkins }
    },
    EMPTY,
    () => session.member?.id,
  )
  const materials = computed(() => {
    const { materials: rows, versions, progress, checkins } = snapshot.value
    const week = thisWeek.value
    return rows.map((material): MaterialListEntry => {
      const read = progress.get(material.id)
      return {
        material,
        unread: !read,
        percent: read?.percent ?? 0,
        finished: Boolean(read?.finishedAt),
        studiedThisWeek: countedInWeek(checkins, material.id, week),
        download: downloadOf(material, versions.get(material.id), downloads.downloads[material.id]),
      }
    })
  })
  const storedBytes = computed(() => {
    const { materials: rows, versions } = snapshot.value
    return rows.reduce((sum, row) => versions.has(row.id) ? sum + row.bodyBytes : sum, 0)
  })
  return { materials, storedBytes }
}

/** One material for the reader or the editor, from IndexedDB only (works offline). */
export interface MaterialView {
  /** The material's metadata, or null when it is not on the phone (or unpublished). */
  material: ComputedRef<MaterialRow | null>
  /** Its text on the phone, or null until downloaded. */
  body: ComputedRef<string | null>
  /** The text as headings, paragraphs, quotes and items (what the reader shows and reads aloud). */
  blocks: ComputedRef<MaterialBlock[]>
  /** The member's reading progress in it (this device's or another's, once pulled), or null. */
  progress: ComputedRef<ReadingProgressRow | null>
  /** The member's live check-ins linked to it (every week and form). */
  checkins: ComputedRef<StudyCheckinRow[]>
  /** A home-study check-in for it counts this week. */
  studiedThisWeek: ComputedRef<boolean>
  /** True once the material, its text and progress have been read from IndexedDB (false while loading). */
  loaded: ComputedRef<boolean>
}

interface MaterialState {
  loaded: boolean
  material: MaterialRow | null
  progress: ReadingProgressRow | null
  checkins: StudyCheckinRow[]
}

/**
 * The material `id`, live: metadata, text, blocks, the member's progress and whether it counts
 * this week. The text is read by a query of its own, so progress writes do not re-read or re-parse it.
 */
export function useMaterial(id: Ref<string>): MaterialView {
  const session = useSessionStore()
  const thisWeek = useCurrentWeek()
  const state = useLiveQuery<MaterialState>(
    async () => {
      const memberId = session.member?.id
      const materialId = id.value
      if (!memberId || !materialId)
        return { loaded: true, material: null, progress: null, checkins: [] }
      const [row, progress, checkins] = await Promise.all([
        getMaterial(materialId),
        getReadingProgress(memberId, materialId),
        db.studyCheckins.where('memberId').equals(memberId).filter(c => c.materialId === materialId && !c.deleted).toArray(),
      ])
      return { loaded: true, material: row && !row.deleted ? row : null, progress: progress ?? null, checkins }
    },
    { loaded: false, material: null, progress: null, checkins: [] },
    [id, () => session.member?.id],
  )
  const text = useLiveQuery<{ loaded: boolean, body: string | null }>(
    async () => id.value ? { loaded: true, body: (await getMaterialBody(id.value))?.body ?? null } : { loaded: true, body: null },
    { loaded: false, body: null },
    [id],
  )
  const material = computed(() => state.value.material)
  const progress = computed(() => state.value.progress)
  const body = computed(() => text.value.body)
  const blocks = computed(() => body.value ? parseMaterial(body.value) : [])
  const checkins = computed(() => state.value.checkins)
  const studiedThisWeek = computed(() => countedInWeek(checkins.value, id.value, thisWeek.value))
  const loaded = computed(() => state.value.loaded && text.value.loaded)
  return { material, body, blocks, progress, checkins, studiedThisWeek, loaded }
}
