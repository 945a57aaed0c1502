import { ORGANISATION_KIND_NAMES, ORGANISATION_KINDS, organisationKindOf } from '../../domain/organisation'
import { UUID_RE } from '../../domain/records'
import { openStorage } from '../storage'
import { loadConfigOrExit, runCommand } from './command'

/**
 * `npm run admin -- <command>`: administration against the same storage as the server
 * (DATA_DIR / DATABASE_URL). Output meant for scripts is one JSON line on stdout.
 */

const KINDS = ORGANISATION_KINDS.map(kind => `${ORGANISATION_KIND_NAMES[kind]} (${kind})`).join(', ')

const USAGE = `usage: npm run admin -- create-branch "<branch name>"
       npm run admin -- create-organisation "<name>" <kind>
       npm run admin -- attach-branch <organisationId> <branchId>
       npm run admin -- add-organisation-secretary <organisationId> "<name>"
       npm run admin -- organisation-invite-code <organisationId> [--new]

commands:
  create-branch NAME              create a branch; prints {"branchId","name","memberInviteCode","secretaryInviteCode"}
  create-organisation NAME KIND   create an organisation above branches, KIND one of ${KINDS};
                                  prints {"organisationId","name","kind","inviteCode"}: the invite code, with a
                                  name, makes an organisation secretary (组织管理员, POST /api/v1/organisation/join)
  attach-branch ORG BRANCH        attach the branch to the organisation; prints {"organisationId","branches":[{"id","name"}]}
  add-organisation-secretary ORG NAME
                                  add an organisation secretary (组织管理员); prints {"secretaryId","organisationId",
                                  "name","code","expiresAt"}: the code signs one phone in once (POST /api/v1/organisation/claim)
  organisation-invite-code ORG [--new]
                                  print the organisation's invite code, or with --new a new one (the old one stops
                                  working); prints {"organisationId","inviteCode"}

environment: DATA_DIR (SQLite, default ./data) or DATABASE_URL (postgres://…)`

type Command = { command: 'create-branch', name: string } | { command: 'create-organisation', name: string, kind: NonNullable<ReturnType<typeof organisationKindOf>> } | { command: 'attach-branch', organisationId: string, branchId: string } | { command: 'add-organisation-secretary', organisationId: string, name: string } | { command: 'organisation-invite-code', organisationId: string, rotate: boolean }

// The command line read and checked before any storage is opened; a string is what is wrong with it.
function parse(argv: string[]): Command | string | null {
  const [command, ...args] = argv
  const nameOf = (raw: string, what: string) => {
    const name = raw.trim()
    return name.length < 1 || [...name].length > 100 ? `the ${what} name must be 1–100 characters` : name
  }
  if (command === 'create-branch' && args.length === 1) {
    const name = nameOf(args[0]!, 'branch')
    return name.startsWith('the ') ? name : { command, name }
  }
  if (command === 'create-organisation' && args.length === 2) {
    const name = nameOf(args[0]!, 'organisation')
    if (name.startsWith('the '))
      return name
    const kind = organisationKindOf(args[1]!)
    return kind ? { command, name, kind } : `the kind must be one of ${KINDS}`
  }
  if (command === 'attach-branch' && args.length === 2) {
    const [organisationId, branchId] = args as [string, string]
    return UUID_RE.test(organisationId) && UUID_RE.test(branchId) ? { command, organisationId, branchId } : 'the organisation and branch ids are the UUIDs create-organisation and create-branch printed'
  }
  if (command === 'add-organisation-secretary' && args.length === 2) {
    if (!UUID_RE.test(args[0]!))
      return 'the organisation id is the UUID create-organisation printed'
    const name = nameOf(args[1]!, 'secretary')
    return name.startsWith('the ') ? name : { command, organisationId: args[0]!, name }
  }
  if (command === 'organisation-invite-code' && (args.length === 1 || (args.length === 2 && args[1] === '--new')))
    return UUID_RE.test(args[0]!) ? { command, organisationId: args[0]!, rotate: args.length === 2 } : 'the organisation id is the UUID create-organisation printed'
  return null
}

async function main(argv: string[]): Promise<number> {
  const parsed = parse(argv)
  if (typeof parsed !== 'object' || parsed === null) {
    if (parsed)
      console.error(parsed)
    console.error(USAGE)
    return 2
  }
  const config = loadConfigOrExit()
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl })
  try {
    const { organisations } = storage
    switch (parsed.command) {
      case 'create-branch':
        process.stdout.write(`${JSON.stringify(await storage.createBranch(parsed.name))}\n`)
        return 0
      case 'create-organisation':
        process.stdout.write(`${JSON.stringify(await organisations.create(parsed.name, parsed.kind))}\n`)
        return 0
      case 'attach-branch': {
        const outcome = await organisations.attach(parsed.organisationId, parsed.branchId)
        if (outcome !== 'attached') {
          console.error(outcome === 'noOrganisation' ? `no organisation ${parsed.organisationId}` : `no branch ${parsed.branchId}`)
          return 1
        }
        process.stdout.write(`${JSON.stringify({ organisationId: parsed.organisationId, branches: await organisations.branches(parsed.organisationId) })}\n`)
        return 0
      }
      case 'add-organisation-secretary': {
        const added = await storage.organisationSecretaries.add(parsed.organisationId, parsed.name)
        if (!added) {
          console.error(`no organisation ${parsed.organisationId}`)
          return 1
        }
        process.stdout.write(`${JSON.stringify(added)}\n`)
        return 0
      }
      case 'organisation-invite-code': {
        const inviteCode = parsed.rotate ? await organisations.rotateInviteCode(parsed.organisationId) : await organisations.inviteCode(parsed.organisationId)
        if (!inviteCode) {
          console.error(`no organisation ${parsed.organisationId}`)
          return 1
        }
        process.stdout.write(`${JSON.stringify({ organisationId: parsed.organisationId, inviteCode })}\n`)
        return 0
      }
    }
  }
  finally {
    await storage.close()
  }
}

runCommand(() => main(process.argv.slice(2)))
