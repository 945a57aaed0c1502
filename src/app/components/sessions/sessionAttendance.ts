import type { BranchSessionDetailResponse, SessionAbsentee, SessionAttendee, SessionLeave, SessionLeaveEntry } from '@/domain/sessions'

/** The three lists of 出席情况 as the page shows them. */
export interface AttendanceLists {
  attended: SessionAttendee[]
  leaves: SessionLeaveEntry[]
  absent: SessionAbsentee[]
  /** Members of the branch on the session's first day. */
  expected: number
}

/**
 * The server's attendance lists with the phone's 请假 applied: the secretary's own leaves are on the
 * phone at once and reach the server with the session's next push, so until then the server's lists
 * would still show the member absent (or on a withdrawn leave). Who attended is the server's alone:
 * a member who signed in is present whatever the leave says.
 */
export function attendanceLists(detail: BranchSessionDetailResponse, leaves: readonly SessionLeave[]): AttendanceLists {
  const attendedIds = new Set(detail.attended.map(entry => entry.memberId))
  const names = new Map<string, { name: string, retired: boolean }>()
  for (const entry of detail.absent)
    names.set(entry.memberId, { name: entry.name, retired: entry.retired })
  for (const entry of detail.leaves)
    names.set(entry.memberId, { name: entry.name, retired: names.get(entry.memberId)?.retired ?? false })
  const onLeave = leaves.filter(leave => !attendedIds.has(leave.memberId) && names.has(leave.memberId))
  const leaveIds = new Set(onLeave.map(leave => leave.memberId))
  const absent = [...names].filter(([memberId]) => !leaveIds.has(memberId) && !attendedIds.has(memberId)).map(([memberId, { name, retired }]) => ({ memberId, name, retired })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
  return {
    attended: detail.attended,
    leaves: onLeave.map(leave => ({ memberId: leave.memberId, name: names.get(leave.memberId)!.name, reason: leave.reason ?? '' })),
    absent,
    expected: detail.session.expected,
  }
}
