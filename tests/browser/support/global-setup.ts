import type { TestProject } from 'vitest/node'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildApp } from './build'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app built with `APP_BUILD_ID=browser-a`: what every browser test serves. */
    buildA: string
    /** The same app built with `APP_BUILD_ID=browser-b`: the "new version" the update test deploys. */
    buildB: string
  }
}

/**
 * Builds the app twice, once for the whole browser project, and hands the directories to the tests.
 * `BROWSER_TEST_BUILDS=<dir>` reuses `<dir>/build-a` and `<dir>/build-b` from an earlier run instead
 * (for re-running one file while working on it; CI always builds).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prebuilt = process.env.BROWSER_TEST_BUILDS
  if (prebuilt && !process.env.CI) {
    project.provide('buildA', path.join(prebuilt, 'build-a'))
    project.provide('buildB', path.join(prebuilt, 'build-b'))
    return async () => {}
  }
  const root = await mkdtemp(path.join(tmpdir(), 'study-log-builds-'))
  const buildA = path.join(root, 'build-a')
  const buildB = path.join(root, 'build-b')
  try {
    // One after the other: two parallel vite builds on a two-core runner only slow each other down.
    await buildApp(buildA, 'browser-a')
    await buildApp(buildB, 'browser-b')
  }
  catch (error) {
    await rm(root, { recursive: true, force: true })
    throw error
  }
  project.provide('buildA', buildA)
  project.provide('buildB', buildB)
  return async () => {
    await rm(root, { recursive: true, force: true })
  }
}
