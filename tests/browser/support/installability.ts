import type { Page } from 'playwright-core'

interface InstallabilityError { errorId: string, errorArguments: { name: string, value: string }[] }

/**
 * Chromium's own verdict on whether the page can be installed (`Page.getInstallabilityErrors`),
 * minus `in-incognito`: test contexts are incognito-like profiles, which only blocks the prompt.
 */
export async function installabilityErrors(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors') as { installabilityErrors: InstallabilityError[] }
    return installabilityErrors
      .filter(e => e.errorId !== 'in-incognito')
      .map(e => [e.errorId, ...e.errorArguments.map(a => `${a.name}=${a.value}`)].join(' '))
  }
  finally {
    await cdp.detach()
  }
}
