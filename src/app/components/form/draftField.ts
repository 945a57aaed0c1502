import type { WritableComputedRef } from 'vue'
import { computed } from 'vue'

/**
 * One field of a form's draft held by the parent (`v-model="draft"`), as a ref a control can
 * `v-model`: writing it hands the parent a new draft with that field changed.
 */
export function draftField<D extends object, K extends keyof D>(draft: () => D, update: (next: D) => void, key: K): WritableComputedRef<D[K]> {
  return computed({
    get: () => draft()[key],
    set: value => update({ ...draft(), [key]: value }),
  })
}
