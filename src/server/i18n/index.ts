import type { Locale } from '../../domain/locale'
import type { ServerMessageKey } from './zh-CN'
import { en } from './en'
import { zhCN } from './zh-CN'

export type { ServerMessageKey }

const catalogs: Record<Locale, Record<ServerMessageKey, string>> = { 'zh-CN': zhCN, en }

/** A server message in `locale`, `{name}` placeholders filled from `params`. */
export function t(locale: Locale, key: ServerMessageKey, params: Record<string, string | number> = {}): string {
  return catalogs[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => name in params ? String(params[name]) : whole)
}
