import type { FastifyRequest } from 'fastify'
import type { MemberInfo } from '../../../domain/wire'
import type { BranchesTable } from '../../storage/schema'
import { DEFAULT_TIME_ZONE } from '../../../domain/week'
import { memberOf, requireMember } from '../../auth'
import { ApiError } from '../../errors'

/** onRequest hook of every branch-administration route: a live token (401) of a secretary (403). */
export async function requireSecretary(request: FastifyRequest): Promise<void> {
  await requireMember(request)
  if (memberOf(request).role !== 'secretary')
    throw new ApiError('forbidden', 'forbiddenBranchAdmin')
}

/** The calling secretary and the branch it runs (scoping every query). */
export async function secretaryBranch(request: FastifyRequest): Promise<{ secretary: MemberInfo, branch: BranchesTable & { timeZone: string } }> {
  const secretary = memberOf(request)
  const branch = await request.server.storage.branches.byId(secretary.branchId)
  if (!branch)
    throw new ApiError('unauthorized', 'unauthorized')
  return { secretary, branch: { ...branch, timeZone: branch.time_zone || DEFAULT_TIME_ZONE } }
}

/** A single query-string value (the last one when repeated), or undefined when absent or empty. */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const raw = (request.query as Record<string, unknown> | undefined)?.[name]
  const value = Array.isArray(raw) ? raw.at(-1) : raw
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The `:id` path parameter. */
export function pathId(request: FastifyRequest): string {
  return String((request.params as { id?: string }).id ?? '')
}
