import type { Locale } from './locale'

/**
 * Validation messages shared by the app (shown at the field) and the server (in error bodies),
 * so both say the same thing about the same limit. `{n}`-style placeholders are filled by `fieldMessage`.
 */
const fieldMessages = {
  'zh-CN': {
    activity: '请选择服务类型',
    category: '请选择问题类别',
    community: '请填写报到社区（1–100 字）',
    date: '请填写正确的日期，格式为 YYYY-MM-DD',
    dateFuture: '日期不能晚于明天',
    description: '服务内容不超过 2000 字',
    detail: '问题详情不超过 2000 字',
    excerpt: '原文摘抄不超过 5000 字',
    form: '请选择学习形式',
    hours: '时长为 0.5–24 小时，以半小时为单位',
    id: 'ID 必须是小写 UUID',
    materialId: '资料 ID 必须是小写 UUID',
    minutes: '时长为 1–600 分钟的整数',
    name: '请填写姓名（1–40 字）',
    note: '备注不超过 2000 字',
    peopleServed: '服务人数为 0–10000 的整数',
    problemTitle: '请填写问题标题（1–100 字）',
    reflection: '请填写心得体会（1–10000 字）',
    required: '此项必填',
    source: '出处不超过 200 字',
    title: '请填写书名或篇目（1–200 字）',
    topic: '请填写主题（1–200 字）',
    type: '格式不正确',
  },
  'en': {
    activity: 'Choose a service type',
    category: 'Choose a problem category',
    community: 'Enter the community (1–100 characters)',
    date: 'Enter a valid date as YYYY-MM-DD',
    dateFuture: 'The date cannot be later than tomorrow',
    description: 'The description can be at most 2000 characters',
    detail: 'The detail can be at most 2000 characters',
    excerpt: 'The excerpt can be at most 5000 characters',
    form: 'Choose a form of study',
    hours: 'Hours must be 0.5–24 in steps of 0.5',
    id: 'The ID must be a lower-case UUID',
    materialId: 'The material ID must be a lower-case UUID',
    minutes: 'Minutes must be a whole number from 1 to 600',
    name: 'Enter a name (1–40 characters)',
    note: 'The note can be at most 2000 characters',
    peopleServed: 'People served must be a whole number from 0 to 10000',
    problemTitle: 'Enter the problem in a few words (1–100 characters)',
    reflection: 'Enter a reflection (1–10000 characters)',
    required: 'This field is required',
    source: 'The source can be at most 200 characters',
    title: 'Enter a title (1–200 characters)',
    topic: 'Enter a topic (1–200 characters)',
    type: 'This value has the wrong type',
  },
} as const satisfies Record<Locale, Record<string, string>>

export type FieldMessageKey = keyof typeof fieldMessages['zh-CN']

/** The message for a field rule in a locale; an unknown or missing locale falls back to zh-CN. */
export function fieldMessage(key: FieldMessageKey, lang?: string): string {
  return lang === 'en' ? fieldMessages.en[key] : fieldMessages['zh-CN'][key]
}
