import type { FastifyPluginAsync } from 'fastify'
import type { CompletionResponse } from '../../../domain/wire'
import { currentWeek, DEFAULT_TIME_ZONE, isWeekKey } from '../../../domain/week'
import { memberOf, requireMember } from '../../auth'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import gridRoutes from './grid'
import historyRoutes from './history'
import memberRoutes from './members'
import problemRoutes from './problems'
import reportRoutes from './report'
import sessionRoutes from './sessions'
import summaryRoutes from './summary'

// Chinese names in the order a secretary expects them (pinyin), the same on SQLite and PostgreSQL.
const byName = new Intl.Collator('zh-CN')

/**
 * The secretary's branch views: GET /branch/completion?week= (who studied in a week), and issue #5's
 * overview, members, 代录, grid, problem register and monthly summary (secretaries only).
 */
const branchRoutes: FastifyPluginAsync = async (app) => {
  await app.register(memberRoutes)
  await app.register(gridRoutes)
  await app.register(problemRoutes)
  await app.register(summaryRoutes)
  await app.register(reportRoutes)
  await app.register(historyRoutes)
  await app.register(sessionRoutes)

  app.get('/branch/completion', { onRequest: requireMember }, async (request): Promise<CompletionResponse> => {
    const member = memberOf(request)
    if (member.role !== 'secretary')
      throw new ApiError('forbidden', 'forbiddenSecretary')
    const locale = localeOf(request)
    const { week: requested } = (request.query ?? {}) as Record<string, unknown>
    let week: string
    if (requested === undefined || requested === '') {
      const branch = await app.storage.branches.byId(member.branchId)
      week = currentWeek(branch?.time_zone ?? DEFAULT_TIME_ZONE)
    }
    else if (typeof requested === 'string' && isWeekKey(requested)) {
      week = requested
    }
    else {
      throw validationError([{ path: 'week', message: t(locale, 'week') }], locale)
    }

    const members = await app.storage.completion.weekForBranch(member.branchId, week)
    members.sort((a, b) => Number(a.studied) - Number(b.studied) || byName.compare(a.name, b.name) || a.id.localeCompare(b.id))
    return { week, total: members.length, completed: members.filter(m => m.studied).length, members }
  })
}

export default branchRoutes
