import type { Kysely } from 'kysely'
import type { MemberInfo, Role } from '../../../domain/wire'
import type { Database, MembersTable } from '../schema'
import { newId } from '../secrets'

/** Members of branches; `status` keeps people who leave out of counts without losing their rows. */
export class MemberRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(branchId: string, name: string, role: Role, db: Kysely<Database> = this.db): Promise<MembersTable> {
    const member: MembersTable = { id: newId(), branch_id: branchId, name, role, status: 'active', created_at: Date.now(), retired: 0, party_join_date: null }
    await db.insertInto('members').values(member).execute()
    return member
  }

  /** The member as the API shows it, with the branch's name. */
  async info(memberId: string, db: Kysely<Database> = this.db): Promise<MemberInfo | undefined> {
    const row = await db.selectFrom('members')
      .innerJoin('branches', 'branches.id', 'members.branch_id')
      .select(['members.id as id', 'members.name as name', 'members.role as role', 'members.branch_id as branchId', 'branches.name as branchName'])
      .where('members.id', '=', memberId)
      .where('members.status', '=', 'active')
      .executeTakeFirst()
    return row
  }
}
