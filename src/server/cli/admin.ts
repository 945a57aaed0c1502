import { openStorage } from '../storage'
import { loadConfigOrExit, runCommand } from './command'

/**
 * `npm run admin -- <command>`: administration against the same storage as the server
 * (DATA_DIR / DATABASE_URL). Output meant for scripts is one JSON line on stdout.
 */

const USAGE = `usage: npm run admin -- create-branch "<branch name>"

commands:
  create-branch NAME   create a branch; prints {"branchId","name","memberInviteCode","secretaryInviteCode"}

environment: DATA_DIR (SQLite, default ./data) or DATABASE_URL (postgres://…)`

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  if (command !== 'create-branch' || args.length !== 1) {
    console.error(USAGE)
    return 2
  }
  const name = args[0]!.trim()
  if (name.length < 1 || [...name].length > 100) {
    console.error('the branch name must be 1–100 characters')
    console.error(USAGE)
    return 2
  }
  const config = loadConfigOrExit()
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl })
  try {
    const branch = await storage.createBranch(name)
    process.stdout.write(`${JSON.stringify(branch)}\n`)
    return 0
  }
  finally {
    await storage.close()
  }
}

runCommand(() => main(process.argv.slice(2)))
