import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// The report page's strings (阶段性总结, 定稿) ride in the chunks of the secretary's summary pages,
// merged on first import.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the report messages are merged into the app's i18n. */
export const REPORT_MESSAGES_LOADED = true
