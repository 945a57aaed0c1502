import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { FieldIssue } from '../../../domain/records'
import type { BranchSessionDetailResponse, BranchSessionsResponse, LinkCheckinsResponse, MergeCheckinsResponse, SessionForm } from '../../../domain/sessions'
import { UUID_RE } from '../../../domain/records'
import { isSessionForm, LINK_CHECKINS_MAX } from '../../../domain/sessions'
import { isMonthKey, monthOf } from '../../../domain/summary'
import { isIsoDate, todayIn } from '../../../domain/week'
import { ApiError, localeOf, validationError } from '../../errors'
import { t } from '../../i18n'
import { UnknownCheckinsError } from '../../storage/repositories/sessions'
import { bodyObject, textField } from '../../validation'
import { pathId, queryValue, requireSecretary, secretaryBranch } from './guard'

/**
 * The secretary's 组织生活 views (issue #13) beyond what sync carries: the month's sessions with their
 * attendance (出席/应到, 请假, 缺席), one session's lists, and the two actions on 未关联活动的签到:
 * link check-ins to a session, or make a session of them (合并为一次活动). Sessions themselves are
 * written through sync (the secretary's phone, offline too).
 */
const sessionRoutes: FastifyPluginAsync = async (app) => {
  const opts = { onRequest: requireSecretary }
  const views = () => app.storage.sessionViews

  // The check-in ids of a link or merge body: 1–500 lower-case UUIDs.
  function checkinIdsOf(body: Record<string, unknown>, request: FastifyRequest, issues: FieldIssue[]): string[] {
    const ids = body.checkinIds
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > LINK_CHECKINS_MAX || !ids.every(id => typeof id === 'string' && UUID_RE.test(id))) {
      issues.push({ path: 'checkinIds', message: t(localeOf(request), 'checkinIds') })
      return []
    }
    return ids as string[]
  }

  // An unknown check-in id is the request's fault, named at its place in the list.
  function unknownCheckins(request: FastifyRequest, error: UnknownCheckinsError, ids: readonly string[]): ApiError {
    const locale = localeOf(request)
    return validationError(error.ids.map(id => ({ path: `checkinIds[${ids.indexOf(id)}]`, message: t(locale, 'checkinNotFound') })), locale)
  }

  app.get('/branch/sessions', opts, async (request): Promise<BranchSessionsResponse> => {
    const locale = localeOf(request)
    const { branch } = await secretaryBranch(request)
    const month = queryValue(request, 'month') ?? monthOf(todayIn(branch.timeZone))
    if (!isMonthKey(month))
      throw validationError([{ path: 'month', message: t(locale, 'month') }], locale)
    const { counts } = await views().month(branch.id, month)
    return { month, sessions: counts.map(c => c.session) }
  })

  app.get('/branch/sessions/:id', opts, async (request): Promise<BranchSessionDetailResponse> => {
    const { branch } = await secretaryBranch(request)
    const id = pathId(request)
    const detail = UUID_RE.test(id) ? await views().detail(branch.id, id) : undefined
    if (!detail)
      throw new ApiError('not_found', 'sessionNotFound')
    return detail
  })

  app.post('/branch/sessions/:id/link', opts, async (request): Promise<LinkCheckinsResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch } = await secretaryBranch(request)
    const id = pathId(request)
    if (!UUID_RE.test(id))
      throw new ApiError('not_found', 'sessionNotFound')
    const issues: FieldIssue[] = []
    const checkinIds = checkinIdsOf(body, request, issues)
    if (issues.length > 0)
      throw validationError(issues, locale)
    try {
      const done = await views().link(branch.id, id, checkinIds)
      if (!done)
        throw new ApiError('not_found', 'sessionNotFound')
      return { sessionId: id, ...done }
    }
    catch (error) {
      if (error instanceof UnknownCheckinsError)
        throw unknownCheckins(request, error, checkinIds)
      throw error
    }
  })

  app.post('/branch/sessions/merge', opts, async (request): Promise<MergeCheckinsResponse> => {
    const locale = localeOf(request)
    const body = bodyObject(request.body)
    const { branch, secretary } = await secretaryBranch(request)
    const issues: FieldIssue[] = []
    const id = body.id
    if (typeof id !== 'string' || !UUID_RE.test(id))
      issues.push({ path: 'id', message: t(locale, 'id') })
    const form = body.form
    if (typeof form !== 'string' || !isSessionForm(form))
      issues.push({ path: 'form', message: t(locale, 'sessionForm') })
    const date = body.date
    if (typeof date !== 'string' || !isIsoDate(date))
      issues.push({ path: 'date', message: t(locale, 'sessionDate') })
    const topic = body.topic === undefined || body.topic === null ? null : textField(body.topic, 'topic', 1, 200, 'sessionTopic', locale, issues)
    const checkinIds = checkinIdsOf(body, request, issues)
    if (issues.length > 0)
      throw validationError(issues, locale)
    try {
      // The topic defaults to the first check-in's (what the members wrote about it).
      const first = topic ?? (await app.storage.branchAdmin.recordsWhere(branch.id, 'studyCheckins', { ids: checkinIds.slice(0, 1) }))[0]
      const sessionTopic = typeof first === 'string' ? first : first?.table === 'studyCheckins' ? first.data.topic : null
      if (sessionTopic === null)
        throw new UnknownCheckinsError([checkinIds[0]!])
      const done = await views().merge(branch.id, secretary.id, { id: id as string, form: form as SessionForm, date: date as string, topic: sessionTopic }, checkinIds)
      if (!done)
        throw validationError([{ path: 'id', message: t(locale, 'sessionIdTaken') }], locale)
      const session = (await views().session(branch.id, id as string))!
      return { sessionId: id as string, ...done, session }
    }
    catch (error) {
      if (error instanceof UnknownCheckinsError)
        throw unknownCheckins(request, error, checkinIds)
      throw error
    }
  })
}

export default sessionRoutes
