import type { ComputedRef, MaybeRefOrGetter, Ref } from 'vue'
import type { ServiceLogRow } from '@/app/db/database'
import type { ServiceMonth, ServiceTotals } from '@/domain/progress'
import { computed, toValue } from 'vue'
import { serviceMonths, serviceTotals } from '@/domain/progress'
import { compareByDateThenEdit, useMemberRecords } from './useMemberRecords'

/** One month of the member's service logs: `{ month: 'YYYY-MM', hours, count (人次), logs }`. */
export type ServiceLogMonth = ServiceMonth<ServiceLogRow>

/**
 * The signed-in member's service logs, live: `logs` newest date first, and `months` newest month
 * first, each with its hours and 人次 and its logs.
 */
export function useServiceLogs(): { logs: Readonly<Ref<ServiceLogRow[]>>, months: ComputedRef<ServiceLogMonth[]> } {
  const logs = useMemberRecords('serviceLogs', compareByDateThenEdit)
  const months = computed(() => serviceMonths(logs.value))
  return { logs, months }
}

/** The member's service in a calendar year (e.g. 2026): `{ hours, count }` (count = 人次), live. */
export function useServiceYear(year: MaybeRefOrGetter<number | string>): ComputedRef<ServiceTotals> {
  const { logs } = useServiceLogs()
  return computed(() => {
    const prefix = `${toValue(year)}-`
    return serviceTotals(logs.value.filter(log => log.date.startsWith(prefix)))
  })
}
