import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Locale } from '../../../domain/locale'
import type { FieldIssue, MemberTable } from '../../../domain/records'
import type { SyncRequest, SyncResponse, SyncResult } from '../../../domain/wire'
import type { ServerMessageKey } from '../../i18n'
import type { AcceptedChange, PushOutcome, RecordOwner, RevRange } from '../../storage'
import { MEMBER_TABLES, UUID_RE, validateRecordData } from '../../../domain/records'
import { SYNC_BATCH_LIMIT } from '../../../domain/wire'
import { memberOf, requireMember } from '../../auth'
import { ApiError, joinIssues, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { bodyObject, charLength, isStorableText, unstorableIssue } from '../../validation'
import '../../valibot-messages'

const CURSOR_RE = /^\d{1,15}$/

/** A change's envelope and data judged alone: accepted for storage, or its rejection. */
function judgeChangeShape(raw: unknown, locale: Locale): { accepted: AcceptedChange } | { rejected: SyncResult } {
  const change = (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) ? raw as Record<string, unknown> : null
  const table = typeof change?.table === 'string' ? change.table : ''
  const id = typeof change?.id === 'string' ? change.id : ''
  const reject = (details: FieldIssue[]): { rejected: SyncResult } => ({
    rejected: {
      table,
      id,
      status: 'rejected',
      error: { code: 'validation_failed', message: t(locale, 'recordInvalid', { issues: joinIssues(details, locale) }), details },
    },
  })
  if (!change)
    return reject([{ path: '', message: t(locale, 'changeNotObject') }])

  const issues: FieldIssue[] = []
  if (!(MEMBER_TABLES as readonly string[]).includes(table))
    issues.push({ path: 'table', message: t(locale, 'table') })
  if (!UUID_RE.test(id))
    issues.push({ path: 'id', message: t(locale, 'id') })
  if (typeof change.updatedAt !== 'number' || !Number.isSafeInteger(change.updatedAt) || change.updatedAt < 0)
    issues.push({ path: 'updatedAt', message: t(locale, 'updatedAt') })
  if (change.deleted !== undefined && typeof change.deleted !== 'boolean')
    issues.push({ path: 'deleted', message: t(locale, 'deleted') })
  const deleted = change.deleted === true
  let data: AcceptedChange['data'] = null
  // Data is judged only for a known table and a readable delete flag, else its issues would mislead.
  if (!deleted && issues.every(i => i.path !== 'table' && i.path !== 'deleted')) {
    if (change.data === undefined || change.data === null) {
      issues.push({ path: 'data', message: t(locale, 'required') })
    }
    else {
      const checked = validateRecordData(table as MemberTable, change.data, locale)
      if (checked.ok)
        data = checked.data
      else
        issues.push(...checked.issues)
    }
  }
  if (issues.length > 0)
    return reject(issues)
  return { accepted: { table: table as MemberTable, id, updatedAt: change.updatedAt as number, deleted, data } }
}

function parseSyncRequest(body: unknown, locale: Locale): { clientId: string, afterRev: number, requestCursor: string | null, changes: unknown[], omitApplied: boolean } {
  const request = bodyObject(body) as Partial<Record<keyof SyncRequest, unknown>>
  const issues: FieldIssue[] = []
  const clientId = request.clientId
  if (typeof clientId === 'string' && !isStorableText(clientId))
    issues.push(unstorableIssue('clientId', locale))
  else if (typeof clientId !== 'string' || charLength(clientId) < 1 || charLength(clientId) > 100)
    issues.push({ path: 'clientId', message: t(locale, 'clientId') })
  const cursor = request.cursor
  if (!(cursor === null || cursor === undefined || (typeof cursor === 'string' && CURSOR_RE.test(cursor))))
    issues.push({ path: 'cursor', message: t(locale, 'cursor') })
  if (!Array.isArray(request.changes))
    issues.push({ path: 'changes', message: t(locale, 'changesArray') })
  if (request.omitApplied !== undefined && typeof request.omitApplied !== 'boolean')
    issues.push({ path: 'omitApplied', message: t(locale, 'omitApplied') })
  if (issues.length > 0)
    throw validationError(issues, locale)
  const changes = request.changes as unknown[]
  if (changes.length > SYNC_BATCH_LIMIT)
    throw new ApiError('payload_too_large', 'tooManyChanges')
  const requestCursor = typeof cursor === 'string' ? cursor : null
  return { clientId: clientId as string, afterRev: requestCursor === null ? 0 : Number(requestCursor), requestCursor, changes, omitApplied: request.omitApplied === true }
}

// Why a change was refused, in words that say who may write it.
function forbiddenMessage(table: MemberTable, outcome: 'forbidden' | 'secretaryOnly'): ServerMessageKey {
  if (outcome === 'secretaryOnly')
    return table === 'sessions' ? 'forbiddenSessionWrite' : 'forbiddenMaterialWrite'
  return table === 'materials' ? 'forbiddenMaterialBranch' : table === 'sessions' ? 'forbiddenSessionBranch' : 'forbiddenRecord'
}

/**
 * Whether a database error comes from the data of the statement (it would fail again with the
 * same change) rather than from the database itself: PostgreSQL's data exceptions (class 22, e.g.
 * `22021` invalid byte sequence), integrity violations (23) and program limits (54); SQLite's
 * constraint, size and type errors. A busy, lost or shut-down database is none of these.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string')
    return false
  return /^(?:22|23|54)[0-9A-Z]{3}$/.test(code) || /^SQLITE_(?:CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(code)
}

/**
 * Pushes the judged changes in one transaction. If the database refuses the batch, the changes go
 * again one by one, so a change it cannot store (data no rule here foresaw) is `unstorable` alone
 * and the others are still applied; a fault of the database itself stays a 500 for the request,
 * which the client sends again (what was applied meanwhile replays as applied).
 */
async function pushEach(request: FastifyRequest, owner: RecordOwner, clientId: string, accepted: AcceptedChange[]): Promise<{ outcomes: (PushOutcome | 'unstorable')[], applied: RevRange | null, owner?: RecordOwner }> {
  const { sync } = request.server.storage
  try {
    return await sync.push(owner, clientId, accepted)
  }
  catch (error) {
    if (!isDataError(error))
      throw error
    request.log.error({ err: error }, 'sync push refused by the database; retrying change by change')
    if (accepted.length === 1)
      return { outcomes: ['unstorable'], applied: null }
  }
  // Several transactions give no one range of revs: the answer sends these rows back.
  const outcomes: (PushOutcome | 'unstorable')[] = []
  for (const change of accepted) {
    try {
      outcomes.push(...(await sync.push(owner, clientId, [change])).outcomes)
    }
    catch (error) {
      if (!isDataError(error))
        throw error
      request.log.error({ err: error, table: change.table, id: change.id }, 'sync change refused by the database')
      outcomes.push('unstorable')
    }
  }
  return { outcomes, applied: null }
}

/** POST /sync: push a batch of changes (each judged alone), then pull what the member may read. */
const syncRoutes: FastifyPluginAsync = async (app) => {
  // Per member, however the token is spelled: the plugin's onRequest hook runs after the route's
  // own requireMember, so the member is known (wrong tokens never get here; failureLimits.auth).
  const keyGenerator = (request: FastifyRequest) => `sync:${memberOf(request).id}`

  app.post('/sync', {
    onRequest: requireMember,
    config: { rateLimit: { max: app.rateLimits.sync, timeWindow: 60_000, keyGenerator } },
  }, async (request): Promise<SyncResponse> => {
    const member = memberOf(request)
    const locale = localeOf(request)
    const { clientId, afterRev, requestCursor, changes, omitApplied } = parseSyncRequest(request.body, locale)

    const results: SyncResult[] = Array.from({ length: changes.length })
    const accepted: AcceptedChange[] = []
    const acceptedAt: number[] = []
    changes.forEach((raw, index) => {
      const shaped = judgeChangeShape(raw, locale)
      if ('rejected' in shaped) {
        results[index] = shaped.rejected
        return
      }
      accepted.push(shaped.accepted)
      acceptedAt.push(index)
    })

    const caller = { memberId: member.id, branchId: member.branchId, role: member.role }
    const { outcomes, applied, owner = caller } = await pushEach(request, caller, clientId, accepted)
    outcomes.forEach((outcome, i) => {
      const { table, id } = accepted[i]!
      results[acceptedAt[i]!] = outcome === 'applied' || outcome === 'stale'
        ? { table, id, status: outcome }
        : outcome === 'unstorable'
          ? { table, id, status: 'rejected', error: { code: 'validation_failed', message: t(locale, 'recordUnstorable'), details: [] } }
          : { table, id, status: 'rejected', error: { code: 'forbidden', message: t(locale, forbiddenMessage(table, outcome)) } }
    })

    // A stale change's winner may sit behind the client's cursor: send it again, first, within
    // the page's 500 rows, without moving the cursor back.
    const stale = accepted.filter((_, i) => outcomes[i] === 'stale')
    // omitApplied: the rows this push applied are not sent back (the client holds them), and the
    // cursor moves past them; other devices of the member still pull them with their cursors.
    const skip = omitApplied ? applied : null
    const cursorAt = (rev: number) => rev > afterRev ? String(rev) : requestCursor
    if (stale.length === 0) {
      // Up to date (the common case): one cheap statement, no page read.
      const probe = await app.storage.sync.probe(owner, afterRev, skip)
      if (!probe.newer)
        return { results, changes: [], cursor: cursorAt(Math.max(probe.top, skip?.last ?? 0)), hasMore: false, memberId: owner.memberId }
    }
    const pulled = await app.storage.sync.pull(owner, afterRev, SYNC_BATCH_LIMIT, stale, skip)
    return {
      results,
      changes: [...pulled.resent, ...pulled.changes],
      cursor: cursorAt(pulled.through),
      hasMore: pulled.hasMore,
      memberId: pulled.memberId,
    }
  })
}

export default syncRoutes
