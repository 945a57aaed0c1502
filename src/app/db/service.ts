import Dexie from 'dexie'
import { db } from './database'

/** The community of the member's most recently edited live service log, or '' when there is none. */
export async function latestCommunity(memberId: string): Promise<string> {
  // The end of the member's live rows in the `[owner+updatedAt]` index (no walk over other rows).
  const row = await db.serviceLogs.where('[owner+updatedAt]').between([memberId], [memberId, Dexie.maxKey]).last()
  return row?.community ?? ''
}
