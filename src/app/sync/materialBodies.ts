/**
 * Material texts come apart from the sync pull (which carries only metadata): after each pull the
 * app downloads every text missing on the phone or older than its material, one at a time with
 * progress, and keeps it in `materialBodies`. A failed or offline download is tried again on the
 * next sync; texts of unpublished materials are dropped.
 */
import type { MaterialBodyResponse } from '@/app/api/client'
import { materialsNeedingBody, pruneMaterialBodies, storeMaterialBody } from '@/app/db/materials'

/** Where a material's text stands on this phone. */
export type MaterialDownloadState = 'waiting' | 'downloading' | 'downloaded' | 'failed'

/** A download's state with bytes received and the size (from `Content-Length`, else the material's `bodyBytes`). */
export interface MaterialDownload {
  state: MaterialDownloadState
  received: number
  total: number
}

/** What fetches a material's text (the API client in the app). */
export interface MaterialBodyTransport {
  materialBody: (id: string, onProgress?: (received: number, total: number | null) => void) => Promise<MaterialBodyResponse>
}

/** Counts of one download round. */
export interface MaterialDownloadSummary {
  downloaded: number
  failed: number
  pruned: number
}

/** Whose texts a download round keeps, and who hears about each state change. */
export interface MaterialDownloadOptions {
  /** The member the texts are kept for; nothing is stored if the device signs out meanwhile. */
  memberId: string
  /** Told each state change of each material (the materials store shows them). */
  onState?: (id: string, download: MaterialDownload) => void
}

/** Whether an error means no network (then the rest waits too) rather than a problem with one material. */
function isOffline(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'network'
}

/**
 * Downloads the texts the phone lacks, newest published first. After a network failure the rest
 * stay `waiting` (the next sync tries again); a material the server no longer has (404) is marked
 * `failed` and tried again after the next pull, which normally brings its tombstone.
 */
export async function downloadMaterialBodies(transport: MaterialBodyTransport, options: MaterialDownloadOptions): Promise<MaterialDownloadSummary> {
  const { memberId, onState } = options
  const summary: MaterialDownloadSummary = { downloaded: 0, failed: 0, pruned: await pruneMaterialBodies() }
  const missing = await materialsNeedingBody()
  for (const material of missing)
    onState?.(material.id, { state: 'waiting', received: 0, total: material.bodyBytes })
  for (const [index, material] of missing.entries()) {
    let total = material.bodyBytes
    let received = 0
    onState?.(material.id, { state: 'downloading', received, total })
    try {
      const answer = await transport.materialBody(material.id, (bytes, length) => {
        received = bytes
        total = length ?? total
        onState?.(material.id, { state: 'downloading', received, total })
      })
      const stored = await storeMaterialBody(memberId, { id: material.id, updatedAt: answer.updatedAt, body: answer.body })
      if (stored) {
        summary.downloaded++
        onState?.(material.id, { state: 'downloaded', received: Math.max(received, total), total: Math.max(received, total) })
      }
    }
    catch (error) {
      summary.failed++
      onState?.(material.id, { state: 'failed', received, total })
      if (isOffline(error)) {
        for (const rest of missing.slice(index + 1))
          onState?.(rest.id, { state: 'waiting', received: 0, total: rest.bodyBytes })
        break
      }
    }
  }
  return summary
}
