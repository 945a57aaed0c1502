import type { BackupFile } from '@/domain/backup'
import { describe, expect, it } from 'vitest'
import { BACKUP_FORMAT, backupCsv, BackupFormatError, csvCell, mergeDecision, parseBackup } from '@/domain/backup'

const member = { id: 'm1', name: '张三', role: 'member' as const, branchId: 'b1', branchName: '第一支部' }

function file(records: BackupFile['records'] = {}): BackupFile {
  return { format: BACKUP_FORMAT, version: 1, exportedAt: '2026-11-24T12:00:00.000Z', member: { id: 'm1', name: '张三', branchName: '第一支部' }, session: { token: 't', member }, records }
}

const studyRow = (id: string, extra: object = {}) => ({ id, updatedAt: 1, deleted: false, sync: 'synced' as const, data: { date: '2026-11-23', form: 'branch_study', topic: '学习', minutes: 30 }, ...extra })
const ID = '11111111-1111-4111-8111-111111111111'

describe('reading a backup file', () => {
  it('accepts the format with records of every table', () => {
    const backup = parseBackup(JSON.stringify(file({ studyCheckins: [studyRow(ID)] })))
    expect(backup.records.studyCheckins).toHaveLength(1)
    expect(backup.session?.member.id).toBe('m1')
  })

  it('says clearly when the file is not a backup, in Chinese or English', () => {
    expect(() => parseBackup('not json')).toThrow(BackupFormatError)
    expect(() => parseBackup('not json')).toThrow(/备份文件/)
    expect(() => parseBackup('not json', 'en')).toThrow(/not a Study Log backup/)
    expect(() => parseBackup(JSON.stringify({ format: 'other', version: 1 }))).toThrow('这不是学习打卡的备份文件')
    expect(() => parseBackup(JSON.stringify({ ...file(), version: 2 }))).toThrow('这不是学习打卡的备份文件')
  })

  it('names the record whose data breaks the schema, and keeps refused ones as they are', () => {
    const bad = studyRow(ID, { data: { date: '2026-11-23', form: 'branch_study', topic: '学习', minutes: 900 } })
    expect(() => parseBackup(JSON.stringify(file({ studyCheckins: [bad] })))).toThrow(/studyCheckins\[0\].*data\.minutes/)
    expect(() => parseBackup(JSON.stringify(file({ studyCheckins: [{ ...bad, sync: 'rejected' }] })))).not.toThrow()
    expect(() => parseBackup(JSON.stringify(file({ studyCheckins: [studyRow('not-a-uuid')] })))).toThrow(/records\.studyCheckins\.0\.id/)
  })
})

describe('cSV', () => {
  it('starts with a UTF-8 BOM and Chinese headers, uses CRLF and leaves tombstones out', () => {
    const csv = backupCsv('studyCheckins', [studyRow(ID), studyRow(ID, { deleted: true })])
    expect(csv.startsWith('\uFEFF日期,学习形式,主题,时长（分钟）,备注\r\n')).toBe(true)
    expect(csv.split('\r\n').filter(Boolean)).toEqual(['\uFEFF日期,学习形式,主题,时长（分钟）,备注', '2026-11-23,支部集中学习,学习,30,'])
  })

  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('他说"好"')).toBe('"他说""好"""')
    expect(csvCell('第一行\n第二行')).toBe('"第一行\n第二行"')
    expect(csvCell('=SUM(A1)')).toBe('\'=SUM(A1)')
    expect(csvCell(1.5)).toBe('1.5')
    expect(csvCell(null)).toBe('')
    const note = { id: ID, updatedAt: 1, deleted: false, sync: 'synced' as const, data: { title: '《论, 持久战》', reflection: '心得"一"\n二' } }
    expect(backupCsv('readingNotes', [note]).split('\r\n')[1]).toBe('"《论, 持久战》",,,"心得""一""\n二",7')
  })

  it('writes problem categories and statuses in Chinese', () => {
    const problem = { id: ID, updatedAt: 1, deleted: false, sync: 'synced' as const, data: { date: '2026-11-23', community: '幸福社区', category: 'environment', title: '路灯坏了', detail: '' }, serverFields: { status: 'in_progress' } }
    expect(backupCsv('problems', [problem]).split('\r\n')[1]).toBe('2026-11-23,幸福社区,环境,路灯坏了,,推进中')
  })
})

describe('merge rule', () => {
  it('adds what is missing, updates an older local copy, and skips an equal or newer one', () => {
    expect(mergeDecision(undefined, { updatedAt: 5 })).toBe('add')
    expect(mergeDecision({ updatedAt: 4 }, { updatedAt: 5 })).toBe('update')
    expect(mergeDecision({ updatedAt: 5 }, { updatedAt: 5 })).toBe('skip')
    expect(mergeDecision({ updatedAt: 6 }, { updatedAt: 5 })).toBe('skip')
  })
})
