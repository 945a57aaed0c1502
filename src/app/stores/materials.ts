import type { MaterialData } from '@/domain/records'
import { defineStore, storeToRefs } from 'pinia'
import { toRaw } from 'vue'
import { getMaterial, removeMaterial, saveMaterial } from '@/app/db/materials'
import { randomUuid } from '@/app/db/meta'
import { validateRecordData } from '@/domain/records'
import { useMaterialDownloadsStore } from './materialDownloads'
import { NotSignedInError, RecordValidationError } from './recordWriter'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'
import { useSyncStore } from './sync'

export { NotSignedInError, RecordValidationError } from './recordWriter'

/** Thrown when a member who is not the branch secretary tries to publish or unpublish a material. */
export class NotSecretaryError extends Error {
  constructor() {
    super('Only the branch secretary can publish study materials')
    this.name = 'NotSecretaryError'
  }
}

/** What 发布 takes: a material's fields; `publishedAt` defaults to now for a new one. */
export type MaterialInput = Omit<MaterialData, 'publishedAt'> & { publishedAt?: number }

/**
 * The branch's study materials: the secretary publishes, edits and unpublishes them (written on
 * the phone first and synced like every record); every member's phone downloads their texts after
 * a pull (`downloads`). Read them with `useMaterials` / `useMaterial`.
 */
export const useMaterialsStore = defineStore('materials', () => {
  const session = useSessionStore()
  const settings = useSettingsStore()
  const sync = useSyncStore()
  /** Download state by material id: `{ state: 'waiting'|'downloading'|'downloaded'|'failed', received, total }`. */
  const { downloads } = storeToRefs(useMaterialDownloadsStore())

  function secretaryId(): string {
    const member = session.member
    if (!member)
      throw new NotSignedInError()
    if (member.role !== 'secretary')
      throw new NotSecretaryError()
    return member.id
  }

  /**
   * Publishes a new material (no `id`) or saves an edit, checked against the domain schema (throws
   * `RecordValidationError` with `data.<field>` paths; `NotSecretaryError` for a member). An empty
   * 学习截止日期 is stored as none; an edit keeps the first `publishedAt`. The text is kept on the phone at once; the record is queued and
   * pushed shortly. Returns the material's id.
   */
  async function publish(input: MaterialInput, id?: string): Promise<string> {
    const owner = secretaryId()
    const raw = { ...toRaw(input) }
    // An edit keeps the material's place in the list: the publishing time is the first one.
    const previous = id ? await getMaterial(id) : undefined
    const candidate = { ...raw, studyBy: raw.studyBy || null, publishedAt: previous?.publishedAt ?? raw.publishedAt ?? Date.now() }
    const checked = validateRecordData('materials', candidate, settings.locale)
    if (!checked.ok)
      throw new RecordValidationError(checked.issues)
    const materialId = id ?? randomUuid()
    await saveMaterial(owner, materialId, checked.data, Date.now(), { authorName: session.member!.name, branchId: session.member!.branchId })
    sync.scheduleSoon()
    return materialId
  }

  /** Unpublishes (撤回) a material: a tombstone plus an outbox entry; its text leaves the phone. */
  async function unpublish(id: string): Promise<void> {
    secretaryId()
    await removeMaterial(id)
    sync.scheduleSoon()
  }

  return { downloads, publish, unpublish }
})
