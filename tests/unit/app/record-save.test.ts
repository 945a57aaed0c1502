import type { FieldIssue } from '@/domain/records'
import { describe, expect, it } from 'vitest'
import { useFieldErrors, useRecordSave } from '@/app/components/form/fieldErrors'
import { RecordValidationError } from '@/app/stores/study'

function form() {
  const fields = useFieldErrors(['topic', 'minutes'] as const)
  const save = useRecordSave(fields, reason => `保存失败：${reason}`)
  return { ...fields, ...save }
}

describe('useRecordSave', () => {
  it('returns the write\'s result and clears earlier errors', async () => {
    const f = form()
    f.show([{ path: 'data.topic', message: '请填写主题' }])
    expect(await f.run(async () => 'id-1')).toBe('id-1')
    expect(f.errors.topic).toBeNull()
    expect(f.saving.value).toBe(false)
  })

  it('puts validation issues at their fields and the rest above 保存', async () => {
    const f = form()
    const issues: FieldIssue[] = [{ path: 'data.minutes', message: '时长为 1–600 分钟的整数' }, { path: 'data.other', message: '其他问题' }]
    const refuse = async (): Promise<string> => {
      throw new RecordValidationError(issues)
    }
    expect(await f.run(refuse)).toBeUndefined()
    expect(f.errors.minutes).toBe('时长为 1–600 分钟的整数')
    expect(f.formError.value).toBe('其他问题')
  })

  it('shows any other failure as the form\'s error', async () => {
    const f = form()
    await f.run(async () => {
      throw new Error('磁盘已满')
    })
    expect(f.formError.value).toBe('保存失败：磁盘已满')
  })

  it('runs one write at a time (a double tap saves once)', async () => {
    const f = form()
    let writes = 0
    let release!: () => void
    const first = f.run(() => new Promise<void>((resolve) => {
      writes++
      release = resolve
    }))
    const second = await f.run(async () => {
      writes++
    })
    expect(second).toBeUndefined()
    release()
    await first
    expect(writes).toBe(1)
  })
})
