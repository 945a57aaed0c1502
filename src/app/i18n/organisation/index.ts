import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// The organisation secretary's pages' strings (组织, issue #14) ride in those pages' chunks and in
// the small 组织 entry on 我的 / 支部, merged on first import.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the organisation pages' messages are merged into the app's i18n. */
export const ORGANISATION_MESSAGES_LOADED = true
