import type { Kysely } from 'kysely'
import type { BranchesTable, Database } from '../schema'
import { DEFAULT_TIME_ZONE } from '../../../domain/week'
import { newHumanCode, newId } from '../secrets'

export interface CreatedBranch {
  branchId: string
  name: string
  memberInviteCode: string
  secretaryInviteCode: string
}

/** Branches and their two invite codes (kept readable: secretaries are shown them again later). */
export class BranchRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, db: Kysely<Database> = this.db): Promise<CreatedBranch> {
    const memberInviteCode = await this.freshCode(db)
    let secretaryInviteCode = await this.freshCode(db)
    while (secretaryInviteCode === memberInviteCode)
      secretaryInviteCode = await this.freshCode(db)
    const branch: BranchesTable = {
      id: newId(),
      name,
      time_zone: DEFAULT_TIME_ZONE,
      member_invite_code: memberInviteCode,
      secretary_invite_code: secretaryInviteCode,
      created_at: Date.now(),
    }
    await db.insertInto('branches').values(branch).execute()
    return { branchId: branch.id, name, memberInviteCode, secretaryInviteCode }
  }

  async byId(id: string, db: Kysely<Database> = this.db): Promise<BranchesTable | undefined> {
    return db.selectFrom('branches').selectAll().where('id', '=', id).executeTakeFirst()
  }

  /** The branch an invite code opens, and the role it grants. */
  async byInviteCode(code: string, db: Kysely<Database> = this.db): Promise<{ branch: BranchesTable, role: 'member' | 'secretary' } | undefined> {
    const branch = await db.selectFrom('branches').selectAll().where(eb => eb.or([eb('member_invite_code', '=', code), eb('secretary_invite_code', '=', code)])).executeTakeFirst()
    if (!branch)
      return undefined
    return { branch, role: branch.secretary_invite_code === code ? 'secretary' : 'member' }
  }

  async count(db: Kysely<Database> = this.db): Promise<number> {
    const row = await db.selectFrom('branches').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return Number(row.n)
  }

  // A code no branch uses in either column (collisions are rare; checking keeps them impossible).
  private async freshCode(db: Kysely<Database>): Promise<string> {
    for (;;) {
      const code = newHumanCode()
      const taken = await this.byInviteCode(code, db)
      if (!taken)
        return code
    }
  }
}
