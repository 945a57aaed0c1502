import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from '../server'
import { loadConfigOrExit } from './command'

/**
 * `npm start`: builds the app if STATIC_DIR has none, then serves it and the API. On an empty
 * database it prints the one-time setup link that creates the first branch.
 */

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

function buildIfMissing(staticDir: string): void {
  if (existsSync(join(staticDir, 'index.html')))
    return
  console.log(`no index.html in ${staticDir}: building the app first (vite build)`)
  const vite = join(repoRoot, 'node_modules', '.bin', 'vite')
  const result = spawnSync(vite, ['build', '--outDir', resolve(staticDir), '--emptyOutDir'], { cwd: repoRoot, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`vite build failed (exit ${result.status ?? result.signal}); fix the build or set STATIC_DIR to a built app`)
    process.exit(1)
  }
}

/** The http addresses a phone on the same network can open. */
function lanUrls(port: number): string[] {
  return Object.values(networkInterfaces()).flat().filter(net => net && net.family === 'IPv4' && !net.internal).map(net => `http://${net!.address}:${port}`)
}

async function main(): Promise<void> {
  const config = loadConfigOrExit()
  buildIfMissing(config.staticDir)
  const server = await startServer(config)
  const lines = [`listening on http://${config.host}:${server.port}`]
  if (config.host === '0.0.0.0' || config.host === '::') {
    lines.push(`on this computer: http://localhost:${server.port}`)
    for (const url of lanUrls(server.port))
      lines.push(`on your network: ${url}`)
  }
  if (server.setupCode)
    lines.push(`setup: http://localhost:${server.port}/setup?code=${server.setupCode}`)
  // One write: whoever waits for "listening" (a script, the tests) reads the setup link in the same chunk.
  console.log(lines.join('\n'))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
