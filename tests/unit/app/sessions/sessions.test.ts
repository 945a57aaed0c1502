/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { BranchSessionRow, StudyCheckinRow } from '@/app/db/database'
import type { BranchSessionDetailResponse } from '@/domain/sessions'
import Dexie from 'dexie'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { attendanceLists } from '@/app/components/sessions/sessionAttendance'
import { checkinFormOf, judgeSignIn, overlaps, signedInTo } from '@/app/components/sessions/sessionDays'
import { sessionDraft, sessionInput } from '@/app/components/sessions/sessionDraft'
import { codeFromScan, groupedCode, normalizeSessionCode, randomSessionCode, signInLink } from '@/app/components/sessions/signInCode'
import { checkinSessionStatuses } from '@/app/components/study/checkinSession'
import { studyCheckinData, studyCheckinDraft } from '@/app/components/study/studyCheckinDraft'
import { db, outboxKey, StudyLogDatabase } from '@/app/db/database'
import { saveSession } from '@/app/db/session'
import { NotSecretaryError, useBranchSessionsStore } from '@/app/stores/branchSessions'
import { RecordValidationError } from '@/app/stores/recordWriter'
import { useSessionStore } from '@/app/stores/session'
import { DEFAULT_TIME_ZONE, todayIn, weekKey } from '@/domain/week'
import { resetDevice } from '../support/device'

const secretary = { id: '11111111-1111-4111-8111-111111111111', name: '王书记', role: 'secretary' as const, branchId: 'b1', branchName: '第一支部' }
const member = { id: '22222222-2222-4222-8222-222222222222', name: '张三', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }
const otherSecretary = '33333333-3333-4333-8333-333333333333'
const S3 = '44444444-4444-4444-8444-444444444444'

function session(over: Partial<BranchSessionRow> = {}): BranchSessionRow {
  return { id: 's1', memberId: secretary.id, form: 'branch_study', topic: '学习党章', date: '2026-11-23', code: '123456', week: '2026-W48', updatedAt: 1, deleted: false, sync: 'synced', ...over }
}

function checkinRow(over: Partial<StudyCheckinRow> = {}): StudyCheckinRow {
  return { id: 'c1', memberId: member.id, date: '2026-11-23', form: 'branch_study', topic: '学习党章', minutes: 60, week: '2026-W48', updatedAt: 1, deleted: false, sync: 'synced', ...over }
}

describe('签到码 as typed, scanned and shown', () => {
  it('takes six digits, spaced or full-width, and nothing else', () => {
    expect(normalizeSessionCode('123456')).toBe('123456')
    expect(normalizeSessionCode(' 123 456 ')).toBe('123456')
    expect(normalizeSessionCode('１２３４５６')).toBe('123456')
    expect(normalizeSessionCode('123-456')).toBe('123456')
    for (const bad of ['12345', '1234567', 'abcdef', '', '12345６7'])
      expect(normalizeSessionCode(bad), bad).toBeNull()
    expect(groupedCode('123456')).toBe('123 456')
  })

  it('reads the code out of the QR code\'s link, from any origin, or bare digits', () => {
    const link = signInLink('http://192.168.1.5:3000', '012345')
    expect(link).toBe('http://192.168.1.5:3000/study/sign-in?code=012345')
    expect(codeFromScan(link)).toBe('012345')
    expect(codeFromScan('https://other.example/study/sign-in?code=999999')).toBe('999999')
    expect(codeFromScan('654321')).toBe('654321')
    expect(codeFromScan('https://example.com/join?claim=123456')).toBeNull()
    expect(codeFromScan('http://x/study/sign-in?code=12')).toBeNull()
    expect(codeFromScan('not a link')).toBeNull()
  })

  it('makes six digits, leading zeros kept, and skips the biased top of the range', () => {
    const values = [0xFFFF_FFFF, 42]
    const fill = (buffer: Uint32Array) => {
      buffer[0] = values.shift()!
      return buffer
    }
    expect(randomSessionCode(fill)).toBe('000042')
    for (let i = 0; i < 50; i++)
      expect(randomSessionCode()).toMatch(/^\d{6}$/)
  })
})

describe('what the phone can tell about a sign-in', () => {
  it('signs in to the session held today with the code, says a second sign-in is one, an old code expired, an unknown one unknown', () => {
    const twoDays = session({ id: 'read', form: 'reading_class', date: '2026-11-23', endDate: '2026-11-24' })
    const old = session({ id: 'old', date: '2026-10-12' })
    expect(judgeSignIn('2026-11-24', [old, twoDays], [])).toEqual({ kind: 'sign-in', session: twoDays })
    expect(judgeSignIn('2026-11-25', [old, twoDays], [])).toEqual({ kind: 'expired', session: twoDays })
    expect(judgeSignIn('2026-11-25', [old], [])).toEqual({ kind: 'expired', session: old })
    expect(judgeSignIn('2026-11-24', [], [])).toEqual({ kind: 'unknown' })
    expect(judgeSignIn('2026-11-24', [{ ...twoDays, deleted: true }], [])).toEqual({ kind: 'unknown' })
    // Signed in before: by the session's id, or by its code on one of its days.
    expect(judgeSignIn('2026-11-24', [twoDays], [checkinRow({ sessionId: 'read' })]).kind).toBe('already')
    expect(judgeSignIn('2026-11-24', [twoDays], [checkinRow({ sessionCode: '123456', date: '2026-11-23' })]).kind).toBe('already')
    expect(signedInTo(twoDays, [checkinRow({ sessionCode: '123456', date: '2026-11-25' })])).toBe(false)
    expect(signedInTo(twoDays, [checkinRow({ sessionId: 'read', deleted: true })])).toBe(false)
  })

  it('a meeting that is no study form signs in as 支部集中学习; overlaps is by days', () => {
    expect(checkinFormOf('party_congress')).toBe('branch_study')
    expect(checkinFormOf('reading_class')).toBe('reading_class')
    expect(overlaps(session({ date: '2026-11-22', endDate: '2026-11-23' }), '2026-11-23', '2026-11-29')).toBe(true)
    expect(overlaps(session({ date: '2026-11-22' }), '2026-11-23', '2026-11-29')).toBe(false)
  })

  it('the 学习 list names the session a sign-in counts for, or why it counts for none', () => {
    const held = session({ id: 's1', topic: '学习党章', code: '111111' })
    const statuses = checkinSessionStatuses([
      checkinRow({ id: 'by-id', sessionId: 's1' }),
      checkinRow({ id: 'by-code', sessionCode: '111111' }),
      checkinRow({ id: 'late', sessionCode: '111111', date: '2026-11-26' }),
      checkinRow({ id: 'waiting', sessionCode: '999999', sync: 'pending' }),
      checkinRow({ id: 'unmatched', sessionCode: '999999' }),
      checkinRow({ id: 'self', form: 'self_study' }),
    ], [held])
    expect(Object.fromEntries([...statuses].map(([id, status]) => [id, [status.key, status.counted]]))).toEqual({
      'by-id': ['linked', true],
      'by-code': ['linked', true],
      'late': ['expired', false],
      'waiting': ['waiting', false],
      'unmatched': ['unmatched', false],
    })
    expect(statuses.get('by-code')!.params.topic).toBe('学习党章')
  })
})

describe('the forms\' drafts', () => {
  it('新建活动: empty optional fields are none, a one-day end date is none, materials a list', () => {
    const draft = { ...sessionDraft(null, '2026-11-23'), topic: ' 学习党章 ', place: ' ', endDate: '2026-11-23' }
    expect(sessionInput(draft)).toEqual({ form: 'branch_study', topic: '学习党章', date: '2026-11-23', endDate: null, time: null, place: null, host: null, speaker: null, materialIds: [] })
    const edit = sessionDraft(session({ endDate: '2026-11-24', host: '王书记', materialIds: ['m1'] }), '2026-12-01')
    expect(sessionInput(edit)).toMatchObject({ date: '2026-11-23', endDate: '2026-11-24', host: '王书记', materialIds: ['m1'] })
  })

  it('签到 defaults to 个人自学; a session form links the chosen session with its code, another form unlinks', () => {
    const draft = studyCheckinDraft(null, '2026-11-23')
    expect(draft.form).toBe('self_study')
    const filled = { ...draft, topic: '学习党章', minutes: 60 }
    expect(studyCheckinData(filled)).not.toHaveProperty('sessionId')
    const linked = studyCheckinData({ ...filled, form: 'branch_study', sessionId: 's1' }, null, { id: 's1', code: '123456' })
    expect(linked).toMatchObject({ sessionId: 's1', sessionCode: '123456' })
    // A self study cannot be linked, and choosing it unlinks an edited sign-in on the server too.
    expect(studyCheckinData({ ...filled, sessionId: 's1' }, null, { id: 's1', code: '123456' })).not.toHaveProperty('sessionId')
    const signedIn = checkinRow({ sessionId: 's1', sessionCode: '123456' })
    expect(studyCheckinData({ ...studyCheckinDraft(signedIn, '2026-11-23') }, signedIn)).toMatchObject({ sessionId: 's1', sessionCode: '123456' })
    expect(studyCheckinData({ ...studyCheckinDraft(signedIn, '2026-11-23'), form: 'self_study' }, signedIn)).toMatchObject({ sessionId: null, sessionCode: null })
    // A sign-in by a code the phone cannot place yet keeps its code through an edit.
    const byCode = checkinRow({ sessionCode: '654321' })
    expect(studyCheckinData(studyCheckinDraft(byCode, '2026-11-23'), byCode)).toMatchObject({ sessionCode: '654321' })
  })
})

describe('出席情况 with the phone\'s 请假', () => {
  const detail: BranchSessionDetailResponse = {
    session: { ...session(), id: 's1', week: '2026-W48', updatedAt: 1, authorName: '王书记', expected: 4, attended: 1, onLeave: 1, absent: 2, rate: 25, expectedActive: 4, attendedActive: 1, rateActive: 25 },
    attended: [{ memberId: 'a', name: '张三', checkinId: 'c1', date: '2026-11-23', enteredByName: null, retired: false }],
    leaves: [{ memberId: 'b', name: '李四', reason: '出差' }],
    absent: [{ memberId: 'c', name: '王五', retired: false }, { memberId: 'd', name: '赵六', retired: true }],
  }

  it('a leave recorded on the phone moves the member from 缺席 at once; a withdrawn one moves them back', () => {
    expect(attendanceLists(detail, [{ memberId: 'b', reason: '出差' }])).toMatchObject({ expected: 4, leaves: [{ name: '李四' }], absent: [{ name: '王五' }, { name: '赵六' }] })
    const added = attendanceLists(detail, [{ memberId: 'b', reason: '出差' }, { memberId: 'd', reason: '住院' }])
    expect(added.leaves.map(entry => `${entry.name}:${entry.reason}`)).toEqual(['李四:出差', '赵六:住院'])
    expect(added.absent.map(entry => entry.name)).toEqual(['王五'])
    expect(attendanceLists(detail, []).absent.map(entry => entry.name).sort()).toEqual(['李四', '王五', '赵六'].sort())
    // One who signed in is present whatever a leave says.
    expect(attendanceLists(detail, [{ memberId: 'a', reason: '' }]).leaves).toEqual([])
  })
})

describe('sessions on the phone', () => {
  async function signIn(who: typeof secretary | typeof member) {
    setActivePinia(createPinia())
    await saveSession(`token-${who.id}`, who)
    await useSessionStore().restore()
  }

  beforeEach(async () => {
    await resetDevice()
    await signIn(secretary)
  })

  it('a secretary saves a session offline with a 签到码 made on the phone, edits keep it, cancel leaves a tombstone', async () => {
    const sessions = useBranchSessionsStore()
    const today = todayIn(DEFAULT_TIME_ZONE)
    const id = await sessions.save({ form: 'party_lecture', topic: '专题党课', date: today, endDate: null, time: '19:30', place: '会议室', host: null, speaker: '王书记', materialIds: [] })
    const row = (await db.sessions.get(id))!
    expect(row).toMatchObject({ form: 'party_lecture', topic: '专题党课', date: today, time: '19:30', week: weekKey(today), sync: 'pending', memberId: secretary.id, branchId: 'b1' })
    expect(row.code).toMatch(/^\d{6}$/)
    expect(await db.outbox.get(outboxKey('sessions', id))).toMatchObject({ table: 'sessions', version: 1 })

    await sessions.saveMinutes(id, '一、学习党章')
    await sessions.addLeave(id, member.id, '出差')
    await sessions.save({ form: 'party_lecture', topic: '专题党课（改）', date: today, endDate: null, time: null, place: null, host: null, speaker: null, materialIds: [] }, id)
    expect(await db.sessions.get(id)).toMatchObject({ topic: '专题党课（改）', code: row.code, minutes: '一、学习党章', leaves: [{ memberId: member.id, reason: '出差' }] })
    await sessions.removeLeave(id, member.id)
    expect((await db.sessions.get(id))!.leaves).toEqual([])

    const error = await sessions.save({ form: 'party_lecture', topic: ' ', date: today, endDate: '2000-01-01', time: '25:00', place: null, host: null, speaker: null, materialIds: [] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecordValidationError)
    expect((error as RecordValidationError).issues.map(issue => issue.path).sort()).toEqual(['data.endDate', 'data.time', 'data.topic'])

    await sessions.cancel(id)
    expect(await db.sessions.get(id)).toMatchObject({ deleted: true, sync: 'pending' })
    expect((await db.outbox.get(outboxKey('sessions', id)))!.version).toBeGreaterThan(1)
  })

  it('another secretary\'s session keeps its owner when edited; a member may not write sessions', async () => {
    await db.sessions.put(session({ id: 's2', memberId: otherSecretary, date: todayIn(DEFAULT_TIME_ZONE) }))
    await useBranchSessionsStore().saveMinutes('s2', '记录')
    expect(await db.sessions.get('s2')).toMatchObject({ memberId: otherSecretary, minutes: '记录', sync: 'pending' })

    await signIn(member)
    await expect(useBranchSessionsStore().cancel('s2')).rejects.toBeInstanceOf(NotSecretaryError)
  })

  it('a member signs in by code: linked when the phone has the session, the code alone when not, refused when expired', async () => {
    const today = todayIn(DEFAULT_TIME_ZONE)
    await db.sessions.bulkPut([session({ id: S3, form: 'party_congress', topic: '党员大会', date: today, code: '246810' }), session({ id: 's4', date: '2026-01-05', code: '135790' })])
    await signIn(member)
    const sessions = useBranchSessionsStore()

    const known = await sessions.judge('246810')
    expect(known.kind).toBe('sign-in')
    const id = await sessions.signIn('246810', known.kind === 'sign-in' ? known.session : null, '')
    expect(await db.studyCheckins.get(id)).toMatchObject({ date: today, form: 'branch_study', topic: '党员大会', sessionId: S3, sessionCode: '246810', memberId: member.id, sync: 'pending' })
    expect((await sessions.judge('246810')).kind).toBe('already')

    expect((await sessions.judge('135790')).kind).toBe('expired')
    expect((await sessions.judge('000000')).kind).toBe('unknown')
    const unknown = await sessions.signIn('000000', null, '活动签到（签到码 000000）')
    const row = (await db.studyCheckins.get(unknown))!
    expect(row).toMatchObject({ date: today, form: 'branch_study', topic: '活动签到（签到码 000000）', sessionCode: '000000' })
    expect(row.sessionId).toBeUndefined()
  })
})

describe('schema version 5', () => {
  it('adds sessions, keeps every stored row, and pulls again (an older app dropped sessions and check-ins\' session fields)', async () => {
    const name = `upgrade-${crypto.randomUUID()}`
    const old = new Dexie(name)
    old.version(4).stores({
      meta: 'key',
      session: 'key',
      outbox: 'key, queuedAt',
      drafts: 'key',
      materialBodies: 'id, [id+updatedAt]',
      studyCheckins: 'id, memberId, [memberId+date], week, updatedAt, owner, [owner+sync], [owner+date+updatedAt], [owner+week]',
      serviceLogs: 'id, memberId, [memberId+date], updatedAt, owner, [owner+sync], [owner+date+updatedAt], [owner+updatedAt]',
      readingNotes: 'id, memberId, updatedAt, owner, [owner+sync], [owner+updatedAt]',
      problems: 'id, memberId, branchId, updatedAt, status, owner, [owner+sync], [owner+date+updatedAt]',
      materials: 'id, memberId, publishedAt, updatedAt, owner, [owner+sync]',
      readingProgress: 'id, materialId, memberId, updatedAt, owner, [owner+sync]',
    })
    const rows = [checkinRow({ id: 'c1' }), checkinRow({ id: 'c2', sync: 'pending' }), checkinRow({ id: 'c3', deleted: true })]
    await old.table('studyCheckins').bulkPut(rows.map(row => row.deleted ? row : { ...row, owner: row.memberId }))
    await old.table('outbox').put({ key: 'studyCheckins:c2', table: 'studyCheckins', id: 'c2', version: 1, queuedAt: 5 })
    await old.table('meta').put({ key: 'cursor', value: '42' })
    old.close()

    const upgraded = new StudyLogDatabase(name)
    try {
      await upgraded.open()
      // Through version 6 too (record-lists.test.ts).
      expect(upgraded.verno).toBe(6)
      expect((await upgraded.studyCheckins.toArray()).sort((a, b) => a.id.localeCompare(b.id))).toEqual(rows)
      expect(await upgraded.studyCheckins.where('owner').equals(member.id).count()).toBe(2)
      expect(await upgraded.outbox.count()).toBe(1)
      expect((await upgraded.meta.get('cursor'))?.value).toBeNull()
      await upgraded.sessions.put(session())
      expect(await upgraded.sessions.where('code').equals('123456').count()).toBe(1)
      expect(await upgraded.sessions.where('owner').equals(secretary.id).count()).toBe(1)
    }
    finally {
      upgraded.close()
      await Dexie.delete(name)
    }
  })
})
