/** The two languages the app and the server speak. zh-CN is the default everywhere. */
export type Locale = 'zh-CN' | 'en'

export const LOCALES: readonly Locale[] = ['zh-CN', 'en']

/** Picks `en` when an `Accept-Language` header (or a valibot `lang`) prefers English, else zh-CN. */
export function pickLocale(header: string | undefined | null): Locale {
  if (!header)
    return 'zh-CN'
  const ranked = header.split(',').map((part, index) => {
    const [tag = '', ...params] = part.trim().split(';')
    const q = params.map(p => p.trim()).find(p => p.startsWith('q='))
    return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, index }
  }).filter(r => r.tag && r.q > 0).sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { tag } of ranked) {
    if (tag.startsWith('zh'))
      return 'zh-CN'
    if (tag.startsWith('en'))
      return 'en'
  }
  return 'zh-CN'
}
