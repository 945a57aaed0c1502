import { DEMO_SHAPE, fillBranch } from '../demo'
import { openStorage } from '../storage'
import { loadConfigOrExit, runCommand } from './command'

/**
 * `npm run demo`: fills a fresh database (DATA_DIR / DATABASE_URL, like the server) with a
 * realistic branch, so a newcomer can look at the secretary's pages at once. Refuses a database
 * that already has a branch: demo data must never mix with real records.
 */

async function main(): Promise<number> {
  const config = loadConfigOrExit()
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl })
  try {
    const where = config.databaseUrl ? 'the PostgreSQL database in DATABASE_URL' : `${config.dataDir} (DATA_DIR)`
    if (await storage.branches.count() > 0) {
      console.error(`demo: ${where} already has a branch; the demo only fills an empty database. Point DATA_DIR at a new folder (e.g. DATA_DIR=./demo-data npm run demo) and start the server with the same DATA_DIR.`)
      return 1
    }
    const filled = await fillBranch(storage, DEMO_SHAPE)
    const c = filled.counts
    console.log(`demo: filled ${where} with the branch “${filled.branch.name}”:`)
    console.log(`  ${c.members} members (${c.retired} retired), ${c.studyCheckins} study check-ins over ${DEMO_SHAPE.weeks} weeks, ${c.serviceLogs} service logs, ${c.readingNotes} reading notes, ${c.problems} problems, ${c.materials} materials, ${c.sessions} sessions (组织生活)`)
    console.log(`  secretary invite code (书记邀请码): ${filled.branch.secretaryInviteCode}`)
    console.log(`  member invite code (党员邀请码):    ${filled.branch.memberInviteCode}`)
    if (filled.noPhoneMember)
      console.log(`  ${filled.noPhoneMember.name} has no phone (records entered by the secretary); 认领码 ${filled.noPhoneMember.claimCode}, valid 7 days: on a phone open /join, 用认领码登录`)
    if (filled.mergedDuplicate)
      console.log(`  ${filled.mergedDuplicate.name} joined again from a new phone on the 1st of last month; the secretary merged the duplicate back (合并到…): ${filled.mergedDuplicate.records} records moved, one ${filled.mergedDuplicate.name} in 成员管理 with two devices`)
    console.log(`next: start the server on the same data (${config.databaseUrl ? 'DATABASE_URL=… ' : `DATA_DIR=${config.dataDir} `}npm start), open http://localhost:${config.port}/join, and join with the secretary invite code to see the 支部 tab.`)
    return 0
  }
  finally {
    await storage.close()
  }
}

runCommand(main)
