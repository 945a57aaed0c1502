/**
 * Every table the sync endpoint carries. Members push their own rows of each, except the
 * tables in `SECRETARY_WRITE_TABLES` (records.ts), which only a secretary of the branch may write.
 * Apart from records.ts (which re-exports them) so the app's database can name its tables without
 * the record schemas and valibot: the first page opens the database, the forms validate records.
 */
export const MEMBER_TABLES = ['studyCheckins', 'serviceLogs', 'readingNotes', 'problems', 'materials', 'readingProgress', 'sessions'] as const
export type MemberTable = typeof MEMBER_TABLES[number]
