import type { ImportResult } from '@/app/db/backup'
import type { SessionRow } from '@/app/db/database'
import type { parseBackup } from '@/domain/backup'
import type { MemberInfo, SetupRequest, SetupResponse } from '@/domain/wire'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError, configureApi } from '@/app/api/client'
import { deviceApi } from '@/app/api/devices'
import { adoptMergedMember, clearSessionData, loadSession, saveSession } from '@/app/db/session'
import { useSettingsStore } from './settings'

/**
 * Who is signed in on this device. The token and member live in the `session` table, so reopening
 * the app goes straight in, offline too. With them the member's secret `idSeed` (what the member's
 * derived ids are made with): from join or setup, from a backup, or, on a phone that joined before
 * seeds existed, from `GET /me` at start and whenever the phone comes back online until it has it.
 * Until then `idSeed` is null and the reader derives legacy ids (see src/domain/homeStudy.ts).
 */
export const useSessionStore = defineStore('session', () => {
  /** The signed-in member, or null. */
  const member = ref<MemberInfo | null>(null)
  /** Whether the signed-in member is the branch secretary (sees 支部). */
  const isSecretary = computed(() => member.value?.role === 'secretary')
  /** True once `restore()` has read the device's session (the router waits for it). */
  const restored = ref(false)
  /** True when the server answered 401: the token no longer works; sync stops retrying. */
  const revoked = ref(false)
  /** The member's secret id seed, or null while this phone does not know it (legacy derived ids). */
  const idSeed = ref<string | null>(null)

  function show(who: SessionRow['member']): void {
    const { idSeed: seed, ...info } = who
    member.value = info
    idSeed.value = seed ?? null
  }

  /** The member as kept on the device (with the seed saveSession kept, if any). */
  async function showStored(): Promise<void> {
    const stored = await loadSession()
    if (stored)
      show(stored.member)
  }

  async function adopt(response: { token: string, member: SessionRow['member'] }): Promise<void> {
    const previous = await loadSession()
    // Another member's records and outbox must never be pushed under the new token.
    if (!previous || previous.member.id !== response.member.id)
      await clearSessionData()
    await saveSession(response.token, response.member)
    configureApi({ token: response.token })
    await showStored()
    revoked.value = false
  }

  /** Refreshes name/branch/role from the server when it can be reached; a 401 marks the session revoked. */
  async function refresh(): Promise<void> {
    const session = await loadSession()
    if (!session)
      return
    try {
      const { member: fresh } = await api.me()
      const current = await loadSession()
      if (current?.token !== session.token)
        return
      // Another member for the same token: this one was merged into it (合并到…), rows and all.
      if (fresh.id !== session.member.id)
        await adoptMergedMember(session.member.id, fresh)
      else
        await saveSession(session.token, fresh)
      await showStored()
    }
    catch (error) {
      if (error instanceof ApiError && error.status === 401)
        revoked.value = true
    }
  }

  /**
   * A secretary merged this device's member into another (合并到…): the server's `GET /me` says
   * who the token is now, and the device takes that member, with the rows it kept.
   */
  async function followMerge(): Promise<void> {
    const session = await loadSession()
    if (!session)
      return
    const { member: fresh } = await api.me()
    if (fresh.id === session.member.id)
      return
    await adoptMergedMember(session.member.id, fresh)
    await showStored()
  }

  /** Reads the session kept on this device (no network needed), then refreshes it in the background. */
  async function restore(): Promise<void> {
    const session = await loadSession()
    if (session) {
      configureApi({ token: session.token })
      show(session.member)
      void refresh()
      watchForSeed()
    }
    restored.value = true
  }

  let watchingForSeed = false
  /** A phone without its seed that started offline asks `GET /me` again each time it comes online, until it has the seed. */
  function watchForSeed(): void {
    if (watchingForSeed || typeof window === 'undefined')
      return
    watchingForSeed = true
    window.addEventListener('online', () => {
      if (member.value && idSeed.value === null)
        void refresh()
    })
  }

  /** Joins a branch with an invite code; the code decides the role. Returns the member (the seed is in `idSeed`). Rejects with `ApiError` (e.g. `invalid_invite`). */
  async function join(inviteCode: string, name: string): Promise<MemberInfo> {
    const response = await api.join({ inviteCode: inviteCode.trim(), name: name.trim() })
    await adopt(response)
    return { ...member.value! }
  }

  /**
   * A 认领码 or an add-device code (`POST /claim`) signs this phone in as an existing member:
   * no second member. The device starts empty, so the next sync pulls all the member's records.
   */
  async function claim(code: string): Promise<MemberInfo> {
    const response = await deviceApi.claim({ code: code.trim() })
    await adopt(response)
    return { ...member.value! }
  }

  /** Uses the one-time setup code: creates the first branch (and, if named, the organisation above it) and signs in as its secretary. */
  async function setup(code: string, branchName: string, name: string, organisation?: Pick<SetupRequest, 'organisationName' | 'organisationKind'>): Promise<SetupResponse> {
    const response = await api.setup({ code: code.trim(), branchName: branchName.trim(), name: name.trim(), ...organisation })
    await adopt(response)
    return response
  }

  /**
   * Signs out: clears the session and the member's local records, outbox and cursor. Records still
   * waiting to sync are lost, so the UI warns first (see the sync store's `pendingCount`).
   */
  async function signOut(): Promise<void> {
    member.value = null
    idSeed.value = null
    configureApi({ token: null })
    await clearSessionData()
    revoked.value = false
  }

  /**
   * A new phone from a JSON backup: signs in with the login the backup carries and merges its
   * records (pending ones are queued, synced ones are not pushed again). On a device already
   * signed in, only the same member's backup is accepted (`BackupMemberError`); a file that is not
   * a backup or has no login throws `BackupFormatError`.
   */
  async function restoreFromBackup(text: string): Promise<ImportResult> {
    // The backup code (parsing, merging) is fetched only by a phone that restores one.
    const { BackupFormatError, BackupMemberError, noSessionMessage, parseBackup } = await import('@/domain/backup')
    const lang = useSettingsStore().locale
    const backup = parseBackup(text, lang)
    if (!backup.session || backup.session.member.id !== backup.member.id)
      throw new BackupFormatError(noSessionMessage(lang))
    const current = await loadSession()
    if (current && current.member.id !== backup.member.id)
      throw new BackupMemberError(lang)
    const result = await mergeIntoSession(backup)
    void refresh()
    return result
  }

  async function mergeIntoSession(backup: ReturnType<typeof parseBackup>): Promise<ImportResult> {
    const { token, member: who } = backup.session!
    if (!(await loadSession())) {
      // Nothing of anyone else may stay; the records go in before the app (and sync) see the member.
      await clearSessionData()
      await saveSession(token, who)
    }
    const { mergeBackup } = await import('@/app/db/backup')
    const result = await mergeBackup(backup, who.id)
    const current = await loadSession()
    // saveSession keeps a seed the device already had; the backup's fills in one it lacked.
    await adopt({ token: current?.token ?? token, member: { ...who, ...current?.member, idSeed: current?.member.idSeed ?? who.idSeed } })
    return result
  }

  return { member, idSeed, isSecretary, restored, revoked, restore, refresh, followMerge, join, claim, setup, signOut, restoreFromBackup }
})
