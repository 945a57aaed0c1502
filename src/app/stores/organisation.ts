import type { OrganisationSession } from '@/app/db/organisation'
import type { OrganisationSignInResponse } from '@/domain/organisation'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { configureOrganisationApi, organisationApi } from '@/app/api/organisation'
import { clearOrganisationSession, loadOrganisationSession, saveOrganisationSession } from '@/app/db/organisation'

/**
 * The organisation secretary (组织管理员, issue #14) signed in on this device, apart from the member:
 * its token and name live in `meta` (src/app/db/organisation.ts), so 组织 opens again after a reload,
 * and the 组织 entry on 我的 and 支部 shows only while it is there.
 */
export const useOrganisationStore = defineStore('organisation', () => {
  const session = ref<OrganisationSession | null>(null)
  /** True once `restore()` has read the device (the router waits for it). */
  const restored = ref(false)
  /** Whether this device holds an organisation secretary's sign-in (shows 组织). */
  const signedIn = computed(() => session.value !== null)

  function show(next: OrganisationSession | null): void {
    session.value = next
    configureOrganisationApi(next?.token ?? null)
  }

  /** Reads the sign-in kept on this device; no network needed. */
  async function restore(): Promise<void> {
    show(await loadOrganisationSession() ?? null)
    restored.value = true
  }

  /** Keeps a sign-in the server gave (organisation join or claim, or the first-run setup's). */
  async function adopt(response: OrganisationSignInResponse): Promise<void> {
    const next = { token: response.token, secretary: response.secretary }
    await saveOrganisationSession(next)
    show(next)
    restored.value = true
  }

  /** The organisation's invite code and the secretary's name; rejects with `ApiError` (e.g. `invalid_invite`). */
  async function join(inviteCode: string, name: string): Promise<void> {
    await adopt(await organisationApi.join(inviteCode.trim(), name.trim()))
  }

  /** The admin command's one-time sign-in code. */
  async function claim(code: string): Promise<void> {
    await adopt(await organisationApi.claim(code.trim()))
  }

  /** Forgets the organisation sign-in on this device (the member's session, if any, stays). */
  async function signOut(): Promise<void> {
    await clearOrganisationSession()
    show(null)
  }

  return { session, restored, signedIn, restore, adopt, join, claim, signOut }
})
