import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './paths'

/**
 * Builds the app with `vite build` into `outDir`, stamped with `buildId` (`APP_BUILD_ID`), the way a
 * deploy would. Rejects with vite's output when the build fails or leaves no `index.html`.
 */
export function buildApp(outDir: string, buildId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const vite = path.join(REPO_ROOT, 'node_modules/.bin/vite')
    const child = spawn(vite, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      env: { ...process.env, APP_BUILD_ID: buildId, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const append = (chunk: string) => {
      output += chunk
    }
    child.stdout.setEncoding('utf8').on('data', append)
    child.stderr.setEncoding('utf8').on('data', append)
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0)
        reject(new Error(`vite build (${buildId}) exited with ${code}:\n${output}`))
      else if (!existsSync(path.join(outDir, 'index.html')))
        reject(new Error(`vite build (${buildId}) wrote no index.html into ${outDir}:\n${output}`))
      else
        resolve()
    })
  })
}
