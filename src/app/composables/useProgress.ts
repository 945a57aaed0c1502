import type { ComputedRef } from 'vue'
import type { ProgressSummary } from '@/domain/progress'
import { computed } from 'vue'
import { progressSummary } from '@/domain/progress'
import { compareByDateThenEdit, compareByEdit, useMemberRecords } from './useMemberRecords'
import { useToday } from './useToday'

/**
 * The signed-in member's progress, live: this week's, month's and year's check-ins, minutes,
 * service hours and 人次, notes and problems; 连续学习 N 周 (`streak`); and `yearWeeks`, the 52 or
 * 53 weeks of this ISO year marked studied or not.
 */
export function useProgress(): ComputedRef<ProgressSummary> {
  const checkins = useMemberRecords('studyCheckins', compareByDateThenEdit)
  const services = useMemberRecords('serviceLogs', compareByDateThenEdit)
  const notes = useMemberRecords('readingNotes', compareByEdit)
  const problems = useMemberRecords('problems', compareByDateThenEdit)
  const today = useToday()
  return computed(() => progressSummary({
    checkins: checkins.value,
    services: services.value,
    notes: notes.value,
    problems: problems.value,
  }, today.value))
}
