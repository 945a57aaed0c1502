import type { EnteredByFields } from './branch'
import type { OrganisationKind, OrganisationSignInResponse } from './organisation'
import type { FieldIssue, MaterialServerFields, MemberTable, ProblemServerFields, RecordDataByTable, ServerFields } from './records'

/**
 * The HTTP API's bodies (`/api/v1`), exactly as `../shared/PROTOCOL.md` writes them, plus the
 * project's own additions (setup). The app's client and the server's routes both type against these.
 */

export const API_PREFIX = '/api/v1'

/** At most this many changes in one push, and rows in one pull page. */
export const SYNC_BATCH_LIMIT = 500
/** Largest request body the server accepts (1 MiB). */
export const BODY_LIMIT_BYTES = 1024 * 1024

export type ErrorCode
  = | 'validation_failed'
    | 'unauthorized'
    | 'forbidden'
    | 'invalid_invite'
    | 'not_found'
    | 'conflict'
    | 'payload_too_large'
    | 'expectation_failed'
    | 'headers_too_large'
    | 'rate_limited'
    | 'server_error'

export interface ApiErrorBody {
  error: {
    code: ErrorCode
    message: string
    details?: FieldIssue[]
  }
}

export type Role = 'member' | 'secretary'

export interface MemberInfo {
  id: string
  name: string
  role: Role
  branchId: string
  branchName: string
}

/**
 * The member as its own devices see it (join, setup, `GET /me`): `idSeed` (at least 128 random
 * bits, hex) is the secret the member's derived ids are made with (src/domain/homeStudy.ts). It
 * goes to no one else: every other view of a member is a `MemberInfo` or less.
 */
export interface OwnMemberInfo extends MemberInfo {
  idSeed: string
}

export interface HealthResponse { ok: true, version: string }

export interface JoinRequest { inviteCode: string, name: string }
export interface JoinResponse { token: string, member: OwnMemberInfo }
export interface MeResponse { member: OwnMemberInfo }

/** `POST /api/v1/setup`: the one-time first-run link creates the first branch; its opener becomes secretary. */
/** `organisationName` (1–100 characters) with `organisationKind` also creates the organisation above the first branch (issue #14). */
export interface SetupRequest { code: string, branchName: string, name: string, organisationName?: string, organisationKind?: OrganisationKind }
export interface SetupResponse extends JoinResponse {
  memberInviteCode: string
  secretaryInviteCode: string
  /** The organisation made with the branch, when asked for, and its invite code. */
  organisation?: { id: string, name: string, kind: OrganisationKind, inviteCode: string }
  /** The one who set up is its first organisation secretary too: their organisation sign-in. */
  organisationSignIn?: OrganisationSignInResponse
}

export interface SyncChangeIn<T extends MemberTable = MemberTable> {
  table: T
  id: string
  updatedAt: number
  deleted?: boolean
  data?: RecordDataByTable[T]
}

export interface SyncRequest {
  clientId: string
  cursor: string | null
  changes: SyncChangeIn[]
  /**
   * true: the answer leaves out the rows this request applied (the client holds them) and its
   * cursor moves past them. Absent or false (protocol v1): they come back in `changes` like any
   * row after the cursor.
   */
  omitApplied?: boolean
}

export type SyncStatus = 'applied' | 'stale' | 'rejected'

export interface SyncResult {
  table: string
  id: string
  status: SyncStatus
  error?: ApiErrorBody['error']
}

/** What the server adds to a live row of each table beyond `ServerFields`. */
export interface ServerExtrasByTable {
  studyCheckins: EnteredByFields
  serviceLogs: EnteredByFields
  readingNotes: Record<never, never>
  problems: ProblemServerFields
  materials: MaterialServerFields
  readingProgress: Record<never, never>
  sessions: Record<never, never>
}

/**
 * The `data` fields a pull carries of each table: all of them, except a material's `body`, which
 * the app downloads alone from `GET /api/v1/materials/:id` (with progress) so a pull stays small.
 */
export type PulledDataByTable = {
  [T in MemberTable]: T extends 'materials' ? Omit<RecordDataByTable[T], 'body'> : RecordDataByTable[T]
}

export interface SyncChangeOut<T extends MemberTable = MemberTable> {
  table: T
  id: string
  rev: number
  updatedAt: number
  deleted: boolean
  /** Present on live rows; a tombstone may carry only the server fields. */
  data: (PulledDataByTable[T] & ServerFields & ServerExtrasByTable[T]) | ServerFields
}

/** `GET /api/v1/materials/:id`: a live material's text, and the version (`updatedAt`) it belongs to. */
export interface MaterialBodyResponse {
  id: string
  updatedAt: number
  body: string
}

export interface SyncResponse {
  results: SyncResult[]
  changes: SyncChangeOut[]
  cursor: string | null
  hasMore: boolean
  /**
   * The member whose rows this answer holds: the token's member, or, after a secretary merged it
   * into another member (合并到…), that member. A device that finds another id here than its own
   * is now that member (its rows come with that `memberId`); older clients ignore the field.
   */
  memberId?: string
}

export interface CompletionMember {
  id: string
  name: string
  role: Role
  studied: boolean
  checkins: number
  minutes: number
}

export interface CompletionResponse {
  week: string
  total: number
  completed: number
  members: CompletionMember[]
}
