/**
 * Bundled by tests/bench/sync.ts (esbuild, IIFE) and added to a page of the built app: queues
 * check-ins through the app's own db/ code (saveStudyCheckin: the row and its outbox entry), so the
 * push bench seeds exactly what the 保存 button stores, whatever shape the tables take next.
 */
import { db } from '@/app/db/database'
import { randomUuid } from '@/app/db/meta'
import { loadSession } from '@/app/db/session'
import { saveStudyCheckin } from '@/app/db/studyCheckins'
import { todayIn } from '@/domain/week'

declare global {
  interface Window { __benchQueueCheckins?: (count: number) => Promise<number> }
}

window.__benchQueueCheckins = async (count: number): Promise<number> => {
  const session = await loadSession()
  if (!session)
    throw new Error('no session in the app\'s database: join first')
  const date = todayIn('Asia/Shanghai')
  const now = Date.now()
  // One transaction for all of them (saveStudyCheckin's own joins it): 5,000 commits would take
  // longer than the push being measured.
  await db.transaction('rw', db.studyCheckins, db.outbox, async () => {
    for (let i = 0; i < count; i++)
      await saveStudyCheckin(session.member.id, randomUuid(), { date, form: 'self_study', topic: `离线学习记录 ${i + 1}`, minutes: 30 }, now + i)
  })
  const queued = await db.outbox.count()
  db.close()
  return queued
}
