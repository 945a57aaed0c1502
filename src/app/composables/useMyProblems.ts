import type { Ref } from 'vue'
import type { ProblemRow } from '@/app/db/database'
import { compareByDateThenEdit, useMemberRecords } from './useMemberRecords'

/**
 * The problems the signed-in member reported, newest date first, each with its `status`
 * (open 待解决, in_progress 推进中, solved 已解决), live. Other members' problems are left out.
 */
export function useMyProblems(): { problems: Readonly<Ref<ProblemRow[]>> } {
  return { problems: useMemberRecords('problems', compareByDateThenEdit) }
}
