import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// The reading clock's strings (居家学习) ride in the reader's chunk, merged on first import.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the home-study messages are merged into the app's i18n. */
export const HOME_STUDY_MESSAGES_LOADED = true
