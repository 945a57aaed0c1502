import type { Page } from 'playwright-core'
import { Buffer } from 'node:buffer'
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { pullAll } from './support/api'
import { action, addCheckin, checkinRow, fillAndSaveProblem, fillAndSaveService, fillNote, joinInApp, openNewNote, openNewService, saveNote, tab, waitForSynced } from './support/app'
import { useBranchServer } from './support/site'

interface BackupFile {
  format: string
  version: number
  member: { id: string, name: string, branchName: string }
  session: { token: string, member: { id: string } }
  records: Record<string, { id: string }[]>
}

/** Taps 导出我的记录 (if it is a button that opens the choices) and then `choice`; returns the file's path and name. */
async function download(page: Page, choice: string): Promise<{ path: string, name: string }> {
  const exportButton = page.getByRole('button', { name: '导出我的记录', exact: true })
  if (await action(page, choice).isHidden() && await exportButton.count() > 0)
    await exportButton.click()
  const started = page.waitForEvent('download')
  await action(page, choice).click()
  const file = await started
  return { path: await file.path(), name: file.suggestedFilename() }
}

// Changing phones: the JSON backup carries the member's login and records; a fresh profile restored
// from it is the same member with the same records, and nothing reaches the server twice; a file that
// is no backup, or another member's, is refused with a message.
describe('backup and restore', () => {
  const site = useBranchServer('换机党支部')

  it('exports JSON and CSV, restores on a fresh phone, syncs without doubles, and a second import adds nothing', async () => {
    const { context: oldContext, page: oldPhone } = await site.phone('oldPhone')
    const member = await joinInApp(oldPhone, site.server.baseUrl, site.branch.memberInviteCode, '冯换机')
    await addCheckin(oldPhone, { topic: '换机前的学习', minutes: 50 })
    await tab(oldPhone, '服务').click()
    await openNewService(oldPhone)
    await fillAndSaveService(oldPhone, { community: '换机社区', activity: '爱心消费', hours: 0.5 })
    await action(oldPhone, '记录问题').click()
    await fillAndSaveProblem(oldPhone, { title: '换机社区路灯不亮', category: '其他', community: '换机社区' })
    await tab(oldPhone, '笔记').click()
    await openNewNote(oldPhone)
    await fillNote(oldPhone, { title: '《共产党宣言》', reflection: '换机前写下的心得。' })
    await saveNote(oldPhone)
    await waitForSynced(oldPhone)
    const before = await pullAll(site.server.baseUrl, member.token)
    expect(before.map(r => r.table).sort()).toEqual(['problems', 'readingNotes', 'serviceLogs', 'studyCheckins'])

    await tab(oldPhone, '我的').click()
    const json = await download(oldPhone, '下载 JSON 备份')
    const backup = JSON.parse(await readFile(json.path, 'utf8')) as BackupFile
    expect(backup).toMatchObject({ format: 'study-log-backup', version: 1, member: { id: member.member.id, name: '冯换机', branchName: '换机党支部' }, session: { token: member.token } })
    expect(Object.fromEntries(Object.entries(backup.records).map(([table, rows]) => [table, rows.length]))).toEqual({ studyCheckins: 1, serviceLogs: 1, readingNotes: 1, problems: 1, materials: 0, readingProgress: 0, sessions: 0 })
    const csv = await download(oldPhone, '下载 CSV')
    const csvBytes = await readFile(csv.path)
    // A UTF-8 byte-order mark, so Excel opens the Chinese headers as Chinese.
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xEF, 0xBB, 0xBF])
    expect(csvBytes.toString('utf8').split(/\r?\n/)[0]).toMatch(/[\u4E00-\u9FFF]/)

    const { context: newContext, page: newPhone } = await site.phone('newPhone')
    await newPhone.goto(`${site.server.baseUrl}/join`)
    const restoreButton = newPhone.getByRole('button', { name: '从备份恢复', exact: true })
    if (await newPhone.getByLabel('选择备份文件', { exact: true }).count() === 0)
      await restoreButton.click()
    await newPhone.getByLabel('选择备份文件', { exact: true }).setInputFiles(json.path)
    await newPhone.waitForURL(/\/study/, { timeout: 30_000 })
    await checkinRow(newPhone, '换机前的学习').waitFor()
    await tab(newPhone, '服务').click()
    await newPhone.getByText('换机社区路灯不亮').first().waitFor()
    await tab(newPhone, '笔记').click()
    await newPhone.getByText('《共产党宣言》', { exact: true }).first().waitFor()
    await tab(newPhone, '我的').click()
    await newPhone.getByText('冯换机', { exact: true }).waitFor()
    await newPhone.getByText('换机党支部', { exact: true }).waitFor()

    await action(newPhone, '立即同步').click()
    await waitForSynced(newPhone)
    const after = await pullAll(site.server.baseUrl, member.token)
    expect(after.map(r => `${r.table}:${r.id}:${r.rev}`).sort()).toEqual(before.map(r => `${r.table}:${r.id}:${r.rev}`).sort())

    // The same file again on 我的: everything is already there.
    await newPhone.getByLabel('导入备份', { exact: true }).setInputFiles(json.path)
    await newPhone.getByText(/已导入\s*0\s*条，更新\s*0\s*条，跳过\s*4\s*条/).first().waitFor()

    // A file that is no backup, and another member's backup, are refused with a message that says so.
    await newPhone.getByLabel('导入备份', { exact: true }).setInputFiles({ name: '随便一个文件.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') })
    await newPhone.getByRole('alert').filter({ hasText: /导入失败：这不是学习打卡的备份文件/ }).waitFor()
    const otherId = randomUUID()
    const other = JSON.parse(JSON.stringify(backup).replaceAll(member.member.id, otherId)) as BackupFile
    other.member.name = '另一位党员'
    await newPhone.getByLabel('导入备份', { exact: true }).setInputFiles({ name: '另一位党员.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) })
    await newPhone.getByRole('alert').filter({ hasText: '这是另一位党员的备份' }).waitFor()

    await tab(newPhone, '学习').click()
    await checkinRow(newPhone, '换机前的学习').waitFor()
    expect(await newPhone.getByText('换机前的学习', { exact: true }).count()).toBe(1)

    await newContext.close()
    await oldContext.close()
  })
})
