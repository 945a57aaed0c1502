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
    finishedAt: '读完时间必须是毫秒时间戳',
    materialBody: '请填写资料正文（1–100000 字）',
    materialCategory: '请选择资料类别',
    materialId: '资料 ID 必须是小写 UUID',
    materialTitle: '请填写资料标题（1–200 字）',
    minutes: '时长为 1–600 分钟的整数',
    name: '请填写姓名（1–40 字）',
    note: '备注不超过 2000 字',
    peopleServed: '服务人数为 0–10000 的整数',
    percent: '阅读进度为 0–100',
    position: '阅读位置必须是 0 或正整数',
    problemTitle: '请填写问题标题（1–100 字）',
    publishedAt: '发布时间必须是毫秒时间戳',
    reflection: '请填写心得体会（1–10000 字）',
    required: '此项必填',
    secondsSpent: '阅读时长必须是 0 或正整数（秒）',
    source: '出处不超过 200 字',
    studyBy: '请填写正确的学习截止日期，格式为 YYYY-MM-DD',
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
    finishedAt: 'The finishing time must be milliseconds since the epoch',
    materialBody: 'Enter the material\'s text (1–100000 characters)',
    materialCategory: 'Choose a category for the material',
    materialId: 'The material ID must be a lower-case UUID',
    materialTitle: 'Enter the material\'s title (1–200 characters)',
    minutes: 'Minutes must be a whole number from 1 to 600',
    name: 'Enter a name (1–40 characters)',
    note: 'The note can be at most 2000 characters',
    peopleServed: 'People served must be a whole number from 0 to 10000',
    percent: 'Reading progress must be from 0 to 100',
    position: 'The reading position must be a whole number, 0 or more',
    problemTitle: 'Enter the problem in a few words (1–100 characters)',
    publishedAt: 'The publishing time must be milliseconds since the epoch',
    reflection: 'Enter a reflection (1–10000 characters)',
    required: 'This field is required',
    secondsSpent: 'Reading time must be a whole number of seconds, 0 or more',
    source: 'The source can be at most 200 characters',
    studyBy: 'Enter a valid study-by date as YYYY-MM-DD',
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
