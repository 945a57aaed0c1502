import type { RouteMeta } from 'vue-router'
import { describe, expect, it } from 'vitest'
import { guardTarget } from '@/app/router/guard'

const to = (meta: RouteMeta) => ({ meta })
const member = { role: 'member' }
const secretary = { role: 'secretary' }

describe('guardTarget', () => {
  it('sends a device without a session to 加入支部', () => {
    expect(guardTarget(to({ signedIn: true }), null)).toBe('/join')
    expect(guardTarget(to({ signedIn: true, secretary: true }), null)).toBe('/join')
  })

  it('lets a device without a session join or set up', () => {
    expect(guardTarget(to({ guest: true }), null)).toBe(true)
  })

  it('takes a reopened app with a session straight to 学习', () => {
    expect(guardTarget(to({ guest: true }), member)).toBe('/study')
    expect(guardTarget(to({ signedIn: true }), member)).toBe(true)
  })

  it('keeps the 支部 pages to secretaries', () => {
    expect(guardTarget(to({ signedIn: true, secretary: true }), member)).toBe('/study')
    expect(guardTarget(to({ signedIn: true, secretary: true }), secretary)).toBe(true)
  })
})
