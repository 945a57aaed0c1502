import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// The 组织生活 and 活动签到 strings ride in the chunks of the pages that show them (the member's
// 活动签到, the secretary's session pages), merged on first import.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the session messages are merged into the app's i18n. */
export const SESSION_MESSAGES_LOADED = true
