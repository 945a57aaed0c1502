import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { isChunkLoadError, memberPageLoaders } from '@/app/router/offline'

const page = { render: () => null }

describe('the member pages fetched ahead for browsers without a service worker', () => {
  it('are the lazy pages of signed-in, non-secretary routes, each loader once; the entry page and secretary and guest pages are left', () => {
    const study = () => Promise.resolve(page)
    const notes = () => Promise.resolve(page)
    const branch = () => Promise.resolve(page)
    const join = () => Promise.resolve(page)
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/study', component: page, meta: { signedIn: true } },
        { path: '/study/new', component: study, meta: { signedIn: true } },
        { path: '/study/:id', component: study, meta: { signedIn: true } },
        { path: '/notes', component: notes, meta: { signedIn: true } },
        { path: '/branch', component: branch, meta: { signedIn: true, secretary: true } },
        { path: '/join', component: join, meta: { guest: true } },
      ],
    })
    const loaders = memberPageLoaders(router.getRoutes())
    expect(loaders).toHaveLength(2)
    expect(new Set(loaders)).toEqual(new Set([study, notes]))
  })

  it('tell a chunk that cannot be fetched from other navigation errors', () => {
    expect(isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: http://x/assets/NotesPage-1.js'))).toBe(true)
    expect(isChunkLoadError(new Error('Unable to preload CSS for /assets/AppConfirmDialog-1.css'))).toBe(true)
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true)
    expect(isChunkLoadError(new Error('Cannot read properties of undefined'))).toBe(false)
  })
})
