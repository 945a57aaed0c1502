import type { Locale } from './locale'
import type { ServiceActivity } from './records'
import type { SessionForm } from './sessions'
import { SERVICE_ACTIVITIES } from './records'
import { addDays, isCalendarDate, isCalendarYear, utcMs } from './week'

/**
 * The monthly phase summary's figures (阶段性总结), each defined once here: its key, label, unit,
 * the seed report's target, and the rule that counts it. The server turns each rule into SQL and
 * into the list of rows behind the figure, so a figure and its rows can never disagree.
 *
 * A month is a calendar month in the branch's time zone; a dated record belongs to the month of its
 * `date`; a reading note (no date) to the month of its last `updatedAt`; deleted rows never count.
 */

// ---- months -----------------------------------------------------------------------------------

const MONTH_RE = /^\d{4}-(?:0[1-9]|1[0-2])$/

/** A `YYYY-MM` month key in years MIN_YEAR–MAX_YEAR (so the months either side are months too). */
export function isMonthKey(value: string): boolean {
  return MONTH_RE.test(value) && isCalendarYear(Number(value.slice(0, 4)))
}

/** The month key `YYYY-MM` of a date `YYYY-MM-DD`. */
export const monthOf = (date: string): string => date.slice(0, 7)

/** The first and last day of a month. */
export function monthRange(month: string): { start: string, end: string } {
  const start = `${month}-01`
  return { start, end: addDays(`${shiftMonth(month, 1)}-01`, -1) }
}

/** The month `offset` months from `month` (negative goes back). */
export function shiftMonth(month: string, offset: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const index = y * 12 + (m - 1) + offset
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** Every month from `from` to `to`, inclusive (empty when `to` is before `from`). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = []
  for (let m = from; m <= to; m = shiftMonth(m, 1))
    months.push(m)
  return months
}

// Offset of a time zone from UTC at an instant (ms), from Intl's wall-clock parts.
function zoneOffset(timeZone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant)
  const part = (type: string) => Number(parts.find(p => p.type === type)?.value)
  const wall = utcMs(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'))
  return wall - Math.floor(instant / 1000) * 1000
}

/** The instant (ms) a day begins in a time zone. */
export function startOfDayIn(date: string, timeZone: string): number {
  if (!isCalendarDate(date))
    throw new RangeError(`not a date: ${date}`)
  const wall = Date.parse(`${date}T00:00:00Z`)
  const first = wall - zoneOffset(timeZone, wall)
  return wall - zoneOffset(timeZone, first)
}

/** A month as instants: `[start, end)` in ms, for rows dated only by a timestamp. */
export function monthInstants(month: string, timeZone: string): { start: number, end: number } {
  return { start: startOfDayIn(`${month}-01`, timeZone), end: startOfDayIn(`${shiftMonth(month, 1)}-01`, timeZone) }
}

/** Percent with one decimal (93.3), or null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null
}

// ---- figures ----------------------------------------------------------------------------------

/**
 * How a figure counts. `sessions` are the branch's live sessions (组织生活, issue #13) of `forms`
 * (all forms when absent) whose first day is in the month (a session spanning two months counts in
 * the month it starts), with their attendance as `matchAttendance` (src/domain/sessions.ts) derives
 * it, among the members of the branch on each session's first day (the membership history, so a
 * later join, departure or retirement never moves a past month):
 * - `held`: sessions (one however many days or attendees; never inferred from check-ins);
 * - `attendance`: 人次, attendees summed over the sessions (代签 included); `members`: distinct attendees;
 * - `rate`: attendance ÷ expected members summed over the sessions, in percent; `activeOnly` counts
 *   only those 在职 on the day (retired members cannot attend, 无法组织集中学习);
 * - `leaves`: 人次 on leave (请假) who did not attend; `absent`: 人次 expected, neither there nor on leave;
 * - `weeksWithout`: ISO weeks with a day in the month (begun by today) in which no live session of
 *   the forms has a day ("每周开展一次支部集中研学"); `detail` names them;
 * - `unlinked`: the month's check-ins of a session form that attend no session (未关联活动的签到).
 * `study`/`service` rows are the month's live rows matching the filter; `measure` says what of them
 * is counted: `members`: distinct members; `rows`: rows (service: 人次, one log is one member in one
 * activity); `hours`, `minutes`: sums; `withMaterial`: rows linked to a branch material.
 * `retiredOnly` keeps the rows of members retired on the row's date; `homeStudy` keeps home study
 * (居家学习): `home_study` check-ins and self-study linked to a branch material, never a
 * collective activity the member attended in person.
 * `problems` look at the register as of the month's last instant (a status is the latest status
 * change at or before it; before any change a problem is open); `collected` counts problems dated
 * up to the month's end (截至月底), `collectedInMonth` those dated in the month.
 * `withOwner` counts the collected problems that have a 责任人 (`ownerName`) now ("全部下派明确责任").
 * `notes` are reading notes whose last write falls in the month.
 * `members` are the members of the branch on the month's last day (from the membership history):
 * all, those retired then, and those of them with no live study check-in dated in the month.
 */
export type FigureRule
  = | { source: 'study', retiredOnly?: boolean, homeStudy?: boolean, measure: 'members' | 'rows' | 'minutes' | 'withMaterial' }
    | { source: 'sessions', forms?: readonly SessionForm[], activeOnly?: boolean, measure: SessionMeasure }
    | { source: 'service', activity?: ServiceActivity, measure: 'rows' | 'hours' | 'members' | 'peopleServed' }
    | { source: 'problems', measure: 'collected' | 'collectedInMonth' | 'open' | 'in_progress' | 'solved' | 'withOwner' }
    | { source: 'notes', measure: 'rows' | 'members' }
    | { source: 'members', measure: 'total' | 'retired' | 'withoutStudy' }

export type SessionMeasure = 'held' | 'attendance' | 'members' | 'rate' | 'leaves' | 'absent' | 'weeksWithout' | 'unlinked'

export type UnitKey = 'times' | 'personTimes' | 'persons' | 'percent' | 'hours' | 'items' | 'notes' | 'minutes' | 'weeks'

export interface FigureSpec {
  key: string
  rule: FigureRule
  unit: UnitKey
  /** The seed report's monthly target ("每月组织2次学习交流活动", "每月开展1次专题研讨"). */
  target?: number
  label: Record<Locale, string>
}

const ACTIVITY_LABELS: Record<ServiceActivity, Record<Locale, string>> = {
  publicity: { 'zh-CN': '主题教育宣讲', 'en': 'Publicity talks' },
  visit: { 'zh-CN': '走访慰问', 'en': 'Visits' },
  volunteer: { 'zh-CN': '志愿服务', 'en': 'Volunteering' },
  charity_purchase: { 'zh-CN': '爱心消费', 'en': 'Charity purchases' },
  other: { 'zh-CN': '其他服务', 'en': 'Other service' },
}

function held(key: string, form: SessionForm, zh: string, en: string, target?: number): FigureSpec {
  return {
    key,
    rule: { source: 'sessions', forms: [form], measure: 'held' },
    unit: 'times',
    ...(target === undefined ? {} : { target }),
    label: { 'zh-CN': zh, 'en': en },
  }
}

const BRANCH_STUDY = ['branch_study'] as const satisfies readonly SessionForm[]

/** Every figure of the summary, in the order the report reads them. */
export const SUMMARY_FIGURES: readonly FigureSpec[] = [
  { key: 'branchStudy.held', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'held' }, unit: 'times', label: { 'zh-CN': '支部集中学习', 'en': 'Branch study sessions' } },
  { key: 'branchStudy.attendance', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'attendance' }, unit: 'personTimes', label: { 'zh-CN': '参学党员', 'en': 'Attendance' } },
  { key: 'branchStudy.members', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'members' }, unit: 'persons', label: { 'zh-CN': '参学党员人数', 'en': 'Members attending' } },
  { key: 'branchStudy.rate', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'rate' }, unit: 'percent', label: { 'zh-CN': '参学率', 'en': 'Participation rate' } },
  { key: 'branchStudy.rateActive', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'rate', activeOnly: true }, unit: 'percent', label: { 'zh-CN': '在职党员参学率', 'en': 'Participation rate of members in work' } },
  { key: 'branchStudy.leaves', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'leaves' }, unit: 'personTimes', label: { 'zh-CN': '请假', 'en': 'On leave' } },
  { key: 'branchStudy.absent', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'absent' }, unit: 'personTimes', label: { 'zh-CN': '缺席', 'en': 'Absent' } },
  { key: 'branchStudy.weeksWithout', rule: { source: 'sessions', forms: BRANCH_STUDY, measure: 'weeksWithout' }, unit: 'weeks', label: { 'zh-CN': '未开展支部集中学习的周', 'en': 'Weeks without branch study' } },
  held('exchange.held', 'exchange', '学习交流活动', 'Study exchanges', 2),
  held('seminar.held', 'seminar', '专题研讨', 'Themed seminars', 1),
  held('partyLecture.held', 'party_lecture', '专题党课', 'Party lectures'),
  held('partyDay.held', 'party_day', '主题党日', 'Theme Party days'),
  held('readingClass.held', 'reading_class', '读书班', 'Reading classes'),
  held('training.held', 'training', '专题培训', 'Trainings'),
  held('partyCongress.held', 'party_congress', '支部党员大会', 'Branch general meetings'),
  held('committee.held', 'committee', '支部委员会', 'Branch committee meetings'),
  held('groupMeeting.held', 'group_meeting', '党小组会', 'Party group meetings'),
  { key: 'sessions.held', rule: { source: 'sessions', measure: 'held' }, unit: 'times', label: { 'zh-CN': '组织生活', 'en': 'Sessions' } },
  { key: 'sessions.attendance', rule: { source: 'sessions', measure: 'attendance' }, unit: 'personTimes', label: { 'zh-CN': '组织生活出席', 'en': 'Session attendance' } },
  { key: 'sessions.rate', rule: { source: 'sessions', measure: 'rate' }, unit: 'percent', label: { 'zh-CN': '组织生活出席率', 'en': 'Session attendance rate' } },
  { key: 'sessions.leaves', rule: { source: 'sessions', measure: 'leaves' }, unit: 'personTimes', label: { 'zh-CN': '组织生活请假', 'en': 'Session leave' } },
  { key: 'sessions.absent', rule: { source: 'sessions', measure: 'absent' }, unit: 'personTimes', label: { 'zh-CN': '组织生活缺席', 'en': 'Session absences' } },
  { key: 'sessions.unlinkedCheckins', rule: { source: 'sessions', measure: 'unlinked' }, unit: 'times', label: { 'zh-CN': '未关联活动的签到', 'en': 'Sign-ins linked to no session' } },
  { key: 'study.checkins', rule: { source: 'study', measure: 'rows' }, unit: 'times', label: { 'zh-CN': '学习打卡', 'en': 'Study check-ins' } },
  { key: 'study.members', rule: { source: 'study', measure: 'members' }, unit: 'persons', label: { 'zh-CN': '参加学习党员', 'en': 'Members who studied' } },
  { key: 'service.count', rule: { source: 'service', measure: 'rows' }, unit: 'personTimes', label: { 'zh-CN': '社区活动', 'en': 'Community service' } },
  { key: 'service.hours', rule: { source: 'service', measure: 'hours' }, unit: 'hours', label: { 'zh-CN': '服务时长', 'en': 'Service hours' } },
  { key: 'service.members', rule: { source: 'service', measure: 'members' }, unit: 'persons', label: { 'zh-CN': '参与服务党员', 'en': 'Members serving' } },
  { key: 'service.peopleServed', rule: { source: 'service', measure: 'peopleServed' }, unit: 'persons', label: { 'zh-CN': '服务群众', 'en': 'People served' } },
  ...SERVICE_ACTIVITIES.map((activity): FigureSpec => ({ key: `service.byActivity.${activity}`, rule: { source: 'service', activity, measure: 'rows' }, unit: 'personTimes', label: ACTIVITY_LABELS[activity] })),
  { key: 'problems.collected', rule: { source: 'problems', measure: 'collected' }, unit: 'items', label: { 'zh-CN': '累计收集问题', 'en': 'Problems collected (to date)' } },
  { key: 'problems.collectedInMonth', rule: { source: 'problems', measure: 'collectedInMonth' }, unit: 'items', label: { 'zh-CN': '本月收集问题', 'en': 'Problems collected this month' } },
  { key: 'problems.solved', rule: { source: 'problems', measure: 'solved' }, unit: 'items', label: { 'zh-CN': '已解决', 'en': 'Solved' } },
  { key: 'problems.inProgress', rule: { source: 'problems', measure: 'in_progress' }, unit: 'items', label: { 'zh-CN': '正在推进', 'en': 'In progress' } },
  { key: 'problems.open', rule: { source: 'problems', measure: 'open' }, unit: 'items', label: { 'zh-CN': '待解决', 'en': 'Open' } },
  { key: 'problems.withOwner', rule: { source: 'problems', measure: 'withOwner' }, unit: 'items', label: { 'zh-CN': '已明确责任人', 'en': 'With an owner' } },
  { key: 'notes.count', rule: { source: 'notes', measure: 'rows' }, unit: 'notes', label: { 'zh-CN': '读书笔记', 'en': 'Reading notes' } },
  { key: 'notes.members', rule: { source: 'notes', measure: 'members' }, unit: 'persons', label: { 'zh-CN': '撰写笔记党员', 'en': 'Members writing notes' } },
  { key: 'homeStudy.retired', rule: { source: 'study', retiredOnly: true, homeStudy: true, measure: 'rows' }, unit: 'times', label: { 'zh-CN': '退休党员居家学习', 'en': 'Home study by retired members' } },
  { key: 'homeStudy.retiredMembers', rule: { source: 'study', retiredOnly: true, homeStudy: true, measure: 'members' }, unit: 'persons', label: { 'zh-CN': '参加学习的退休党员', 'en': 'Retired members studying' } },
  { key: 'homeStudy.withMaterial', rule: { source: 'study', retiredOnly: true, homeStudy: true, measure: 'withMaterial' }, unit: 'times', label: { 'zh-CN': '其中使用支部学习资料', 'en': 'Of which with a branch material' } },
  { key: 'members.total', rule: { source: 'members', measure: 'total' }, unit: 'persons', label: { 'zh-CN': '支部党员', 'en': 'Members of the branch' } },
  { key: 'members.retired', rule: { source: 'members', measure: 'retired' }, unit: 'persons', label: { 'zh-CN': '其中退休党员', 'en': 'Of which retired' } },
  { key: 'members.withoutStudy', rule: { source: 'members', measure: 'withoutStudy' }, unit: 'persons', label: { 'zh-CN': '本月未参加学习党员', 'en': 'Members with no study this month' } },
]

export const UNIT_LABELS: Record<UnitKey, Record<Locale, string>> = {
  times: { 'zh-CN': '次', 'en': 'times' },
  personTimes: { 'zh-CN': '人次', 'en': 'person-times' },
  persons: { 'zh-CN': '人', 'en': 'members' },
  percent: { 'zh-CN': '%', 'en': '%' },
  hours: { 'zh-CN': '小时', 'en': 'hours' },
  items: { 'zh-CN': '个', 'en': 'items' },
  notes: { 'zh-CN': '篇', 'en': 'notes' },
  minutes: { 'zh-CN': '分钟', 'en': 'minutes' },
  weeks: { 'zh-CN': '周', 'en': 'weeks' },
}

export function figureSpec(key: string): FigureSpec | undefined {
  return SUMMARY_FIGURES.find(f => f.key === key)
}

// ---- sentences ---------------------------------------------------------------------------------

/** A number as the report writes it: integers plain, others with at most one decimal. */
export function reportNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10)
}

const ACTIVITY_ORDER: readonly ServiceActivity[] = ['publicity', 'visit', 'volunteer', 'charity_purchase', 'other']

/**
 * The figures (by key) as sentences in the seed report's style, ready to paste: always the branch
 * study, exchanges against their targets, service and problems; the other activities, notes and
 * home study when there is something to say.
 */
export function summarySentences(values: Readonly<Record<string, number | null>>): string[] {
  const v = (key: string): number => values[key] ?? 0
  const sentences: string[] = []
  const rate = values['branchStudy.rate']
  const rateActive = values['branchStudy.rateActive']
  // The rate of members in work is said only when it differs (a branch with retired members).
  const active = rateActive === null || rateActive === undefined || rateActive === rate ? '' : `（在职党员参学率${reportNumber(rateActive)}%）`
  sentences.push(`本月共开展支部集中学习${v('branchStudy.held')}次，参学党员${v('branchStudy.attendance')}人次，参学率${rate === null || rate === undefined ? '0' : reportNumber(rate)}%${active}。`)
  sentences.push(`组织学习交流活动${v('exchange.held')}次（计划每月2次），开展专题研讨${v('seminar.held')}次（计划每月1次）。`)
  const others = [
    ['支部党员大会', 'partyCongress.held', '次'],
    ['支部委员会', 'committee.held', '次'],
    ['党小组会', 'groupMeeting.held', '次'],
    ['专题党课', 'partyLecture.held', '次'],
    ['主题党日', 'partyDay.held', '次'],
    ['读书班', 'readingClass.held', '期'],
    ['专题培训', 'training.held', '期'],
  ].filter(([, key]) => v(key!) > 0).map(([name, key, unit]) => `${name}${v(key!)}${unit}`)
  if (others.length > 0)
    sentences.push(`举办${others.join('、')}。`)
  if (v('service.count') > 0) {
    const kinds = ACTIVITY_ORDER.filter(a => a !== 'other' && v(`service.byActivity.${a}`) > 0).map(a => ACTIVITY_LABELS[a]['zh-CN'])
    const what = kinds.length > 0 ? `${kinds.join('、')}等社区活动` : '社区活动'
    sentences.push(`落实党员“双报到双服务”，${v('service.members')}名党员深入社区开展${what}${v('service.count')}人次，服务时长${reportNumber(v('service.hours'))}小时。`)
  }
  else {
    sentences.push('本月暂无党员社区服务记录。')
  }
  const open = v('problems.open')
  sentences.push(`截至本月底，共收集各类问题${v('problems.collected')}个，已解决${v('problems.solved')}个，${v('problems.inProgress')}个正在推进过程中${open > 0 ? `，${open}个待解决` : ''}。`)
  if (v('notes.count') > 0)
    sentences.push(`${v('notes.members')}名党员撰写读书笔记${v('notes.count')}篇。`)
  if (v('homeStudy.retired') > 0) {
    const withMaterial = v('homeStudy.withMaterial')
    sentences.push(`${v('homeStudy.retiredMembers')}名退休党员居家学习${v('homeStudy.retired')}次${withMaterial > 0 ? `，其中使用支部学习资料${withMaterial}次` : ''}。`)
  }
  return sentences
}
