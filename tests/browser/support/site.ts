import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import type { CreatedBranch, RunningServer } from './server'
import { afterAll, beforeAll, inject } from 'vitest'
import { collectPageErrors, launchChromium, newPhoneContext } from './browser'
import { reportPageOnFailure } from './diagnose'
import { createBranch, startServer } from './server'

/** One phone in a test: its own profile, a page on it, and the page's uncaught errors so far. */
export interface Phone {
  context: BrowserContext
  page: Page
  errors: string[]
}

/** What one test file runs against: the real server serving build A, and one Chromium. */
export interface TestSite {
  readonly server: RunningServer
  readonly browser: Browser
  /** A fresh phone profile with one page, whose state is printed under `label` if the test fails. */
  phone: (label: string, options?: BrowserContextOptions) => Promise<Phone>
}

/** A test site whose database holds one branch, made with the admin CLI. */
export interface BranchSite extends TestSite {
  readonly branch: CreatedBranch
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new Error(`${what} is not ready: read it inside a test or a beforeAll registered after useServer/useBranchServer`)
  return value
}

function useSite(branchName: string | undefined): BranchSite {
  let server: RunningServer | undefined
  let browser: Browser | undefined
  let branch: CreatedBranch | undefined

  beforeAll(async () => {
    server = await startServer({ staticFrom: inject('buildA') })
    browser = await launchChromium()
    if (branchName !== undefined)
      branch = await createBranch(server, branchName)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  return {
    get server() {
      return started(server, 'the server')
    },
    get browser() {
      return started(browser, 'Chromium')
    },
    get branch() {
      return started(branch, 'the branch')
    },
    async phone(label, options) {
      const context = await newPhoneContext(started(browser, 'Chromium'), options)
      const page = await context.newPage()
      reportPageOnFailure(page, label)
      return { context, page, errors: collectPageErrors(page) }
    },
  }
}

/**
 * Registers the file's beforeAll/afterAll: starts the server with build A (empty database) and
 * Chromium, and stops both. Call it inside the `describe`; read the getters in tests.
 */
export function useServer(): TestSite {
  return useSite(undefined)
}

/** Like `useServer`, and creates the branch `branchName` once the server runs. */
export function useBranchServer(branchName: string): BranchSite {
  return useSite(branchName)
}
