import type { RouteRecordRaw } from 'vue-router'
import { createRouter, createWebHistory, START_LOCATION } from 'vue-router'
import { useSessionStore } from '@/app/stores/session'
import { guardTarget } from './guard'
import { installOrganisationGuard, organisationRoutes } from './organisation'
import { loadSignedInChrome } from './signedInChrome'

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

// Every page is fetched when first opened (and precached by the service worker for offline use),
// 学习 too: a first visit (加入支部) does not download the signed-in pages' code.
const StudyPage = () => import('@/app/pages/StudyPage.vue')

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/study' },
  { path: '/join', name: 'join', component: () => import('@/app/pages/JoinPage.vue'), meta: { guest: true } },
  { path: '/setup', name: 'setup', component: () => import('@/app/pages/SetupPage.vue'), meta: { guest: true } },
  { path: '/study', name: 'study', component: StudyPage, meta: { signedIn: true } },
  { path: '/study/new', name: 'checkin-new', component: () => import('@/app/pages/StudyCheckinPage.vue'), meta: { signedIn: true } },
  { path: '/study/sign-in', name: 'session-sign-in', component: () => import('@/app/pages/SessionSignInPage.vue'), meta: { signedIn: true } },
  { path: '/study/:id', name: 'checkin-edit', component: () => import('@/app/pages/StudyCheckinPage.vue'), props: true, meta: { signedIn: true } },
  { path: '/service', name: 'service', component: () => import('@/app/pages/ServicePage.vue'), meta: { signedIn: true } },
  { path: '/service/new', name: 'service-new', component: () => import('@/app/pages/ServiceLogPage.vue'), meta: { signedIn: true } },
  { path: '/service/:id', name: 'service-edit', component: () => import('@/app/pages/ServiceLogPage.vue'), props: true, meta: { signedIn: true } },
  { path: '/problems/new', name: 'problem-new', component: () => import('@/app/pages/ProblemPage.vue'), meta: { signedIn: true } },
  { path: '/problems/:id', name: 'problem-edit', component: () => import('@/app/pages/ProblemPage.vue'), props: true, meta: { signedIn: true } },
  { path: '/notes', name: 'notes', component: () => import('@/app/pages/NotesPage.vue'), meta: { signedIn: true } },
  // A reopened app lands on the list, not on a half-typed form: the form restores its draft when opened again.
  { path: '/notes/new', name: 'note-new', component: () => import('@/app/pages/ReadingNotePage.vue'), meta: { signedIn: true }, beforeEnter: (_to, from) => from === START_LOCATION ? '/notes' : true },
  { path: '/notes/:id', name: 'note-edit', component: () => import('@/app/pages/ReadingNotePage.vue'), props: true, meta: { signedIn: true } },
  { path: '/materials', name: 'materials', component: () => import('@/app/pages/MaterialsPage.vue'), meta: { signedIn: true } },
  { path: '/materials/:id', name: 'material', component: () => import('@/app/pages/MaterialReaderPage.vue'), props: true, meta: { signedIn: true } },
  { path: '/branch/materials', name: 'branch-materials', component: () => import('@/app/pages/branch/BranchMaterialsPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/materials/new', name: 'branch-material-new', component: () => import('@/app/pages/branch/BranchMaterialPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/materials/:id/edit', name: 'branch-material-edit', component: () => import('@/app/pages/branch/BranchMaterialPage.vue'), props: true, meta: { signedIn: true, secretary: true } },
  { path: '/me', name: 'me', component: () => import('@/app/pages/MePage.vue'), meta: { signedIn: true } },
  { path: '/branch', name: 'branch', component: () => import('@/app/pages/BranchPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/completion', name: 'branch-completion', component: () => import('@/app/pages/branch/BranchCompletionPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/members', name: 'branch-members', component: () => import('@/app/pages/branch/BranchMembersPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/members/:id', name: 'branch-member', component: () => import('@/app/pages/branch/BranchMemberPage.vue'), props: true, meta: { signedIn: true, secretary: true } },
  { path: '/branch/problems', name: 'branch-problems', component: () => import('@/app/pages/branch/BranchProblemsPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/sessions', name: 'branch-sessions', component: () => import('@/app/pages/branch/BranchSessionsPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/sessions/new', name: 'branch-session-new', component: () => import('@/app/pages/branch/BranchSessionFormPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/sessions/:id', name: 'branch-session', component: () => import('@/app/pages/branch/BranchSessionPage.vue'), props: true, meta: { signedIn: true, secretary: true } },
  { path: '/branch/sessions/:id/edit', name: 'branch-session-edit', component: () => import('@/app/pages/branch/BranchSessionFormPage.vue'), props: true, meta: { signedIn: true, secretary: true } },
  { path: '/branch/summary', name: 'branch-summary', component: () => import('@/app/pages/branch/BranchSummaryPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/summary/records', name: 'branch-summary-records', component: () => import('@/app/pages/branch/BranchSummaryRecordsPage.vue'), meta: { signedIn: true, secretary: true } },
  { path: '/branch/report', name: 'branch-report', component: () => import('@/app/pages/branch/BranchReportPage.vue'), meta: { signedIn: true, secretary: true } },
  ...organisationRoutes,
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
  const target = guardTarget(to, session.member)
  // A signed-in page shows with its sync bar and tab bar: their code is in before it renders.
  if (target === true && to.meta.signedIn)
    await loadSignedInChrome()
  return target
})

installOrganisationGuard(router)
