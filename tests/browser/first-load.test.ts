import { describe, expect, it } from 'vitest'
import { waitForServiceWorkerControl } from './support/app'
import { useServer } from './support/site'

// A first visit downloads what a member uses, compressed: the server sends the build's .br copies,
// and the service worker precaches the app without the secretary's ECharts chunk.
describe('first visit', () => {
  const site = useServer()

  it('gets the page, its scripts and styles brotli-compressed', async () => {
    const { context, page } = await site.phone('page')
    const encodings = new Map<string, string>()
    page.on('response', async (response) => {
      const path = new URL(response.url()).pathname
      if (path === '/join' || /\.(?:js|css)$/.test(path))
        encodings.set(path, (await response.allHeaders())['content-encoding'] ?? 'none')
    })
    await page.goto(`${site.server.baseUrl}/join`, { waitUntil: 'networkidle' })
    await page.getByRole('button', { name: '加入支部' }).waitFor()
    const scripts = [...encodings.keys()].filter(path => path.endsWith('.js'))
    expect(scripts.length).toBeGreaterThan(2)
    expect(encodings.get('/join')).toBe('br')
    // Files under 1 KiB are left as they are (compressing them saves less than the headers cost).
    const big = await Promise.all(scripts.map(async path => [path, (await fetch(`${site.server.baseUrl}${path}`)).headers.get('content-length')] as const))
    for (const [path, length] of big) {
      if (Number(length) >= 1024)
        expect(encodings.get(path), path).toBe('br')
    }
    await context.close()
  })

  it('precaches the member pages but not the ECharts chunk, which the server still has', async () => {
    const { context, page } = await site.phone('page')
    await page.goto(`${site.server.baseUrl}/join`)
    await waitForServiceWorkerControl(page)
    const precached = await page.evaluate(async () => {
      const urls: string[] = []
      for (const name of await caches.keys()) {
        if (!name.includes('precache'))
          continue
        const cache = await caches.open(name)
        urls.push(...(await cache.keys()).map(request => new URL(request.url).pathname))
      }
      return urls
    })
    expect(precached.some(path => /^\/assets\/StudyPage|^\/assets\/index-/.test(path))).toBe(true)
    expect(precached.some(path => path.startsWith('/assets/BranchCompletionPage-'))).toBe(true)
    expect(precached.filter(path => /echarts/i.test(path))).toEqual([])
    // The chunk is in the build (the secretary's 完成情况 fetches it, and the worker then keeps it).
    const completion = precached.find(path => path.startsWith('/assets/BranchCompletionPage-') && path.endsWith('.js'))!
    const code = await (await fetch(`${site.server.baseUrl}${completion}`)).text()
    const echarts = code.match(/echarts-[\w-]+\.js/)?.[0]
    expect(echarts, 'BranchCompletionPage imports the echarts chunk').toBeTruthy()
    expect((await fetch(`${site.server.baseUrl}/assets/${echarts}`)).status).toBe(200)
    await context.close()
  })
})
