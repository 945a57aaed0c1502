import type { ServerConfig } from '../config'
import { ConfigError, loadConfig } from '../config'

/** What every command under `cli/` shares: the config from the environment, and how it ends. */

/** The server's config from the environment; a bad variable ends the command with its message and exit code 2. */
export function loadConfigOrExit(): ServerConfig {
  try {
    return loadConfig()
  }
  catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
}

/** Runs a one-shot command: what `main` resolves to is the exit code; a crash is printed and exits 1. */
export function runCommand(main: () => Promise<number>): void {
  main().then((code) => {
    process.exitCode = code
  }, (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
