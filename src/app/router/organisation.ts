import type { Router, RouteRecordRaw } from 'vue-router'
import { START_LOCATION } from 'vue-router'
import { useOrganisationStore } from '@/app/stores/organisation'
import { useSessionStore } from '@/app/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Needs this device's organisation secretary sign-in (组织管理员, issue #14), not a member. */
    organisation?: boolean
  }
}

/** 组织: the organisation secretary's pages (issue #14), online views of the server like 支部's. */
export const organisationRoutes: RouteRecordRaw[] = [
  { path: '/organisation/join', name: 'organisation-join', component: () => import('@/app/pages/organisation/OrganisationJoinPage.vue') },
  { path: '/organisation', name: 'organisation', component: () => import('@/app/pages/organisation/OrganisationPage.vue'), meta: { organisation: true } },
  { path: '/organisation/grid', name: 'organisation-grid', component: () => import('@/app/pages/organisation/OrganisationGridPage.vue'), meta: { organisation: true } },
  { path: '/organisation/problems', name: 'organisation-problems', component: () => import('@/app/pages/organisation/OrganisationProblemsPage.vue'), meta: { organisation: true } },
  { path: '/organisation/summary', name: 'organisation-summary', component: () => import('@/app/pages/organisation/OrganisationSummaryPage.vue'), meta: { organisation: true } },
  { path: '/organisation/report', name: 'organisation-report', component: () => import('@/app/pages/organisation/OrganisationReportPage.vue'), meta: { organisation: true } },
  { path: '/organisation/records', name: 'organisation-records', component: () => import('@/app/pages/organisation/OrganisationRecordsPage.vue'), meta: { organisation: true } },
]

/**
 * Where a navigation may go given this device's organisation sign-in: 组织 pages need it (else its
 * sign-in page); a phone signed in only as 组织管理员 opens on 组织, not on 加入支部.
 */
export function organisationGuardTarget(to: { meta: { organisation?: boolean, signedIn?: boolean, guest?: boolean }, name?: unknown }, first: boolean, organisation: boolean, member: boolean): string | true {
  if (to.meta.organisation && !organisation)
    return '/organisation/join'
  if (first && organisation && !member && to.name === 'join')
    return '/organisation'
  return true
}

/** Runs after the member guard: reads the organisation sign-in once, then applies `organisationGuardTarget`. */
export function installOrganisationGuard(router: Router): void {
  router.beforeEach(async (to, from) => {
    const organisation = useOrganisationStore()
    if (!organisation.restored)
      await organisation.restore()
    const session = useSessionStore()
    return organisationGuardTarget(to, from === START_LOCATION, organisation.signedIn, Boolean(session.member))
  })
}
