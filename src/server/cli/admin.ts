import type { TransferRefusal } from '../storage/repositories/member-transfers'
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
       npm run admin -- member-transfer <organisationId> <fromMemberId> <toMemberId>
       npm run admin -- member-transfers <organisationId>

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
  member-transfer ORG FROM TO     record that member row FROM (转出 from one of the organisation's branches: its day
                                  of leaving recorded there) is member row TO in another of its branches, so the
                                  organisation's report counts that person once; prints {"organisationId","transfers"}
  member-transfers ORG            print the moves recorded for the organisation: {"organisationId","transfers":[…]}

environment: DATA_DIR (SQLite, default ./data) or DATABASE_URL (postgres://…)`

const TRANSFER_REFUSALS: Record<TransferRefusal, string> = {
  notFound: 'no such member in this organisation\'s branches (or no such organisation)',
  sameBranch: 'both rows are in the same branch: a move is between two branches of the organisation',
  notLeft: 'the first member has not left its branch: record the day they left (转出) there first',
  linked: 'one of these rows is already in a recorded move (a row can be in one move only)',
  loop: 'this link would close the recorded moves into a loop: check which row is the earlier one',
}

type Command = { command: 'create-branch', name: string } | { command: 'create-organisation', name: string, kind: NonNullable<ReturnType<typeof organisationKindOf>> } | { command: 'attach-branch', organisationId: string, branchId: string } | { command: 'add-organisation-secretary', organisationId: string, name: string } | { command: 'organisation-invite-code', organisationId: string, rotate: boolean } | { command: 'member-transfer', organisationId: string, fromMemberId: string, toMemberId: string } | { command: 'member-transfers', organisationId: string }

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
  if (command === 'member-transfer' && args.length === 3) {
    const [organisationId, fromMemberId, toMemberId] = args as [string, string, string]
    if (!UUID_RE.test(organisationId))
      return 'the organisation id is the UUID create-organisation printed'
    return UUID_RE.test(fromMemberId) && UUID_RE.test(toMemberId) ? { command, organisationId, fromMemberId, toMemberId } : 'the member ids are UUIDs (the member page of 成员管理 and GET /api/v1/branch/members show them)'
  }
  if (command === 'member-transfers' && args.length === 1)
    return UUID_RE.test(args[0]!) ? { command, organisationId: args[0]! } : 'the organisation id is the UUID create-organisation printed'
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
      case 'member-transfer': {
        const outcome = await storage.memberTransfers.link(parsed.organisationId, parsed.fromMemberId, parsed.toMemberId)
        if (outcome !== 'ok') {
          console.error(TRANSFER_REFUSALS[outcome])
          return 1
        }
        process.stdout.write(`${JSON.stringify({ organisationId: parsed.organisationId, transfers: await storage.memberTransfers.list(parsed.organisationId) })}\n`)
        return 0
      }
      case 'member-transfers':
        if (!await organisations.inviteCode(parsed.organisationId)) {
          console.error(`no organisation ${parsed.organisationId}`)
          return 1
        }
        process.stdout.write(`${JSON.stringify({ organisationId: parsed.organisationId, transfers: await storage.memberTransfers.list(parsed.organisationId) })}\n`)
        return 0
    }
  }
  finally {
    await storage.close()
  }
}

runCommand(() => main(process.argv.slice(2)))
