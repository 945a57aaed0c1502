import type { AttendanceCheckin, AttendanceSession } from '../../../src/domain/sessions'
import { describe, expect, it } from 'vitest'
import { validateRecordData } from '../../../src/domain/records'
import { attendeesBySession, isSessionDay, matchAttendance, SESSION_STUDY_FORMS, sessionLastDay } from '../../../src/domain/sessions'

/** The attendance rule the server's figures and the app share (src/domain/sessions.ts). */

const session = (id: string, date: string, code: string, extra: Partial<AttendanceSession> = {}): AttendanceSession => ({ id, branchId: 'b1', form: 'branch_study', date, code, ...extra })
const checkin = (id: string, memberId: string, date: string, extra: Partial<AttendanceCheckin> = {}): AttendanceCheckin => ({ id, memberId, branchId: 'b1', date, form: 'branch_study', ...extra })

describe('matchAttendance', () => {
  it('by id whatever the date, by code only on the session\'s days, once per member', () => {
    const sessions = [session('s1', '2026-10-14', '111111'), session('s2', '2026-10-20', '222222', { form: 'reading_class', endDate: '2026-10-21' })]
    const match = matchAttendance(sessions, [
      checkin('late', 'a', '2026-10-16', { sessionId: 's1' }),
      checkin('code', 'b', '2026-10-14', { sessionCode: '111111' }),
      checkin('day2', 'a', '2026-10-21', { form: 'reading_class', sessionCode: '222222' }),
      checkin('day1', 'a', '2026-10-20', { form: 'reading_class', sessionCode: '222222' }),
      checkin('after', 'c', '2026-10-22', { sessionCode: '222222' }),
      checkin('before', 'c', '2026-10-13', { sessionCode: '111111' }),
      checkin('deleted', 'd', '2026-10-14', { sessionCode: '111111', deleted: true }),
      checkin('self', 'e', '2026-10-14', { form: 'self_study' }),
    ])
    expect(attendeesBySession(match)).toEqual(new Map([['s1', new Set(['a', 'b'])], ['s2', new Set(['a'])]]))
    expect(match.verdicts.get('after')).toEqual({ kind: 'expired', sessionId: 's2' })
    expect(match.verdicts.get('before')).toEqual({ kind: 'expired', sessionId: 's1' })
    expect(match.verdicts.get('self')).toEqual({ kind: 'none' })
    expect(match.verdicts.has('deleted')).toBe(false)
  })

  it('an id decides alone; another branch\'s session never counts; a shared code goes to one session', () => {
    const sessions = [
      session('s1', '2026-10-14', '111111'),
      session('gone', '2026-10-14', '333333', { deleted: true }),
      session('x1', '2026-10-14', '555555', { branchId: 'b2' }),
      // Two secretaries offline chose the same code for the same day: the check-in's form wins, then the earlier, then the smaller id.
      session('t2', '2026-10-15', '777777', { form: 'seminar' }),
      session('t1', '2026-10-15', '777777', { form: 'branch_study' }),
    ]
    const match = matchAttendance(sessions, [
      checkin('cancelled', 'a', '2026-10-14', { sessionId: 'gone', sessionCode: '111111' }),
      checkin('unknown', 'a', '2026-10-14', { sessionId: '00000000-0000-4000-8000-000000000000', sessionCode: '111111' }),
      checkin('theirs-id', 'a', '2026-10-14', { sessionId: 'x1' }),
      checkin('theirs-code', 'a', '2026-10-14', { sessionCode: '555555' }),
      checkin('mine-from-there', 'y', '2026-10-14', { branchId: 'b2', sessionCode: '111111' }),
      checkin('seminar', 'b', '2026-10-15', { form: 'seminar', sessionCode: '777777' }),
      checkin('study', 'c', '2026-10-15', { sessionCode: '777777' }),
      checkin('other-form', 'd', '2026-10-15', { form: 'exchange', sessionCode: '777777' }),
    ])
    expect(match.verdicts.get('cancelled')).toEqual({ kind: 'cancelled', sessionId: 'gone' })
    expect(match.verdicts.get('unknown')).toEqual({ kind: 'unknownSession' })
    expect(match.verdicts.get('theirs-id')).toEqual({ kind: 'unknownSession' })
    expect(match.verdicts.get('theirs-code')).toEqual({ kind: 'otherBranch' })
    expect(match.verdicts.get('mine-from-there')).toEqual({ kind: 'otherBranch' })
    expect(attendeesBySession(match)).toEqual(new Map([['s1', new Set()], ['x1', new Set()], ['t1', new Set(['c', 'd'])], ['t2', new Set(['b'])]]))
    expect(match.bySession.has('gone')).toBe(false)
  })

  it('knows a session\'s days and which study forms are sessions', () => {
    expect(sessionLastDay({ date: '2026-10-20', endDate: '2026-10-21' })).toBe('2026-10-21')
    expect(sessionLastDay({ date: '2026-10-20', endDate: null })).toBe('2026-10-20')
    expect(isSessionDay({ date: '2026-10-20', endDate: '2026-10-21' }, '2026-10-22')).toBe(false)
    expect(SESSION_STUDY_FORMS).toEqual(['branch_study', 'party_lecture', 'party_day', 'reading_class', 'seminar', 'exchange', 'training'])
  })
})

describe('the sessions schema', () => {
  const valid = { form: 'reading_class', topic: '读书班', date: '2026-10-20', code: '012345' }
  it('takes a session over up to 15 days, ahead of time, and refuses the rest in Chinese', () => {
    expect(validateRecordData('sessions', { ...valid, endDate: '2026-11-03', date: '2027-01-01' }).ok).toBe(false)
    expect(validateRecordData('sessions', { ...valid, date: '2027-01-01' }).ok).toBe(true)
    expect(validateRecordData('sessions', { ...valid, endDate: '2026-11-03' }).ok).toBe(true)
    const bad = validateRecordData('sessions', { ...valid, endDate: '2026-11-04', code: '12 345', form: 'self_study', time: '7:30', materialIds: ['x'], leaves: [{ memberId: 'm', reason: '' }] })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.issues.map(i => i.path).sort()).toEqual(['data.code', 'data.endDate', 'data.form', 'data.leaves.0.memberId', 'data.materialIds.0', 'data.time'])
      expect(bad.issues.find(i => i.path === 'data.endDate')?.message).toBe('结束日期须不早于开始日期，且最多晚 14 天')
    }
    const before = validateRecordData('sessions', { ...valid, endDate: '2026-10-19' }, 'en')
    expect(before.ok === false && before.issues[0]!.message).toBe('The end date must be on or after the start date, at most 14 days later')
  })

  it('takes sessionId and sessionCode on a study check-in, both optional', () => {
    const base = { date: '2026-10-20', form: 'self_study', topic: '学习', minutes: 30 }
    expect(validateRecordData('studyCheckins', base).ok).toBe(true)
    expect(validateRecordData('studyCheckins', { ...base, sessionId: null, sessionCode: '000123' }).ok).toBe(true)
    const bad = validateRecordData('studyCheckins', { ...base, sessionId: 'S1', sessionCode: 123456 })
    expect(bad.ok === false && bad.issues.map(i => [i.path, i.message])).toEqual([['data.sessionId', '活动 ID 必须是小写 UUID'], ['data.sessionCode', '签到码为 6 位数字']])
  })
})

describe('hostile session data', () => {
  it('never throws on a bad date beside an end date, and names the field', () => {
    for (const date of [' 7d0c5a36-4a8f-4b59-9b8a-2f0d8c1e9a11', '2026-02-30', 42, null]) {
      const checked = validateRecordData('sessions', { form: 'seminar', topic: '研讨', date, endDate: '2026-10-21', code: '012345' })
      expect(checked.ok === false && checked.issues.map(i => i.path)).toContain('data.date')
    }
  })
})
