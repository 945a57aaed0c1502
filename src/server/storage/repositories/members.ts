import type { Kysely } from 'kysely'
import type { MemberInfo, Role } from '../../../domain/wire'
import type { Database, MembersTable } from '../schema'
import { newId, newIdSeed } from '../secrets'

/** Members of branches; `status` keeps people who leave out of counts without losing their rows. */
export class MemberRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(branchId: string, name: string, role: Role, db: Kysely<Database> = this.db): Promise<MembersTable & { id_seed: string }> {
    const member = { id: newId(), branch_id: branchId, name, role, status: 'active', created_at: Date.now(), retired: 0, party_join_date: null, id_seed: newIdSeed(), joined_on: null, left_on: null, left_reason: null } satisfies MembersTable
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

  /**
   * The member's id seed, for the member's own devices only (join, setup, `GET /me`). A row without
   * one (written by a server older than migration 0008 while it ran) gets one here, once: of two
   * concurrent callers the first write wins and both read it back.
   */
  async idSeed(memberId: string, db: Kysely<Database> = this.db): Promise<string> {
    const seedOf = async () => (await db.selectFrom('members').select('id_seed').where('id', '=', memberId).executeTakeFirstOrThrow()).id_seed
    const seed = await seedOf()
    if (seed)
      return seed
    await db.updateTable('members').set({ id_seed: newIdSeed() }).where('id', '=', memberId).where('id_seed', 'is', null).execute()
    return (await seedOf())!
  }
}
