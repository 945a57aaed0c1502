import { describe, expect, it } from 'vitest'
import { waitForServiceWorkerControl } from './support/app'
import { installabilityErrors } from './support/installability'
import { useServer } from './support/site'

interface ManifestIcon { src: string, sizes?: string, type?: string, purpose?: string }
interface WebManifest { name?: string, short_name?: string, description?: string, lang?: string, theme_color?: string, start_url?: string, display?: string, icons?: ManifestIcon[] }

describe('installable PWA', () => {
  const site = useServer()

  it('passes Chromium\'s installability check once the worker is active', async () => {
    const { context, page } = await site.phone('page')
    await page.goto(`${site.server.baseUrl}/`)
    await waitForServiceWorkerControl(page)
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await expect.poll(() => installabilityErrors(page), { timeout: 30_000 }).toEqual([])
    await context.close()
  })

  it('has a Chinese manifest with 192, 512 and maskable icons that load', async () => {
    const { context, page } = await site.phone('page')
    await page.goto(`${site.server.baseUrl}/`)
    const href = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="manifest"]')?.href ?? null)
    expect(href, 'index.html links a manifest').toBeTruthy()
    await context.close()

    const response = await fetch(href!)
    expect(response.status).toBe(200)
    const manifest = await response.json() as WebManifest
    expect(manifest.name).toBe('学习打卡')
    expect(manifest.short_name).toMatch(/\p{Script=Han}/u)
    expect(manifest.description).toMatch(/\p{Script=Han}/u)
    expect(manifest.lang).toBe('zh-CN')
    expect(manifest.theme_color).toBeTruthy()
    const icons = manifest.icons ?? []
    const sizes = icons.flatMap(i => (i.sizes ?? '').split(/\s+/))
    expect(sizes).toContain('192x192')
    expect(sizes).toContain('512x512')
    expect(icons.some(i => (i.purpose ?? '').split(/\s+/).includes('maskable'))).toBe(true)
    for (const icon of icons) {
      const iconResponse = await fetch(new URL(icon.src, href!))
      expect(iconResponse.status, icon.src).toBe(200)
      expect(iconResponse.headers.get('content-type'), icon.src).toMatch(/^image\//)
      expect((await iconResponse.arrayBuffer()).byteLength, icon.src).toBeGreaterThan(100)
    }
  })
})
