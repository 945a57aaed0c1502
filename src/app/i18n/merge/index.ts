import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// 合并到…'s strings ride in the member page's chunk (secretaries only), merged on first import.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the merge messages are merged into the app's i18n. */
export const MERGE_MESSAGES_LOADED = true
