import type { Router } from 'vue-router'

/** Back to the list a form was opened from, or to it afresh on a direct link (no history to go back to). */
export function backTo(router: Router, list: string): void {
  if (router.options.history.state.back === list)
    router.back()
  else
    void router.replace(list)
}
