import type { ServiceLogData } from '@/domain/records'
import { defineStore } from 'pinia'
import { computed } from 'vue'
import { useLiveQuery } from '@/app/composables/useLiveQuery'
import { latestCommunity } from '@/app/db/service'
import { recordWriter } from './recordWriter'
import { useSessionStore } from './session'

/** Writes 双报到双服务 service logs; read them with `useServiceLogs`. */
export const useServiceStore = defineStore('service', () => {
  const session = useSessionStore()
  const writer = recordWriter('serviceLogs')
  const latest = useLiveQuery(
    () => session.member ? latestCommunity(session.member.id) : '',
    '',
    () => session.member?.id,
  )

  /** The community of the member's most recently saved service log ('' before the first), live. */
  const lastCommunity = computed(() => latest.value)

  /**
   * Saves a new service log (no `id`) or an edit, checked against the domain schema (throws
   * `RecordValidationError` with `data.<field>` paths); queued for the next push. Returns the id.
   */
  function save(input: ServiceLogData, id?: string): Promise<string> {
    return writer.save(input, id)
  }

  /** Deletes a service log: a tombstone plus an outbox entry. */
  function remove(id: string): Promise<void> {
    return writer.remove(id)
  }

  return { lastCommunity, save, remove }
})
