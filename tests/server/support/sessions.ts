import type { SessionData } from '../../../src/domain/sessions'
import type { SyncChangeIn } from '../../../src/domain/wire'

let codeCounter = 0
/** A 签到码 no other session of a test uses (six digits). */
export const freshCode = (): string => String(100_000 + (++codeCounter * 7919) % 900_000)

/** A session change (组织生活) as a secretary's phone pushes it. */
export function sessionChange(id: string, updatedAt: number, data: Partial<SessionData> & Pick<SessionData, 'date'>): SyncChangeIn {
  return { table: 'sessions', id, updatedAt, data: { form: 'branch_study', topic: '支部集中学习', code: freshCode(), ...data } }
}
