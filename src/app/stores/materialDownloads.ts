import type { MaterialDownload } from '@/app/sync/materialBodies'
import { defineStore } from 'pinia'
import { reactive } from 'vue'

/**
 * The state of each material text's download on this phone (id → state, bytes received, size), as
 * the sync store's downloads report it. Kept apart from the materials store so sync can write it
 * without a store cycle; read it as `useMaterialsStore().downloads`.
 */
export const useMaterialDownloadsStore = defineStore('materialDownloads', () => {
  /** Download state by material id; a material with no entry has not been tried in this session. */
  const downloads = reactive<Record<string, MaterialDownload>>({})

  /** Records a material's download state. */
  function setDownload(id: string, download: MaterialDownload): void {
    downloads[id] = { ...download }
  }

  /** Forgets every state (sign-out). */
  function clear(): void {
    for (const id of Object.keys(downloads))
      delete downloads[id]
  }

  return { downloads, setDownload, clear }
})
