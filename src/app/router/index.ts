import type { RouteRecordRaw } from 'vue-router'
import { createRouter, createWebHistory } from 'vue-router'
import StudyPage from '@/app/pages/StudyPage.vue'
import { useSessionStore } from '@/app/stores/session'
import { guardTarget } from './guard'

declare module 'vue-router' {
  interface RouteMeta {
    /** Needs a signed-in member; shows the sync bar and the tab bar. */
    signedIn?: boolean
    /** Only for the branch's secretaries. */
    secretary?: boolean
    /** Open only without a session (joining, first-run setup). */
    guest?: boolean
  }
}

// 学习 is the first screen of a signed-in member, so it ships in the entry chunk; every other
// page is fetched when first opened (and precached by the service worker for offline use).
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/study' },
  { path: '/join', name: 'join', component: () => import('@/app/pages/JoinPage.vue'), meta: { guest: true } },
  { path: '/setup', name: 'setup', component: () => import('@/app/pages/SetupPage.vue'), meta: { guest: true } },
  { path: '/study', name: 'study', component: StudyPage, meta: { signedIn: true } },
  { path: '/study/new', name: 'checkin-new', component: () => import('@/app/pages/StudyCheckinPage.vue'), meta: { signedIn: true } },
  { path: '/study/:id', name: 'checkin-edit', component: () => import('@/app/pages/StudyCheckinPage.vue'), props: true, meta: { signedIn: true } },
  { path: '/me', name: 'me', component: () => import('@/app/pages/MePage.vue'), meta: { signedIn: true } },
  { path: '/branch', name: 'branch', component: () => import('@/app/pages/BranchPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/:pathMatch(.*)*', redirect: '/study' },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  // The session lives in IndexedDB: read it before the first decision, so a reopened app goes straight in.
  if (!session.restored)
    await session.restore()
  return guardTarget(to, session.member)
})
