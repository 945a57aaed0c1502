/** Bytes as the 资料 list shows them: whole KB under a megabyte, MB with one decimal above. */
export function formatStoredSize(bytes: number): { unit: 'KB' | 'MB', n: string } {
  if (bytes < 1024 * 1024)
    return { unit: 'KB', n: String(bytes === 0 ? 0 : Math.max(1, Math.round(bytes / 1024))) }
  return { unit: 'MB', n: (bytes / (1024 * 1024)).toFixed(1) }
}

/** Month and day of a `YYYY-MM-DD` date, without leading zeros (学习截止 12月5日). */
export function monthDay(date: string): { month: number, day: number } {
  const [, month = '0', day = '0'] = date.split('-')
  return { month: Number(month), day: Number(day) }
}

/** Download progress in whole percent; 0 while the size is not known yet. */
export function downloadPercent(received: number, total: number | null | undefined): number {
  if (!total || total <= 0)
    return 0
  return Math.min(100, Math.floor(received / total * 100))
}
