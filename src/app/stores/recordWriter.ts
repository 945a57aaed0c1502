import type { RecordRowByTable } from '@/app/db/database'
import type { FieldIssue, MemberTable, RecordDataByTable } from '@/domain/records'
import { toRaw } from 'vue'
import { randomUuid } from '@/app/db/meta'
import { removeRecord, saveRecord } from '@/app/db/records'
import { validateRecordData } from '@/domain/records'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'
import { useSyncStore } from './sync'

/** A record the domain schema refused; `issues` carry paths like `data.topic` and messages in the current language. */
export class RecordValidationError extends Error {
  issues: FieldIssue[]

  constructor(issues: FieldIssue[]) {
    super(issues.map(issue => `${issue.path}: ${issue.message}`).join('; '))
    this.name = 'RecordValidationError'
    this.issues = issues
  }
}

/** Thrown when a record is written with nobody signed in. */
export class NotSignedInError extends Error {
  constructor() {
    super('Sign in before writing records')
    this.name = 'NotSignedInError'
  }
}

/** How a store writes one member table: validate, save with its outbox entry, schedule a push. */
export interface RecordWriter<T extends MemberTable> {
  /** The signed-in member's id; throws `NotSignedInError` when nobody is. */
  memberId: () => string
  save: (input: RecordDataByTable[T], id?: string) => Promise<string>
  remove: (id: string, guard?: (row: RecordRowByTable[T]) => void) => Promise<void>
}

/**
 * The shared write path of the record stores; call inside a store's setup. `save` checks the input
 * against the domain schema (throws `RecordValidationError`), writes the row and its outbox entry
 * in one transaction and asks the sync store to push soon; `remove` leaves a tombstone the same way.
 */
export function recordWriter<T extends MemberTable>(table: T, defaults?: () => object): RecordWriter<T> {
  const session = useSessionStore()
  const settings = useSettingsStore()
  const sync = useSyncStore()

  function memberId(): string {
    const id = session.member?.id
    if (!id)
      throw new NotSignedInError()
    return id
  }

  async function save(input: RecordDataByTable[T], id?: string): Promise<string> {
    const owner = memberId()
    const checked = validateRecordData(table, { ...toRaw(input) }, settings.locale)
    if (!checked.ok)
      throw new RecordValidationError(checked.issues)
    const recordId = id ?? randomUuid()
    await saveRecord(table, owner, recordId, checked.data, Date.now(), defaults?.())
    sync.scheduleSoon()
    return recordId
  }

  async function remove(id: string, guard?: (row: RecordRowByTable[T]) => void): Promise<void> {
    await removeRecord(table, memberId(), id, Date.now(), guard)
    sync.scheduleSoon()
  }

  return { memberId, save, remove }
}
