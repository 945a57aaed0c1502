/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { DBCore, Middleware } from 'dexie'
import type { EffectScope } from 'vue'
import type { ReadingNoteRow, RecordSyncState, StudyCheckinRow } from '@/app/db/database'
import Dexie from 'dexie'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { PAGE_SIZE } from '@/app/components/app/paging'
import { db, StudyLogDatabase } from '@/app/db/database'
import { readFirstPage, startFirstPage } from '@/app/db/firstPage'
import { countRecords, countRejected, listRecords, newestRecords } from '@/app/db/records'
import { latestCommunity } from '@/app/db/service'
import { saveSession } from '@/app/db/session'
import { listWeekCheckins } from '@/app/db/studyCheckins'
import { NOTE_SEARCH_DEBOUNCE_MS, useReadingNoteList } from '@/app/composables/useReadingNotes'
import { compareByDateThenEdit, compareByEdit } from '@/app/composables/useMemberRecords'
import { useStudyCheckinList, useStudyWeek } from '@/app/composables/useStudyCheckins'
import { useSessionStore } from '@/app/stores/session'
import { useStudyStore } from '@/app/stores/study'
import { weekKey } from '@/domain/week'
import { checkin, readingNote, resetDevice, serviceLog } from './support/device'

const member = { id: '66666666-6666-4666-8666-666666666666', name: '李四', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }
const colleague = '77777777-7777-4777-8777-777777777777'

function checkinRow(i: number, over: Partial<StudyCheckinRow> = {}): StudyCheckinRow {
  // Few dates and few stamps, so many rows share a date and an updatedAt: the tie-breaks matter.
  const date = `2026-11-${String(10 + (i % 7)).padStart(2, '0')}`
  return { ...checkin(`学习 ${i}`, 30, date), id: `c-${String(i).padStart(4, '0')}`, memberId: member.id, week: weekKey(date), updatedAt: 1000 + (i % 5), deleted: false, sync: 'synced', ...over }
}

function noteRow(i: number, over: Partial<ReadingNoteRow> = {}): ReadingNoteRow {
  return { ...readingNote(`笔记 ${i}`, i === 3 ? '最早的心得：初心如磐' : `第${i}篇心得`), id: `n-${String(i).padStart(4, '0')}`, memberId: member.id, updatedAt: 2000 + (i % 4), deleted: false, sync: 'synced', ...over }
}

/** Rows of the member, with tombstones, other members' rows and refusals mixed in. */
function seededCheckins(count: number): StudyCheckinRow[] {
  return Array.from({ length: count }, (_, i) => checkinRow(i, {
    deleted: i % 11 === 0,
    memberId: i % 13 === 0 ? colleague : member.id,
    sync: (['synced', 'pending', 'rejected'] as RecordSyncState[])[i % 3]!,
  }))
}

/** What the lists showed before the indexes: every live row of the member, sorted, then cut. */
function sortedLive<T extends { memberId: string, deleted: boolean }>(rows: T[], compare: (a: T, b: T) => number): T[] {
  return rows.filter(row => row.memberId === member.id && !row.deleted).sort(compare)
}

/**
 * Counts the rows IndexedDB hands Dexie (cursor steps, and values of getAll-like queries), so a test
 * can tell an index read of one page from a walk over every row.
 */
function readCounter(): { middleware: Middleware<DBCore>, reads: () => number, reset: () => void } {
  let reads = 0
  const middleware: Middleware<DBCore> = {
    stack: 'dbcore',
    name: 'countReads',
    create: down => ({
      ...down,
      table: (name) => {
        const table = down.table(name)
        return {
          ...table,
          query: async (request) => {
            const answer = await table.query(request)
            reads += answer.result.length
            return answer
          },
          openCursor: async (request) => {
            const cursor = await table.openCursor(request)
            if (cursor) {
              const start = cursor.start.bind(cursor)
              cursor.start = (onNext) => {
                return start(() => {
                  reads++
                  onNext()
                })
              }
            }
            return cursor
          },
        }
      },
    }),
  }
  return { middleware, reads: () => reads, reset: () => (reads = 0) }
}

let scope: EffectScope

beforeEach(async () => {
  setActivePinia(createPinia())
  await resetDevice()
  await saveSession('token-6', member)
  await useSessionStore().restore()
  scope = effectScope()
})

afterEach(() => {
  scope.stop()
})

describe('index reads give what sorting every row gave', () => {
  it('newestRecords: the same rows in the same order as sorting all live rows and slicing, at every page size', async () => {
    const rows = seededCheckins(120)
    await db.studyCheckins.bulkPut(rows)
    const expected = sortedLive(rows, compareByDateThenEdit)
    for (const limit of [1, 2, 7, 17, 50, expected.length - 1, expected.length, expected.length + 5]) {
      const page = await newestRecords('studyCheckins', member.id, 'date', limit, compareByDateThenEdit)
      expect(page.map(r => r.id), `limit ${limit}`).toEqual(expected.slice(0, limit).map(r => r.id))
    }
    const notes = Array.from({ length: 60 }, (_, i) => noteRow(i, { deleted: i % 9 === 0, memberId: i % 10 === 0 ? colleague : member.id }))
    await db.readingNotes.bulkPut(notes)
    const expectedNotes = sortedLive(notes, compareByEdit)
    for (const limit of [1, 3, 10, 20, expectedNotes.length]) {
      const page = await newestRecords('readingNotes', member.id, 'updatedAt', limit, compareByEdit)
      expect(page.map(r => r.id), `limit ${limit}`).toEqual(expectedNotes.slice(0, limit).map(r => r.id))
    }
  })

  it('lists, counts, the week and the rejected count leave out tombstones and other members\' rows', async () => {
    const rows = seededCheckins(120)
    await db.studyCheckins.bulkPut(rows)
    const live = sortedLive(rows, compareByDateThenEdit)
    expect((await listRecords('studyCheckins', member.id)).map(r => r.id).sort()).toEqual(live.map(r => r.id).sort())
    expect(await countRecords('studyCheckins', member.id)).toBe(live.length)
    const week = live[0]!.week
    expect((await listWeekCheckins(member.id, week)).map(r => r.id).sort()).toEqual(live.filter(r => r.week === week).map(r => r.id).sort())
    expect(await countRejected(member.id)).toBe(live.filter(r => r.sync === 'rejected').length)
    // Refusals in other tables count too; a refused tombstone (a delete the server did not take) does not.
    await db.readingNotes.bulkPut([noteRow(1, { sync: 'rejected' }), noteRow(2, { sync: 'rejected', deleted: true }), noteRow(3, { sync: 'rejected', memberId: colleague })])
    expect(await countRejected(member.id)).toBe(live.filter(r => r.sync === 'rejected').length + 1)
  })

  it('a row that is deleted, brought back or handed over moves in and out of the lists', async () => {
    await db.studyCheckins.bulkPut([checkinRow(1), checkinRow(2)])
    await db.studyCheckins.put({ ...checkinRow(1), deleted: true })
    expect((await listRecords('studyCheckins', member.id)).map(r => r.id)).toEqual(['c-0002'])
    await db.studyCheckins.update('c-0001', { deleted: false })
    expect((await listRecords('studyCheckins', member.id)).map(r => r.id).sort()).toEqual(['c-0001', 'c-0002'])
    await db.studyCheckins.update('c-0002', { memberId: colleague })
    expect((await listRecords('studyCheckins', member.id)).map(r => r.id)).toEqual(['c-0001'])
    // The indexed copy never shows on a row the app reads.
    expect(Object.keys((await db.studyCheckins.get('c-0001'))!)).not.toContain('owner')
    expect(Object.keys((await listRecords('studyCheckins', member.id))[0]!)).not.toContain('owner')
  })

  it('latestCommunity is the community of the member\'s latest live service log', async () => {
    const log = (id: string, community: string, updatedAt: number, over: object = {}) => ({ ...serviceLog(community), id, memberId: member.id, week: '2026-W48', updatedAt, deleted: false, sync: 'synced' as const, ...over })
    await db.serviceLogs.bulkPut([log('s1', '幸福社区', 10), log('s2', '和平社区', 20), log('s3', '删掉的', 30, { deleted: true }), log('s4', '别人的', 40, { memberId: colleague })])
    expect(await latestCommunity(member.id)).toBe('和平社区')
    expect(await latestCommunity(colleague)).toBe('别人的')
    expect(await latestCommunity('nobody')).toBe('')
  })
})

describe('reads stay one page however many rows the phone holds', () => {
  it('the 学习 list and the rejected count read a page and index counts, not every row, after each write', async () => {
    await db.studyCheckins.bulkPut(Array.from({ length: 600 }, (_, i) => checkinRow(i, { updatedAt: 1000 + i })))
    const counter = readCounter()
    db.close()
    db.use(counter.middleware)
    await db.open()
    try {
      counter.reset()
      expect(await countRejected(member.id)).toBe(0)
      expect(counter.reads()).toBe(0)
      const list = scope.run(() => useStudyCheckinList())!
      await vi.waitFor(() => expect(list.rows.value).toHaveLength(PAGE_SIZE))
      // A page and the rows tied with its last one; walking the table would read all 600.
      const opened = counter.reads()
      expect(opened).toBeLessThanOrEqual(PAGE_SIZE * 2)
      await useStudyStore().save(checkin('新的一次学习', 30, '2026-12-01'))
      await vi.waitFor(() => expect(list.rows.value[0]!.topic).toBe('新的一次学习'))
      // The save's own reads and the page read again (a write may wake the query more than once).
      expect(counter.reads() - opened).toBeLessThanOrEqual(PAGE_SIZE * 4)
    }
    finally {
      db.close()
      db.unuse({ stack: 'dbcore', name: 'countReads' })
      await db.open()
    }
  })
})

describe('the first page read at start (db/firstPage.ts)', () => {
  it('is the list\'s first page and count, read in one transaction, and the list starts from it', async () => {
    const rows = seededCheckins(130)
    await db.studyCheckins.bulkPut(rows)
    const notes = Array.from({ length: 70 }, (_, i) => noteRow(i, { updatedAt: 2000 + i }))
    await db.readingNotes.bulkPut(notes)
    const expected = sortedLive(rows, compareByDateThenEdit)
    const early = await readFirstPage('studyCheckins', PAGE_SIZE)
    expect(early?.memberId).toBe(member.id)
    expect(early?.rows.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE).map(r => r.id))
    expect(early?.total).toBe(expected.length)
    const earlyNotes = await readFirstPage('readingNotes', PAGE_SIZE)
    expect(earlyNotes?.rows.map(r => r.id)).toEqual(sortedLive(notes, compareByEdit).slice(0, PAGE_SIZE).map(r => r.id))
    expect(earlyNotes?.total).toBe(70)

    // Taken by the list: its rows are there while the live query's first answer is still held back.
    startFirstPage('studyCheckins', PAGE_SIZE)
    await new Promise(resolve => setTimeout(resolve, 0))
    const list = scope.run(() => useStudyCheckinList())!
    await vi.waitFor(() => expect(list.rows.value.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE).map(r => r.id)))
    expect(list.total.value).toBe(expected.length)
    // Then it follows the live query like any list.
    const id = await useStudyStore().save(checkin('今天的学习', 30, '2026-12-01'))
    await vi.waitFor(() => expect(list.rows.value[0]!.id).toBe(id))
    expect(list.total.value).toBe(expected.length + 1)
  })

  it('is nothing without a signed-in member, and another member\'s early page is not shown', async () => {
    await db.studyCheckins.bulkPut(seededCheckins(20))
    await db.session.clear()
    expect(await readFirstPage('studyCheckins', PAGE_SIZE)).toBeNull()
    await saveSession('token-7', { ...member, id: colleague })
    startFirstPage('studyCheckins', PAGE_SIZE)
    // This device signed in as `member` (beforeEach); the early page was read for the colleague.
    const list = scope.run(() => useStudyCheckinList())!
    await vi.waitFor(() => expect(list.total.value).toBe(sortedLive(seededCheckins(20), compareByDateThenEdit).length))
    expect(list.rows.value.every(r => r.memberId === member.id)).toBe(true)
  })
})

describe('useStudyCheckinList (学习, a page at a time)', () => {
  it('shows the newest page with the total, 加载更多 adds the next, and follows saves and deletes', async () => {
    const rows = Array.from({ length: 130 }, (_, i) => checkinRow(i, { updatedAt: 1000 + i }))
    await db.studyCheckins.bulkPut(rows)
    const expected = sortedLive(rows, compareByDateThenEdit)
    const list = scope.run(() => useStudyCheckinList())!
    await vi.waitFor(() => expect(list.rows.value.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE).map(r => r.id)))
    expect(list.total.value).toBe(130)
    list.more()
    await vi.waitFor(() => expect(list.rows.value.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE * 2).map(r => r.id)))
    list.more()
    await vi.waitFor(() => expect(list.rows.value).toHaveLength(130))

    const study = useStudyStore()
    const id = await study.save(checkin('今天的学习', 30, '2026-12-01'))
    await vi.waitFor(() => expect(list.rows.value[0]!.id).toBe(id))
    expect(list.total.value).toBe(131)
    await study.remove(id)
    await vi.waitFor(() => expect(list.total.value).toBe(130))
    expect(list.rows.value.map(r => r.id)).toEqual(expected.map(r => r.id))
  })

  it('useStudyWeek counts only the week\'s live check-ins of the member', async () => {
    await db.studyCheckins.bulkPut([checkinRow(0), checkinRow(7, { minutes: 45 }), checkinRow(14, { deleted: true }), checkinRow(21, { memberId: colleague })])
    const week = scope.run(() => useStudyWeek(weekKey('2026-11-10')))!
    await vi.waitFor(() => expect(week.value).toEqual({ week: '2026-W46', studied: true, checkins: 2, minutes: 75 }))
  })
})

describe('useReadingNoteList (笔记, a page at a time)', () => {
  it('shows the newest page, searches every note, and a new search starts at its first page', async () => {
    const notes = Array.from({ length: 120 }, (_, i) => noteRow(i, { updatedAt: 2000 + i }))
    await db.readingNotes.bulkPut(notes)
    const expected = sortedLive(notes, compareByEdit)
    const query = ref('')
    const list = scope.run(() => useReadingNoteList(query))!
    await vi.waitFor(() => expect(list.rows.value.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE).map(r => r.id)))
    expect(list.total.value).toBe(120)
    list.more()
    await vi.waitFor(() => expect(list.rows.value).toHaveLength(PAGE_SIZE * 2))

    // Note 3 is among the oldest, far beyond the first page: the search still finds it.
    query.value = '初心'
    await vi.waitFor(() => expect(list.rows.value.map(r => r.title)).toEqual(['笔记 3']))
    expect(list.total.value).toBe(1)
    query.value = '心得'
    await new Promise(resolve => setTimeout(resolve, NOTE_SEARCH_DEBOUNCE_MS + 20))
    await vi.waitFor(() => expect(list.total.value).toBe(120))
    expect(list.rows.value.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE).map(r => r.id))

    query.value = ''
    await nextTick()
    await vi.waitFor(() => expect(list.rows.value.map(r => r.id)).toEqual(expected.slice(0, PAGE_SIZE).map(r => r.id)))
    expect(list.total.value).toBe(120)
  })
})

describe('schema version 4', () => {
  it('the upgrade keeps every stored row and indexes the live ones', async () => {
    const name = `upgrade-${crypto.randomUUID()}`
    const old = new Dexie(name)
    // Version 3 as the app declared it, with rows of a phone that used it.
    old.version(3).stores({
      meta: 'key',
      session: 'key',
      studyCheckins: 'id, memberId, [memberId+date], week, updatedAt',
      outbox: 'key, queuedAt',
      serviceLogs: 'id, memberId, [memberId+date], updatedAt',
      readingNotes: 'id, memberId, updatedAt',
      problems: 'id, memberId, branchId, updatedAt, status',
      drafts: 'key',
      materials: 'id, memberId, publishedAt, updatedAt',
      materialBodies: 'id, [id+updatedAt]',
      readingProgress: 'id, materialId, memberId, updatedAt',
    })
    const checkins = seededCheckins(40)
    const notes = [noteRow(1), noteRow(2, { deleted: true, sync: 'pending' }), noteRow(3, { sync: 'rejected' })]
    await old.table('studyCheckins').bulkPut(checkins)
    await old.table('readingNotes').bulkPut(notes)
    await old.table('outbox').put({ key: 'readingNotes:n-0002', table: 'readingNotes', id: 'n-0002', version: 1, queuedAt: 5 })
    await old.table('meta').put({ key: 'cursor', value: 42 })
    old.close()

    const upgraded = new StudyLogDatabase(name)
    try {
      await upgraded.open()
      // Through version 5 too, which adds sessions and pulls again (sessions.test.ts), and 6.
      expect(upgraded.verno).toBe(6)
      const keptCheckins = await upgraded.studyCheckins.toArray()
      expect(keptCheckins.sort((a, b) => a.id.localeCompare(b.id))).toEqual(checkins)
      expect(await upgraded.readingNotes.toArray()).toEqual(notes)
      expect(await upgraded.outbox.count()).toBe(1)
      expect((await upgraded.meta.get('cursor'))?.value).toBeNull()
      const live = sortedLive(checkins, compareByDateThenEdit)
      expect(await upgraded.studyCheckins.where('owner').equals(member.id).count()).toBe(live.length)
      expect(await upgraded.studyCheckins.where('[owner+sync]').equals([member.id, 'rejected']).count()).toBe(live.filter(r => r.sync === 'rejected').length)
      expect((await upgraded.readingNotes.where('owner').equals(member.id).primaryKeys()).sort()).toEqual(['n-0001', 'n-0003'])
    }
    finally {
      upgraded.close()
      await Dexie.delete(name)
    }
  })
})

describe('schema version 6', () => {
  it('drops the check-in and service-log indexes no query reads, keeping every row, the outbox and the cursor', async () => {
    const name = `upgrade-${crypto.randomUUID()}`
    const old = new Dexie(name)
    // Version 5 as the app declared it.
    old.version(5).stores({
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
      sessions: 'id, memberId, date, code, updatedAt, owner, [owner+sync]',
    })
    const checkins = seededCheckins(40)
    await old.table('studyCheckins').bulkPut(checkins.map(row => row.deleted ? row : { ...row, owner: row.memberId }))
    await old.table('outbox').put({ key: `studyCheckins:${checkins[0]!.id}`, table: 'studyCheckins', id: checkins[0]!.id, version: 2, queuedAt: 5 })
    await old.table('meta').put({ key: 'cursor', value: '42' })
    old.close()

    const upgraded = new StudyLogDatabase(name)
    try {
      await upgraded.open()
      expect(upgraded.verno).toBe(6)
      expect((await upgraded.studyCheckins.toArray()).sort((a, b) => a.id.localeCompare(b.id))).toEqual(checkins)
      expect(await upgraded.outbox.toArray()).toEqual([{ key: `studyCheckins:${checkins[0]!.id}`, table: 'studyCheckins', id: checkins[0]!.id, version: 2, queuedAt: 5 }])
      // Nothing was dropped that a pull must bring again.
      expect((await upgraded.meta.get('cursor'))?.value).toBe('42')
      const indexes = (table: 'studyCheckins' | 'serviceLogs') => upgraded.table(table).schema.indexes.map(index => index.name).sort()
      expect(indexes('studyCheckins')).toEqual(['[owner+date+updatedAt]', '[owner+sync]', '[owner+week]', 'memberId', 'owner'])
      expect(indexes('serviceLogs')).toEqual(['[owner+date+updatedAt]', '[owner+sync]', '[owner+updatedAt]', 'memberId', 'owner'])
      // The lists read as before.
      const live = sortedLive(checkins, compareByDateThenEdit)
      expect(await upgraded.studyCheckins.where('owner').equals(member.id).count()).toBe(live.length)
      const week = live[0]!.week
      expect(await upgraded.studyCheckins.where('[owner+week]').equals([member.id, week]).count()).toBe(live.filter(row => row.week === week).length)
    }
    finally {
      upgraded.close()
      await Dexie.delete(name)
    }
  })
})
