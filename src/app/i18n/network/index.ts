import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// 需要联网 must be on the phone before the network goes: these strings ride in the entry chunk.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the network messages are merged into the app's i18n. */
export const NETWORK_MESSAGES_LOADED = true
