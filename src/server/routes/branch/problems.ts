import type { FastifyPluginAsync } from 'fastify'
import type { BranchProblemsResponse, ProblemPatchResponse } from '../../../domain/branch'
import type { FieldIssue, ProblemCategory, ProblemStatus } from '../../../domain/records'
import type { ProblemPatch } from '../../storage/repositories/branch-admin'
import { STATUS_DATE_MAX_DAYS_BACK } from '../../../domain/branch'
import { PROBLEM_CATEGORIES, PROBLEM_STATUSES, UUID_RE } from '../../../domain/records'
import { addDays, isIsoDate, todayIn } from '../../../domain/week'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { bodyObject, charLength, isStorableText, unstorableIssue } from '../../validation'
import { pathId, queryValue, requireSecretary, secretaryBranch } from './guard'

// Optional text: undefined keeps, null or blank clears, else trimmed and at most `max` characters;
// 'unstorable' for text the database cannot keep (U+0000, a lone surrogate).
function optionalText(value: unknown, max: number): string | null | undefined | false | 'unstorable' {
  if (value === undefined)
    return undefined
  if (value === null)
    return null
  if (typeof value !== 'string')
    return false
  if (!isStorableText(value))
    return 'unstorable'
  const text = value.trim()
  if (text === '')
    return null
  return charLength(text) <= max ? text : false
}

/** The problem register (问题清单): the branch's problems with counts, and the secretary's status updates. */
const problemRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }

  app.get('/branch/problems', opts, async (request): Promise<BranchProblemsResponse> => {
    const locale = localeOf(request)
    const { branch } = await secretaryBranch(request)
    const status = queryValue(request, 'status')
    const category = queryValue(request, 'category')
    const community = queryValue(request, 'community')
    const issues: FieldIssue[] = []
    if (status !== undefined && !(PROBLEM_STATUSES as readonly string[]).includes(status))
      issues.push({ path: 'status', message: t(locale, 'problemStatus') })
    if (category !== undefined && !(PROBLEM_CATEGORIES as readonly string[]).includes(category))
      issues.push({ path: 'category', message: t(locale, 'problemCategory') })
    if (issues.length > 0)
      throw validationError(issues, locale)
    const { counts, communities } = await app.storage.branchAdmin.problemCounts(branch.id)
    const problems = await app.storage.branchAdmin.problems(branch.id, {
      ...(status ? { status: status as ProblemStatus } : {}),
      ...(category ? { category: category as ProblemCategory } : {}),
      ...(community ? { community } : {}),
    })
    return { counts, communities, problems }
  })

  app.patch('/branch/problems/:id', opts, async (request): Promise<ProblemPatchResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, secretary } = await secretaryBranch(request)
    const issues: FieldIssue[] = []
    if (!(PROBLEM_STATUSES as readonly unknown[]).includes(body.status))
      issues.push({ path: 'status', message: t(locale, 'problemStatus') })
    const ownerName = optionalText(body.ownerName, 40)
    if (ownerName === false)
      issues.push({ path: 'ownerName', message: t(locale, 'ownerName') })
    if (ownerName === 'unstorable')
      issues.push(unstorableIssue('ownerName', locale))
    const resolution = optionalText(body.resolution, 2000)
    if (resolution === false)
      issues.push({ path: 'resolution', message: t(locale, 'resolution') })
    if (resolution === 'unstorable')
      issues.push(unstorableIssue('resolution', locale))
    // The day the status took effect: today by default, up to 60 days back, never in the future.
    const today = todayIn(branch.timeZone)
    const statusDate = body.statusDate
    if (statusDate !== undefined && !(typeof statusDate === 'string' && isIsoDate(statusDate) && statusDate <= today && statusDate >= addDays(today, -STATUS_DATE_MAX_DAYS_BACK)))
      issues.push({ path: 'statusDate', message: t(locale, 'statusDate') })
    if (issues.length > 0)
      throw validationError(issues, locale)
    const id = pathId(request)
    const patch: ProblemPatch = { status: body.status as ProblemStatus, ...(statusDate === undefined ? {} : { statusDate: statusDate as string }) }
    if (ownerName !== undefined && ownerName !== false && ownerName !== 'unstorable')
      patch.ownerName = ownerName
    if (resolution !== undefined && resolution !== false && resolution !== 'unstorable')
      patch.resolution = resolution
    const updated = UUID_RE.test(id) ? await app.storage.branchAdmin.patchProblem(branch.id, id, secretary.id, patch) : undefined
    if (updated === 'beforeLastChange')
      throw validationError([{ path: 'statusDate', message: t(locale, 'statusDateOrder') }], locale)
    if (!updated)
      throw new ApiError('not_found', 'problemNotFound')
    return updated
  })
}

export default problemRoutes
