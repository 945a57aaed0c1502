import type { Page } from 'playwright-core'
import { onTestFailed } from 'vitest'

/**
 * When the current test fails, prints what the page showed (URL, visible text) and what it
 * complained about (uncaught errors, console errors): CI logs are all a failed run leaves.
 */
export function reportPageOnFailure(page: Page, label = 'page'): void {
  const complaints: string[] = []
  page.on('pageerror', error => complaints.push(`pageerror: ${String(error)}`))
  page.on('console', (message) => {
    if (message.type() === 'error')
      complaints.push(`console.error: ${message.text()}`)
  })
  onTestFailed(async () => {
    if (page.isClosed())
      return console.error(`[${label}] closed before the failure`)
    // Rendered text, not textContent: what a person saw, without hidden nodes.
    // eslint-disable-next-line unicorn/prefer-dom-node-text-content
    const text = await page.locator('body').innerText({ timeout: 2_000 }).catch((error: unknown) => `(no text: ${String(error)})`)
    console.error(`[${label}] ${page.url()}\n--- visible text ---\n${text.slice(0, 2_000)}\n--- complaints ---\n${complaints.slice(-20).join('\n') || '(none)'}`)
  })
}
