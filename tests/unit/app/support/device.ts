import type { RealServer } from './server'
import type { SyncTransport } from '@/app/sync/engine'
import type { SyncRequest, SyncResponse } from '@/domain/wire'
import type { CreatedBranch } from '@/server/storage'
import { createPinia, setActivePinia } from 'pinia'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { api, configureApi } from '@/app/api/client'
import { db } from '@/app/db/database'
import { saveSession } from '@/app/db/session'
import { joinOverHttp, startRealServer } from './server'

/** Empties the device's database and API settings between tests. */
export async function resetDevice(): Promise<void> {
  configureApi({ baseUrl: '', token: null, locale: 'zh-CN' })
  await Promise.all(db.tables.map(table => table.clear()))
}

/**
 * Registers the hooks of a suite whose device talks to the real server: the server and the branch
 * `branchName` for the whole suite; before each test a fresh Pinia and an emptied device pointed at it.
 */
export function useDeviceOnBranch(branchName: string): { readonly server: RealServer, readonly branch: CreatedBranch } {
  let server: RealServer | undefined
  let branch: CreatedBranch | undefined

  beforeAll(async () => {
    server = await startRealServer()
    branch = await server.storage.createBranch(branchName)
  })

  beforeEach(async () => {
    setActivePinia(createPinia())
    await resetDevice()
    configureApi({ baseUrl: server!.baseUrl })
  })

  afterAll(async () => {
    await server?.close()
  })

  return {
    get server() {
      if (!server)
        throw new Error('the server is not ready: use it inside tests')
      return server
    },
    get branch() {
      if (!branch)
        throw new Error('the branch is not ready: use it inside tests')
      return branch
    },
  }
}

/** Signs this device in as a new member of `inviteCode`'s branch, pointed at the real server. */
export async function signInDevice(server: RealServer, inviteCode: string, name: string) {
  const joined = await joinOverHttp(server.baseUrl, inviteCode, name)
  await saveSession(joined.token, joined.member)
  configureApi({ baseUrl: server.baseUrl, token: joined.token })
  return joined
}

/** The real API client as transport, recording every request and response it carried. */
export function recordingTransport(before?: (request: SyncRequest, index: number) => Promise<void> | void) {
  const requests: SyncRequest[] = []
  const responses: SyncResponse[] = []
  const transport: SyncTransport = {
    async sync(request) {
      const index = requests.length
      requests.push(structuredClone(request))
      await before?.(request, index)
      const response = await api.sync(request)
      responses.push(response)
      return response
    },
  }
  return { transport, requests, responses }
}

/** A valid check-in for `date` (default 2026-11-23, a Monday of 2026-W48). */
export function checkin(topic: string, minutes = 30, date = '2026-11-23') {
  return { date, form: 'branch_study' as const, topic, minutes }
}

/** A valid service log (default 2026-11-23, 2 hours of 走访慰问). */
export function serviceLog(community: string, hours = 2, date = '2026-11-23') {
  return { date, community, activity: 'visit' as const, hours, peopleServed: 12, description: `在${community}走访` }
}

/** A valid reading note. */
export function readingNote(title: string, reflection = '学而时习之，不亦说乎') {
  return { title, source: '第一章', excerpt: '原文', reflection }
}

/** A valid residents' problem (default 2026-11-23). */
export function problem(title: string, community = '幸福社区', date = '2026-11-23') {
  return { date, community, category: 'livelihood' as const, title, detail: '居民反映' }
}
