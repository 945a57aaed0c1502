import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// The secretary's pages' strings (`branch.*` beyond the 支部 tab's own) ride in the secretary
// routes' chunks, merged on first import, so a member's phone never downloads them.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the secretary pages' messages are merged into the app's i18n. */
export const BRANCH_MESSAGES_LOADED = true
