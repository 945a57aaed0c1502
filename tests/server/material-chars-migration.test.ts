import { Buffer } from 'node:buffer'
import { expect, it } from 'vitest'
import { materialChars } from '../../src/domain/materialText'
import { migrations } from '../../src/server/storage/migrations'
import { databaseMigratedTo, describeEachBackend } from './support/backends'

const RECOUNT = '0022_material_chars'
// The migration before it, whatever others add below 0022.
const BEFORE = Object.keys(migrations).filter(name => name < RECOUNT).sort().at(-1)!

/**
 * Migration 0022: materials stored before the one 字数 (b17c6e4) kept code points with line breaks
 * as body_chars; the upgrade recounts them with materialChars, and a row whose count changed takes
 * its branch's next revision, so a phone that pulled it before pulls the new count.
 */
describeEachBackend('material 字数 migration', (backend) => {
  it('recounts old materials with materialChars and gives the changed ones a new revision', async () => {
    const older = await databaseMigratedTo(backend, BEFORE)
    try {
      const db = older.db
      await db.insertInto('branches').values([
        { id: 'b1', name: '一支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M1', secretary_invite_code: 'S1', created_at: 1 },
        { id: 'b2', name: '二支部', time_zone: 'Asia/Shanghai', member_invite_code: 'M2', secretary_invite_code: 'S2', created_at: 1 },
      ]).execute()
      const member = { name: '张书记', role: 'secretary', status: 'active', created_at: 2, retired: 0, id_seed: 'ab'.repeat(16), joined_on: '2026-01-01' }
      await db.insertInto('members').values([{ ...member, id: 's1', branch_id: 'b1' }, { ...member, id: 's2', branch_id: 'b2' }]).execute()
      // b1 has its own counter (it pushed since 0009); b2 has none yet and starts from the global one.
      await db.updateTable('counters').set({ value: 40 }).where('name', '=', 'rev').execute()
      await db.insertInto('counters').values({ name: 'rev:b1', value: 57 }).execute()
      const longBody = '第一章 总则\n\n　　为深入学习贯彻党的二十大精神，制定本办法。\r\n第二条 Party members 👍 学习。\n'.repeat(50)
      const shortBody = '学习 通知'
      const material = (id: string, branch: string, body: string | null, bodyChars: number | null, rev: number, deleted = 0) => ({
        id,
        member_id: branch === 'b1' ? 's1' : 's2',
        branch_id: branch,
        updated_at: 1_700_000_000_000 + rev,
        client_id: 'c1',
        deleted,
        rev,
        title: body === null ? null : `资料 ${id}`,
        category: body === null ? null : 'notice',
        body,
        study_by: null,
        published_at: body === null ? null : 1_700_000_000_000,
        body_chars: bodyChars,
        body_bytes: body === null ? null : Buffer.byteLength(body, 'utf8'),
      })
      await db.insertInto('materials').values([
        // Counted as code points before: line breaks, spaces and the full-width indent included.
        material('m-old-long', 'b1', longBody, [...longBody].length, 10),
        // Already the editor's count (written after b17c6e4): left alone, revision too.
        material('m-new', 'b1', shortBody, materialChars(shortBody), 11),
        material('m-old-b2', 'b2', shortBody, [...shortBody].length, 12),
        // A tombstone keeps nothing to count.
        material('m-gone', 'b1', null, null, 13, 1),
      ]).execute()
      expect([...longBody].length).not.toBe(materialChars(longBody))
      await db.destroy()

      const storage = await older.open()
      try {
        const rows = await storage.db.selectFrom('materials').select(['id', 'body_chars', 'rev', 'updated_at']).orderBy('id').execute()
        const byId = Object.fromEntries(rows.map(r => [r.id, { chars: r.body_chars === null ? null : Number(r.body_chars), rev: Number(r.rev), updatedAt: Number(r.updated_at) }]))
        expect(byId).toEqual({
          'm-gone': { chars: null, rev: 13, updatedAt: 1_700_000_000_013 },
          'm-new': { chars: materialChars(shortBody), rev: 11, updatedAt: 1_700_000_000_011 },
          // Above every cursor its branch handed out: b1's counter was 57, b2 starts from the global 40.
          'm-old-b2': { chars: materialChars(shortBody), rev: 41, updatedAt: 1_700_000_000_012 },
          'm-old-long': { chars: materialChars(longBody), rev: 58, updatedAt: 1_700_000_000_010 },
        })
        const counters = await storage.db.selectFrom('counters').select(['name', 'value']).where('name', 'in', ['rev', 'rev:b1', 'rev:b2']).orderBy('name').execute()
        expect(counters.map(c => [c.name, Number(c.value)])).toEqual([['rev', 40], ['rev:b1', 58], ['rev:b2', 41]])
        const applied = await storage.db.selectFrom('kysely_migration' as never).select('name' as never).execute() as { name: string }[]
        expect(applied.map(r => r.name)).toContain(RECOUNT)
      }
      finally {
        await storage.close()
      }
    }
    finally {
      await older.dispose()
    }
  })
})
