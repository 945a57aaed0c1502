import { db } from './database'

/** The community of the member's most recently edited live service log, or '' when there is none. */
export async function latestCommunity(memberId: string): Promise<string> {
  const row = await db.serviceLogs.orderBy('updatedAt').reverse().filter(log => log.memberId === memberId && !log.deleted).first()
  return row?.community ?? ''
}
