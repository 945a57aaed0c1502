import type { RouteLocationNormalized } from 'vue-router'

/** Where a navigation may go, given who (if anyone) is signed in on this device. */
export function guardTarget(to: Pick<RouteLocationNormalized, 'meta'>, member: { role: string } | null): string | true {
  if (to.meta.signedIn && !member)
    return '/join'
  if (to.meta.guest && member)
    return '/study'
  if (to.meta.secretary && member?.role !== 'secretary')
    return '/study'
  return true
}
