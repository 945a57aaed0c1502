import type { FastifyPluginAsync } from 'fastify'
import type { OrganisationProblemsResponse } from '../../../domain/organisation'
import type { FieldIssue, ProblemCategory, ProblemStatus } from '../../../domain/records'
import { PROBLEM_CATEGORIES, PROBLEM_STATUSES, UUID_RE } from '../../../domain/records'
import { requireOrganisationSecretary } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { queryValue } from '../branch/guard'
import { organisationScope } from './scope'

const byName = new Intl.Collator('zh-CN')

/**
 * GET /organisation/problems (issue #14): the problem register (问题清单) of every branch of the
 * organisation, each problem naming its branch, filtered by status, category, community and branch;
 * counts per branch and in all over the whole register, by the branch register's own queries. Read
 * only: the status stays each branch secretary's to set.
 */
const organisationProblemRoutes: FastifyPluginAsync = async (app) => {
  app.get('/organisation/problems', { onRequest: requireOrganisationSecretary }, async (request): Promise<OrganisationProblemsResponse> => {
    const locale = localeOf(request)
    const { branches } = await organisationScope(request)
    const status = queryValue(request, 'status')
    const category = queryValue(request, 'category')
    const community = queryValue(request, 'community')
    const branchId = queryValue(request, 'branchId')
    const issues: FieldIssue[] = []
    if (status !== undefined && !(PROBLEM_STATUSES as readonly string[]).includes(status))
      issues.push({ path: 'status', message: t(locale, 'problemStatus') })
    if (category !== undefined && !(PROBLEM_CATEGORIES as readonly string[]).includes(category))
      issues.push({ path: 'category', message: t(locale, 'problemCategory') })
    if (branchId !== undefined && !UUID_RE.test(branchId))
      issues.push({ path: 'branchId', message: t(locale, 'organisationBranchId') })
    if (issues.length > 0)
      throw validationError(issues, locale)
    // Another organisation's branch is no branch of this one: 404, as /organisation/branches/:id/summary.
    if (branchId !== undefined && !branches.some(b => b.id === branchId))
      throw new ApiError('not_found', 'organisationBranchNotFound')
    const filter = {
      ...(status ? { status: status as ProblemStatus } : {}),
      ...(category ? { category: category as ProblemCategory } : {}),
      ...(community ? { community } : {}),
    }
    const counts = { open: 0, in_progress: 0, solved: 0, total: 0 }
    const communities = new Set<string>()
    const perBranch: OrganisationProblemsResponse['branches'] = []
    const problems: OrganisationProblemsResponse['problems'] = []
    for (const branch of branches) {
      const own = await app.storage.branchAdmin.problemCounts(branch.id)
      perBranch.push({ branchId: branch.id, name: branch.name, counts: own.counts })
      for (const key of Object.keys(counts) as (keyof typeof counts)[])
        counts[key] += own.counts[key]
      own.communities.forEach(c => communities.add(c))
      if (branchId === undefined || branchId === branch.id) {
        for (const problem of await app.storage.branchAdmin.problems(branch.id, filter))
          problems.push({ ...problem, branchId: branch.id, branchName: branch.name })
      }
    }
    // Newest first across branches, as each branch's register orders its own.
    problems.sort((a, b) => b.date.localeCompare(a.date) || b.updatedAt - a.updatedAt || a.id.localeCompare(b.id))
    return { counts, communities: [...communities].sort(byName.compare), branches: perBranch, problems }
  })
}

export default organisationProblemRoutes
