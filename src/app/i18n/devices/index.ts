import { i18n } from '@/app/i18n'
import en from './en.json'
import zhCN from './zh-CN.json'

// The device pages' strings (我的设备, 添加成员, 认领码) ride in the chunks of the pages that show
// them (join, 我的, the secretary's member pages), merged on first import.
i18n.global.mergeLocaleMessage('zh-CN', zhCN as never)
i18n.global.mergeLocaleMessage('en', en as never)

/** Imported for its effect: the device messages are merged into the app's i18n. */
export const DEVICE_MESSAGES_LOADED = true
