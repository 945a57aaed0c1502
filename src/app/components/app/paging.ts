/** Rows read per step from IndexedDB: a phone reads and draws 50 rows at once without a stutter, even throttled. */
export const PAGE_SIZE = 50
