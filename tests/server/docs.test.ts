import type { MaterialServerFields, ProblemServerFields } from '../../src/domain/records'
import type { JoinResponse, MeResponse } from '../../src/domain/wire'
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { MEMBER_TABLES, recordDataSchemas } from '../../src/domain/records'
import { BODY_LIMIT_BYTES, SYNC_BATCH_LIMIT } from '../../src/domain/wire'
import { ERROR_STATUS } from '../../src/server/errors'
import { useApp } from './support/api'
import { describeEachBackend, useStorage } from './support/backends'

/** The API document is served as it is written, and names every route, table, field and error code the server has. */

const source = readFileSync(new URL('../../src/server/api.md', import.meta.url), 'utf8')

// The document's section for one table (or route): from its `### \`table\`` heading to the next heading.
function tableSection(table: string): string {
  const start = source.indexOf(`### \`${table}\``)
  expect(start, `a section for ${table}`).toBeGreaterThan(-1)
  const end = source.indexOf('\n#', start + 4)
  return source.slice(start, end === -1 ? undefined : end)
}

const PROBLEM_SERVER_FIELDS = ['reporterName', 'status', 'ownerName', 'resolution', 'statusUpdatedAt'] as const satisfies readonly (keyof ProblemServerFields)[]
const MATERIAL_SERVER_FIELDS = ['authorName', 'bodyChars', 'bodyBytes'] as const satisfies readonly (keyof MaterialServerFields)[]

describeEachBackend('API document', (backend) => {
  const ctx = useStorage(backend)
  const { app: appOf } = { app: useApp(() => ctx.storage) }
  const app = () => appOf.app

  it('is served at GET /api/v1/docs as UTF-8 Markdown, without a token', async () => {
    const res = await app().inject({ method: 'GET', url: '/api/v1/docs' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8')
    expect(res.body).toBe(source)
    expect(res.body).toContain('# 学习打卡')
  })

  it('names every route the server answers, and only those', async () => {
    const routes = [...new Set(app().apiRoutes.map(r => `${r.method} ${r.url}`))]
    expect(routes).toEqual(expect.arrayContaining(['GET /api/v1/health', 'POST /api/v1/sync', 'GET /api/v1/docs']))
    for (const route of routes)
      expect(source, route).toContain(`\`${route}`)
    const documented = [...source.matchAll(/^### `(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/[\w/:.-]*)/gm)].map(m => `${m[1]} ${m[2]}`)
    expect([...new Set(documented)].sort()).toEqual(routes.sort())
  })

  it('describes every member table and every field of its data', () => {
    for (const table of MEMBER_TABLES) {
      const section = tableSection(table)
      for (const field of Object.keys(recordDataSchemas[table].entries))
        expect(section, `${table}.${field}`).toContain(`| \`${field}\` |`)
    }
    const problems = tableSection('problems')
    for (const field of PROBLEM_SERVER_FIELDS)
      expect(problems, `problems.${field}`).toContain(`| \`${field}\` |`)
    const materials = tableSection('materials')
    for (const field of MATERIAL_SERVER_FIELDS)
      expect(materials, `materials.${field}`).toContain(`| \`${field}\` |`)
  })

  it('names every field of the member that join and GET /me return', async () => {
    const branch = await ctx.storage.createBranch('文档支部')
    const joined = await app().inject({ method: 'POST', url: '/api/v1/join', payload: { inviteCode: branch.memberInviteCode, name: '张三' } })
    const { token, member } = joined.json<JoinResponse>()
    const me = (await app().inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).json<MeResponse>()
    for (const [route, fields] of [['POST /api/v1/join', Object.keys(member)], ['GET /api/v1/me', Object.keys(me.member)]] as const) {
      for (const field of fields)
        expect(tableSection(route), `${route} member.${field}`).toContain(`"${field}"`)
    }
  })

  it('lists every error code with its status, and the limits the server enforces', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS))
      expect(source, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`))
    expect(source).toContain(`**${SYNC_BATCH_LIMIT} changes**`)
    expect(source).toContain(`${BODY_LIMIT_BYTES.toLocaleString('en')} bytes`)
  })
})
