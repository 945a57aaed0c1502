import { describe, expect, it } from 'vitest'
import { groupCheckinsByWeek } from '@/app/components/study/checkinWeeks'

describe('groupCheckinsByWeek', () => {
  it('names this week and last week, dates earlier ones, and keeps the list order', () => {
    const rows = [
      { id: 'a', week: '2027-W01' },
      { id: 'b', week: '2027-W01' },
      { id: 'c', week: '2026-W53' },
      { id: 'd', week: '2026-W50' },
    ]
    const groups = groupCheckinsByWeek(rows, '2027-W01')
    expect(groups.map(g => [g.week, g.kind, g.start, g.end, g.checkins.map(c => c.id).join('')])).toEqual([
      ['2027-W01', 'this', '2027-01-04', '2027-01-10', 'ab'],
      ['2026-W53', 'last', '2026-12-28', '2027-01-03', 'c'],
      ['2026-W50', 'earlier', '2026-12-07', '2026-12-13', 'd'],
    ])
  })

  it('gives an empty list no groups', () => {
    expect(groupCheckinsByWeek([], '2026-W48')).toEqual([])
  })
})
