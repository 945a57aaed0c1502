import type { Page } from 'playwright-core'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

interface AxeNode { target: unknown[], failureSummary?: string }
interface AxeViolation { id: string, impact: string | null, help: string, helpUrl: string, nodes: AxeNode[] }

/** One serious or critical finding, readable in a failed assertion. */
export interface A11yViolation {
  id: string
  impact: string
  help: string
  targets: string[]
  summary: string
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules plus best practices) on the page as it is now and returns
 * the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  const present = await page.evaluate(() => 'axe' in window)
  // Through the DevTools protocol, not a <script> tag: the app's CSP (script-src 'self') rightly
  // refuses inline scripts, and the page under audit must keep its real policy.
  if (!present)
    await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations
  }) as AxeViolation[]
  return violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map(n => JSON.stringify(n.target)),
      summary: v.nodes.map(n => n.failureSummary ?? '').join('\n'),
    }))
}

/** A one-line-per-violation text for assertion messages. */
export function describeViolations(violations: A11yViolation[]): string {
  return violations.map(v => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}\n  ${v.summary.replace(/\n/g, '\n  ')}`).join('\n')
}

/** Axe audits of several pages in one test, named, asserted together at its end. */
export interface A11yAudits {
  /** Lets transitions (popups, toasts) finish so axe sees the settled page, then records its findings as `name`. */
  audit: (page: Page, name: string) => Promise<void>
  /** The names audited so far, in order: guards against a test that audits less than it says. */
  names: () => string[]
  /** Each audited page that has a serious finding, with the findings; '' when there are none. */
  report: () => string
}

export function a11yAudits(): A11yAudits {
  const findings = new Map<string, A11yViolation[]>()
  return {
    async audit(page, name) {
      await page.waitForFunction(() => document.getAnimations().every(a => a.playState !== 'running'))
      findings.set(name, await seriousA11yViolations(page))
    },
    names: () => [...findings.keys()],
    report: () => [...findings].filter(([, v]) => v.length > 0).map(([name, v]) => `${name}:\n${describeViolations(v)}`).join('\n\n'),
  }
}
