/* eslint-disable perfectionist/sort-imports -- fake IndexedDB must exist before Dexie loads */
import 'fake-indexeddb/auto'
import type { EffectScope } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { saveRecord } from '@/app/db/records'
import { saveSession } from '@/app/db/session'
import { useMyProblems } from '@/app/composables/useMyProblems'
import { useProgress } from '@/app/composables/useProgress'
import { NOTE_SEARCH_DEBOUNCE_MS, useReadingNotes } from '@/app/composables/useReadingNotes'
import { useServiceLogs, useServiceYear } from '@/app/composables/useServiceLogs'
import { useNotesStore } from '@/app/stores/notes'
import { useProblemsStore } from '@/app/stores/problems'
import { useServiceStore } from '@/app/stores/service'
import { useSessionStore } from '@/app/stores/session'
import { useStudyStore } from '@/app/stores/study'
import { currentWeek, shiftWeek, todayIn, weekRange } from '@/domain/week'
import { checkin, problem, readingNote, resetDevice, serviceLog } from './support/device'

const member = { id: '88888888-8888-4888-8888-888888888888', name: '张三', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }
const colleague = '99999999-9999-4999-8999-999999999999'

let scope: EffectScope

beforeEach(async () => {
  setActivePinia(createPinia())
  await resetDevice()
  await saveSession('token-8', member)
  await useSessionStore().restore()
  scope = effectScope()
})

afterEach(() => {
  scope.stop()
})

describe('useServiceLogs and useServiceYear', () => {
  it('groups the member\'s logs by month, newest first, with hours and 人次, and follows edits', async () => {
    const { logs, months } = scope.run(() => useServiceLogs())!
    const year2026 = scope.run(() => useServiceYear(2026))!
    const service = useServiceStore()
    await service.save(serviceLog('幸福社区', 2, '2026-11-03'))
    const late = await service.save(serviceLog('和平社区', 1.5, '2026-11-20'))
    await service.save(serviceLog('幸福社区', 3, '2026-10-08'))
    await service.save(serviceLog('去年的', 4, '2025-12-31'))
    await saveRecord('serviceLogs', colleague, crypto.randomUUID(), serviceLog('别人的', 8, '2026-11-05'))
    await vi.waitFor(() => expect(months.value.map(m => [m.month, m.hours, m.count])).toEqual([['2026-11', 3.5, 2], ['2026-10', 3, 1], ['2025-12', 4, 1]]))
    expect(months.value[0]!.logs.map(l => l.community)).toEqual(['和平社区', '幸福社区'])
    expect(logs.value).toHaveLength(4)
    expect(year2026.value).toEqual({ hours: 6.5, count: 3 })

    await service.remove(late)
    await vi.waitFor(() => expect(months.value[0]).toMatchObject({ month: '2026-11', hours: 2, count: 1 }))
    expect(year2026.value).toEqual({ hours: 5, count: 2 })
  })
})

describe('useReadingNotes', () => {
  it('finds notes by a word of the title, source, excerpt or reflection, ignoring case, and follows new notes', async () => {
    const query = ref('')
    const { notes } = scope.run(() => useReadingNotes(query))!
    const store = useNotesStore()
    await store.save(readingNote('《实践论》', '实践出真知，Practice makes perfect'))
    await store.save({ title: '《矛盾论》', source: '毛泽东选集第一卷', reflection: '抓主要矛盾' })
    await store.save({ title: '党章', excerpt: '为人民服务', reflection: '牢记宗旨' })
    await saveRecord('readingNotes', colleague, crypto.randomUUID(), readingNote('别人的实践笔记'))
    await vi.waitFor(() => expect(notes.value).toHaveLength(3))

    query.value = '真知'
    await vi.waitFor(() => expect(notes.value.map(n => n.title)).toEqual(['《实践论》']))
    query.value = 'PRACTICE'
    await vi.waitFor(() => expect(notes.value.map(n => n.title)).toEqual(['《实践论》']))
    query.value = '选集'
    await vi.waitFor(() => expect(notes.value.map(n => n.title)).toEqual(['《矛盾论》']))
    query.value = '人民'
    await vi.waitFor(() => expect(notes.value.map(n => n.title)).toEqual(['党章']))
    query.value = '没有这个词'
    await vi.waitFor(() => expect(notes.value).toEqual([]))

    await store.save(readingNote('新笔记', '也提到了没有这个词'))
    await vi.waitFor(() => expect(notes.value.map(n => n.title)).toEqual(['新笔记']))
    query.value = '  '
    await nextTick()
    // Clearing the box shows everything again without waiting.
    expect(notes.value.map(n => n.title).sort()).toEqual(['《实践论》', '《矛盾论》', '党章', '新笔记'])
  })

  it('filters once typing pauses, not on every keystroke', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const query = ref('')
      const { notes } = scope.run(() => useReadingNotes(query))!
      await useNotesStore().save(readingNote('《论持久战》', '持久'))
      await useNotesStore().save(readingNote('《实践论》', '实践'))
      await vi.waitFor(() => expect(notes.value).toHaveLength(2))
      query.value = '持'
      await nextTick()
      query.value = '持久'
      await nextTick()
      expect(notes.value).toHaveLength(2)
      vi.advanceTimersByTime(NOTE_SEARCH_DEBOUNCE_MS)
      expect(notes.value.map(n => n.title)).toEqual(['《论持久战》'])
    }
    finally {
      vi.useRealTimers()
    }
  })
})

describe('useMyProblems', () => {
  it('lists only the member\'s own problems, newest first, with their status', async () => {
    const { problems } = scope.run(() => useMyProblems())!
    const store = useProblemsStore()
    await store.save(problem('较早的问题', '幸福社区', '2026-11-02'))
    await store.save(problem('较新的问题', '幸福社区', '2026-11-20'))
    await saveRecord('problems', colleague, crypto.randomUUID(), problem('同事的问题'))
    await vi.waitFor(() => expect(problems.value.map(p => [p.title, p.status])).toEqual([['较新的问题', 'open'], ['较早的问题', 'open']]))
  })
})

describe('useProgress', () => {
  it('counts this week, month and year, the streak and the year strip, live', async () => {
    const progress = scope.run(() => useProgress())!
    const today = todayIn()
    const thisWeek = currentWeek()
    const lastWeekDay = weekRange(shiftWeek(thisWeek, -1)).start
    await vi.waitFor(() => expect(progress.value.week.checkins).toBe(0))
    expect(progress.value.streak).toBe(0)
    expect(progress.value.yearWeeks.length === 52 || progress.value.yearWeeks.length === 53).toBe(true)

    await useStudyStore().save(checkin('上周学习', 30, lastWeekDay))
    await vi.waitFor(() => expect(progress.value.streak).toBe(1))
    await useStudyStore().save(checkin('今天学习', 45, today))
    await useServiceStore().save(serviceLog('幸福社区', 2, today))
    await useNotesStore().save(readingNote('今天的笔记'))
    await useProblemsStore().save(problem('今天的问题', '幸福社区', today))
    await saveRecord('problems', colleague, crypto.randomUUID(), problem('同事的问题', '幸福社区', today))
    await vi.waitFor(() => expect(progress.value.week).toEqual({ checkins: 1, minutes: 45, serviceHours: 2, serviceCount: 1, notes: 1, problems: 1 }))
    expect(progress.value.streak).toBe(2)
    expect(progress.value.yearWeeks.find(cell => cell.week === thisWeek)?.studied).toBe(true)
    expect(progress.value.year.checkins).toBe(lastWeekDay.slice(0, 4) === today.slice(0, 4) ? 2 : 1)
    expect(progress.value.today).toBe(today)
  })
})
