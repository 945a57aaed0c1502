import type { MaterialCategory, ProblemCategory, ServiceActivity, StudyForm } from '../domain/records'
import type { SessionData, SessionForm, SessionLeave } from '../domain/sessions'
import type { AcceptedChange, CreatedBranch, Storage } from './storage'
import { randomUUID } from 'node:crypto'
import { monthOf, shiftMonth, startOfDayIn } from '../domain/summary'
import { addDays, currentWeek, DEFAULT_TIME_ZONE, shiftWeek, todayIn, weekRange } from '../domain/week'
import { MembershipHistory } from './storage/repositories/history'
import { MemberMerge } from './storage/repositories/merge'

/**
 * A realistic branch generated into a storage: members (some retired, with Party join dates),
 * weeks of study (branch study weekly, exchanges, seminars, Party days…, each a session of the
 * branch with its 签到码, minutes and 请假, that members sign in to), community service,
 * reading notes, problems in every status, and study materials. `npm run demo` fills a fresh
 * database with a small one; the bench fills a 500-member year. Deterministic for a seed.
 */

export interface BranchShape {
  branchName: string
  members: number
  retiredShare: number
  weeks: number
  /** Chance that a member in work attends the weekly branch study. */
  attendance: number
  /** Chance that a member in work attends each other collective activity. */
  activityAttendance: number
  /** Expected self-study check-ins per member in work per week. */
  selfStudyPerWeek: number
  /** Expected service logs per member per month. */
  servicePerMonth: number
  /** Expected reading notes per member per month. */
  notesPerMonth: number
  problemsPerWeek: number
  materials: number
  seed: number
}

export const DEMO_SHAPE: BranchShape = {
  branchName: '第一党支部（演示）',
  members: 30,
  retiredShare: 0.2,
  weeks: 12,
  attendance: 0.85,
  activityAttendance: 0.6,
  selfStudyPerWeek: 0.4,
  servicePerMonth: 1.5,
  notesPerMonth: 0.6,
  problemsPerWeek: 2,
  materials: 4,
  seed: 20231015,
}

export interface FilledBranch {
  branch: CreatedBranch
  secretaryId: string
  /** The member without a phone (issue #12): no device, records entered by the secretary (代录), and a live 认领码 to try 用认领码登录 with. */
  noPhoneMember: { id: string, name: string, claimCode: string } | null
  /** A member who joined again from a new phone this month and whose duplicate the secretary merged back (合并到…, issue #12). */
  mergedDuplicate: { id: string, name: string, duplicateId: string, records: number } | null
  counts: { members: number, retired: number, studyCheckins: number, serviceLogs: number, readingNotes: number, problems: number, materials: number, sessions: number }
}

// mulberry32: a small seeded generator, so a demo is the same every time.
function generator(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤']
const GIVEN = ['建国', '秀英', '志强', '桂英', '海燕', '卫东', '丽华', '国庆', '红梅', '立新', '玉兰', '振华', '淑珍', '德明', '春燕', '文博', '晓东', '静', '磊', '芳', '勇', '敏', '军', '洁', '涛', '娜', '明', '霞', '强', '艳', '伟', '婷', '斌', '颖', '杰', '丹', '凯', '倩', '鹏', '琳']
const COMMUNITIES = ['东城社区', '西园社区', '南湖社区', '北苑社区', '滨江社区']
const STUDY_TOPICS: Record<StudyForm, string[]> = {
  branch_study: ['学习习近平新时代中国特色社会主义思想专题摘编', '学习党的二十大报告', '学习《论党的自我革命》', '学习新修订的《中国共产党纪律处分条例》', '学思想、强党性、重实践、建新功'],
  party_lecture: ['专题党课：以学铸魂、以学增智'],
  party_day: ['主题党日：重温入党誓词', '主题党日：追寻红色足迹'],
  reading_class: ['读书班：读原著、学原文、悟原理'],
  seminar: ['专题研讨：树立和践行正确政绩观', '专题研讨：推动高质量发展'],
  exchange: ['读书成果交流会', '学习心得交流'],
  training: ['党校专家专题授课辅导'],
  self_study: ['学习强国每日学习', '自学《习近平谈治国理政》第四卷'],
  home_study: ['居家学习支部学习资料', '居家收看专题讲座'],
}
const PLACES = ['党员活动室', '社区党群服务中心', '三楼会议室', '红色教育基地']
const SPEAKERS = ['支部书记', '党校张教授', '支部委员', '优秀党员代表']
const LEAVE_REASONS = ['出差', '身体不适', '值班', '家中有事', '外出培训']
const ELDER_LEAVE = '年老体弱，居家学习'
const SERVICE_TEXT: Record<ServiceActivity, string> = {
  publicity: '在社区开展主题教育宣讲',
  visit: '走访慰问困难群众和老党员',
  volunteer: '参加社区环境整治志愿服务',
  charity_purchase: '参加爱心消费助农活动',
  other: '协助社区做好疫情防控和文明创建',
}
const PROBLEMS: [ProblemCategory, string][] = [
  ['livelihood', '老旧小区加装电梯进展慢'],
  ['livelihood', '老年人助餐点就餐不便'],
  ['environment', '垃圾清运不及时'],
  ['environment', '楼道堆放杂物存在消防隐患'],
  ['livelihood', '小区路灯损坏'],
  ['employment', '高校毕业生求职信息不畅'],
  ['other', '社区停车位紧张'],
  ['livelihood', '雨天积水影响出行'],
]
const MATERIALS: [MaterialCategory, string, string][] = [
  ['guidance', '第二批主题教育学习要点', '# 学习要点\n坚持学思想、强党性、重实践、建新功的总要求。\n## 一、理论学习\n- 读原著、学原文、悟原理\n- 每周开展一次支部集中学习\n## 二、为民办实事\n聚焦群众急难愁盼问题，扎实推进“我为群众办实事”实践活动。'],
  ['classic', '《论党的自我革命》选读', '# 论党的自我革命（选读）\n> 勇于自我革命是我们党区别于其他政党的显著标志。\n全面从严治党永远在路上，党的自我革命永远在路上。'],
  ['speech', '在主题教育工作会议上的讲话（摘要）', '# 讲话摘要\n以学铸魂、以学增智、以学正风、以学促干。\n要把理论学习、调查研究、推动发展、检视整改、建章立制有机融合起来。'],
  ['notice', '关于开展“双报到双服务”的通知', '# 通知\n请各位党员到居住地社区报到，每月至少参加一次社区服务活动，并在学习打卡中登记。'],
  ['guidance', '退休党员居家学习指引', '# 居家学习指引\n1. 每周阅读一篇支部学习资料\n2. 在学习打卡中签到，学习形式选“居家学习”\n3. 有体会可以写读书笔记'],
]

// What members' browsers call themselves (deviceNameFrom), for the devices the demo gives them.
const DEMO_DEVICE_NAMES = ['Android · Chrome', 'Android · WeChat', 'iPhone · Safari', 'iPhone · WeChat', 'HarmonyOS · Huawei Browser', 'Android · V2309A · WeChat']

/** Generates a branch into `storage` (which should hold no such branch yet) and returns what it made. */
export async function fillBranch(storage: Storage, shape: BranchShape, now: number = Date.now()): Promise<FilledBranch> {
  const random = generator(shape.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const chance = (p: number): boolean => random() < p
  // A whole number with expectation `mean` (Poisson-like, small means only).
  const howMany = (mean: number): number => {
    let n = Math.floor(mean)
    if (random() < mean - n)
      n++
    return n
  }
  const timeZone = DEFAULT_TIME_ZONE
  const today = todayIn(timeZone, now)
  const firstWeek = shiftWeek(currentWeek(timeZone, now), -(shape.weeks - 1))
  const start = weekRange(firstWeek).start
  const instant = (date: string, hours: number): number => startOfDayIn(date, timeZone) + hours * 3_600_000

  const branch = await storage.createBranch(shape.branchName)
  const people: { id: string, name: string, retired: boolean, role: 'member' | 'secretary', changes: AcceptedChange[] }[] = []
  const usedNames = new Set<string>()
  for (let i = 0; i < shape.members; i++) {
    let name = `${pick(SURNAMES)}${pick(GIVEN)}`
    while (usedNames.has(name))
      name = `${pick(SURNAMES)}${pick(GIVEN)}${usedNames.size % 10}`
    usedNames.add(name)
    const role = i === 0 ? 'secretary' : 'member'
    const member = await storage.members.create(branch.branchId, name, role)
    const retired = i > 0 && chance(shape.retiredShare)
    const joinYear = retired ? 1965 + Math.floor(random() * 25) : 1990 + Math.floor(random() * 32)
    const joinDate = `${joinYear}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`
    await storage.db.updateTable('members').set({ retired: retired ? 1 : 0, party_join_date: chance(0.9) ? joinDate : null, created_at: instant(start, 9) - 86_400_000 }).where('id', '=', member.id).execute()
    people.push({ id: member.id, name, retired, role, changes: [] })
  }
  const secretary = people[0]!
  const inWork = people.filter(p => !p.retired)
  const retirees = people.filter(p => p.retired)

  const materialIds: string[] = []
  const materialChanges: AcceptedChange[] = MATERIALS.slice(0, shape.materials).map(([category, title, body], i) => {
    const id = randomUUID()
    materialIds.push(id)
    const publishedAt = instant(addDays(start, i * 5), 9)
    return { table: 'materials', id, updatedAt: publishedAt, deleted: false, data: { title, category, body, studyBy: null, publishedAt } }
  })
  if (materialChanges.length > 0)
    await storage.sync.push({ memberId: secretary.id, branchId: branch.branchId, role: 'secretary' }, 'demo', materialChanges)

  let stamp = 0
  const checkin = (person: typeof people[number], date: string, form: StudyForm, minutes: number, materialId: string | null = null) => {
    person.changes.push({ table: 'studyCheckins', id: randomUUID(), updatedAt: instant(date, 20) + (stamp++ % 1000), deleted: false, data: { date, form, topic: pick(STUDY_TOPICS[form]), minutes, materialId, note: null } })
  }

  // Collective activities: branch study every Wednesday, and the month's exchanges, seminar, Party day…
  const events: { date: string, form: StudyForm & SessionForm, minutes: number, attendance: number }[] = []
  for (let w = 0; w < shape.weeks; w++)
    events.push({ date: addDays(weekRange(shiftWeek(firstWeek, w)).start, 2), form: 'branch_study', minutes: 90, attendance: shape.attendance })
  const months = new Set<string>()
  for (let d = start; d <= today; d = addDays(d, 1))
    months.add(d.slice(0, 7))
  let monthIndex = 0
  for (const month of months) {
    events.push({ date: `${month}-10`, form: 'exchange', minutes: 120, attendance: shape.activityAttendance })
    events.push({ date: `${month}-24`, form: 'exchange', minutes: 120, attendance: shape.activityAttendance })
    events.push({ date: `${month}-16`, form: 'seminar', minutes: 120, attendance: shape.activityAttendance })
    events.push({ date: `${month}-06`, form: 'party_day', minutes: 120, attendance: shape.activityAttendance })
    if (monthIndex % 3 === 0)
      events.push({ date: `${month}-20`, form: 'party_lecture', minutes: 90, attendance: shape.activityAttendance })
    if (monthIndex % 6 === 1)
      events.push({ date: `${month}-13`, form: 'training', minutes: 180, attendance: shape.activityAttendance })
    if (monthIndex % 6 === 3)
      events.push({ date: `${month}-27`, form: 'reading_class', minutes: 240, attendance: shape.activityAttendance })
    monthIndex++
  }
  // Each activity is a session of the branch (组织生活, issue #13): the secretary records it, with
  // a 签到码; members sign in by picking it (sessionId) or, one in five, by typing its code; some who
  // cannot come ask for leave (请假); past sessions have minutes. The next week's branch study is
  // planned ahead. A 读书班 lasts two days, one session.
  const sessionChanges: AcceptedChange[] = []
  const codes = new Set<string>()
  const nextWeek = addDays(today, 7)
  for (const event of events.sort((a, b) => a.date.localeCompare(b.date))) {
    if (event.date < start || event.date > nextWeek)
      continue
    const id = randomUUID()
    let code = String(Math.floor(random() * 1_000_000)).padStart(6, '0')
    while (codes.has(code))
      code = String(Math.floor(random() * 1_000_000)).padStart(6, '0')
    codes.add(code)
    const topic = pick(STUDY_TOPICS[event.form])
    const held = event.date <= today
    const leaves: SessionLeave[] = []
    const data: SessionData = {
      form: event.form,
      topic,
      date: event.date,
      endDate: event.form === 'reading_class' ? addDays(event.date, 1) : null,
      time: event.form === 'branch_study' ? '14:30' : '09:00',
      place: pick(PLACES),
      host: secretary.name,
      speaker: pick(SPEAKERS),
      materialIds: materialIds.length > 0 ? [pick(materialIds)] : [],
      code,
      minutes: held ? `${event.date} 支部${topic}。会议由${secretary.name}主持，与会党员围绕学习内容结合工作实际交流发言，会议要求把学习成果转化为推动工作的实际行动。` : null,
      leaves,
    }
    if (held) {
      for (const person of inWork) {
        if (chance(event.attendance)) {
          const typed = chance(0.2)
          person.changes.push({ table: 'studyCheckins', id: randomUUID(), updatedAt: instant(event.date, 20) + (stamp++ % 1000), deleted: false, data: { date: event.date, form: event.form, topic, minutes: event.minutes, materialId: null, note: null, ...(typed ? { sessionCode: code } : { sessionId: id }) } })
        }
        else if (chance(0.3)) {
          leaves.push({ memberId: person.id, reason: pick(LEAVE_REASONS) })
        }
      }
      // Retired members cannot come to the branch study and say so: they study at home.
      if (event.form === 'branch_study') {
        for (const person of retirees.filter(() => chance(0.5)))
          leaves.push({ memberId: person.id, reason: ELDER_LEAVE })
      }
    }
    sessionChanges.push({ table: 'sessions', id, updatedAt: instant(addDays(event.date, held ? 1 : -3), 10) + (stamp++ % 1000), deleted: false, data })
  }
  const elderSessions = sessionChanges.filter(c => (c.data as SessionData).form === 'branch_study' && (c.data as SessionData).date <= today)
  for (let d = start; d <= today; d = addDays(d, 1)) {
    for (const person of inWork) {
      if (chance(shape.selfStudyPerWeek / 7))
        checkin(person, d, 'self_study', 30 + 15 * Math.floor(random() * 4))
    }
    // Retired members study at home, often from the branch's materials.
    for (const person of retirees) {
      if (chance(1.5 / 7))
        checkin(person, d, 'home_study', 30 + 10 * Math.floor(random() * 4), materialIds.length > 0 && chance(0.6) ? pick(materialIds) : null)
    }
  }

  // Service (双报到双服务) and reading notes, month by month.
  const activities: ServiceActivity[] = ['volunteer', 'volunteer', 'visit', 'publicity', 'charity_purchase', 'other']
  const days = Math.round((Date.parse(today) - Date.parse(start)) / 86_400_000) + 1
  for (const person of people) {
    const community = pick(COMMUNITIES)
    for (let n = howMany(shape.servicePerMonth * days / 30); n > 0; n--) {
      const date = addDays(start, Math.floor(random() * days))
      const activity = pick(activities)
      person.changes.push({ table: 'serviceLogs', id: randomUUID(), updatedAt: instant(date, 18) + (stamp++ % 1000), deleted: false, data: { date, community, activity, hours: 0.5 * (1 + Math.floor(random() * 6)), peopleServed: Math.floor(random() * 30), description: SERVICE_TEXT[activity] } })
    }
    for (let n = howMany(shape.notesPerMonth * days / 30); n > 0; n--) {
      const date = addDays(start, Math.floor(random() * days))
      person.changes.push({ table: 'readingNotes', id: randomUUID(), updatedAt: Math.min(now, instant(date, 21)) - (stamp++ % 1000), deleted: false, data: { title: pick(['《论党的自我革命》', '《习近平谈治国理政》', '党的二十大报告']), source: null, excerpt: '全面从严治党永远在路上。', reflection: '通过学习，进一步坚定了理想信念，要把学习成果转化为为民服务的实际行动。', materialId: null } })
    }
  }

  // Problems collected during visits and service; older ones are further along.
  const problemStatus: { id: string, date: string }[] = []
  for (let n = Math.round(shape.problemsPerWeek * shape.weeks); n > 0; n--) {
    const reporter = pick(inWork)
    const date = addDays(start, Math.floor(random() * days))
    const [category, title] = pick(PROBLEMS)
    const id = randomUUID()
    reporter.changes.push({ table: 'problems', id, updatedAt: instant(date, 19) + (stamp++ % 1000), deleted: false, data: { date, community: pick(COMMUNITIES), category, title, detail: `${title}，群众反映较多，希望尽快解决。` } })
    problemStatus.push({ id, date })
  }

  // Membership history (issue #12): one member in work left the branch (转出) on the 15th of last
  // month, so they count in the months before and in none after (their later rows are not made);
  // another retires from the 1st of this month, so the months before count them in work.
  const leftOn = `${shiftMonth(monthOf(today), -1)}-15`
  const leaver = inWork.length > 3 && leftOn > addDays(start, 7) ? inWork[1]! : undefined
  if (leaver) {
    leaver.changes = leaver.changes.filter((c) => {
      const date = (c.data as { date?: unknown } | undefined)?.date
      return c.table === 'readingNotes' ? c.updatedAt < instant(leftOn, 0) : typeof date !== 'string' || date < leftOn
    })
  }
  const newlyRetired = inWork.length > 3 ? inWork[2] : undefined

  // 合并到… (issue #12): a member in work changed phones on the 1st of last month and joined again
  // under the same name; that duplicate logged the records since until the secretary merged it
  // back below, so the member has all of them, two devices, and the duplicate is in no list.
  const twinFrom = `${shiftMonth(monthOf(today), -1)}-01`
  const twin = inWork.length > 4 && twinFrom > addDays(start, 7) ? inWork[3]! : undefined
  let duplicate: { id: string, changes: AcceptedChange[] } | undefined
  if (twin) {
    const made = await storage.members.create(branch.branchId, twin.name, 'member')
    await storage.db.updateTable('members').set({ created_at: instant(twinFrom, 9), joined_on: twinFrom }).where('id', '=', made.id).execute()
    const later = (c: AcceptedChange) => c.table === 'readingNotes' ? c.updatedAt >= instant(twinFrom, 0) : ((c.data as { date?: unknown } | undefined)?.date ?? '') >= twinFrom
    duplicate = { id: made.id, changes: twin.changes.filter(later) }
    twin.changes = twin.changes.filter(c => !later(c))
  }

  const counts = { members: people.length, retired: retirees.length, studyCheckins: 0, serviceLogs: 0, readingNotes: 0, problems: problemStatus.length, materials: materialChanges.length, sessions: sessionChanges.length }
  for (let i = 0; i < sessionChanges.length; i += 500)
    await storage.sync.push({ memberId: secretary.id, branchId: branch.branchId, role: 'secretary' }, 'demo', sessionChanges.slice(i, i + 500))
  for (const person of duplicate ? [...people, { ...duplicate, role: 'member' as const }] : people) {
    for (const change of person.changes) {
      if (change.table === 'studyCheckins' || change.table === 'serviceLogs' || change.table === 'readingNotes')
        counts[change.table]++
    }
    for (let i = 0; i < person.changes.length; i += 500)
      await storage.sync.push({ memberId: person.id, branchId: branch.branchId, role: person.role }, 'demo', person.changes.slice(i, i + 500))
  }

  for (const { id, date } of problemStatus) {
    const age = (Date.parse(today) - Date.parse(date)) / 86_400_000
    const roll = random()
    const progressAt = Math.min(now, instant(addDays(date, 2 + Math.floor(random() * 4)), 10))
    const solvedAt = Math.min(now, instant(addDays(date, 7 + Math.floor(random() * 14)), 16))
    if (roll < (age > 28 ? 0.9 : age > 7 ? 0.7 : 0.3))
      await storage.branchAdmin.patchProblem(branch.branchId, id, secretary.id, { status: 'in_progress', ownerName: pick(['社区居委会', '物业公司', '街道办', secretary.name]) }, progressAt)
    else
      continue
    if (roll < (age > 28 ? 0.7 : age > 7 ? 0.3 : 0) && solvedAt > progressAt)
      await storage.branchAdmin.patchProblem(branch.branchId, id, secretary.id, { status: 'solved', resolution: '已协调有关部门解决，群众表示满意。' }, solvedAt)
  }

  // Every other member has a phone (a device, last seen at their last record); the oldest retiree
  // has none (代录 below): 成员管理 shows 0 devices, and the printed 认领码 gives them one (issue #12).
  for (const person of people.filter(p => p !== retirees[0])) {
    await storage.memberTokens.issue(person.id, storage.db, pick(DEMO_DEVICE_NAMES))
    const lastSeen = Math.max(instant(start, 9), ...person.changes.map(c => c.updatedAt))
    await storage.db.updateTable('member_tokens').set({ created_at: instant(start, 9) - 86_400_000, last_seen_at: Math.min(now, lastSeen) }).where('member_id', '=', person.id).execute()
  }
  if (duplicate) {
    await storage.memberTokens.issue(duplicate.id, storage.db, pick(DEMO_DEVICE_NAMES))
    await storage.db.updateTable('member_tokens').set({ created_at: instant(twinFrom, 9), last_seen_at: Math.min(now, Math.max(instant(twinFrom, 9), ...duplicate.changes.map(c => c.updatedAt))) }).where('member_id', '=', duplicate.id).execute()
  }
  // 代录: the oldest retiree has no phone; the secretary enters their visits to the community.
  const elder = retirees[0]
  const noPhoneMember = elder ? { id: elder.id, name: elder.name, claimCode: (await storage.devices.newCode(elder.id, 'claim', secretary.id, now)).code } : null
  if (elder) {
    // 代签: she came to a branch study once a month; the secretary signed her in.
    for (const session of elderSessions.filter((_, i) => i % 4 === 1)) {
      const { date, topic, leaves } = session.data as SessionData
      const outcome = await storage.branchAdmin.proxyEntry(branch.branchId, elder.id, secretary.id, { table: 'studyCheckins', id: randomUUID(), updatedAt: instant(date, 16), data: { date, form: 'branch_study', topic, minutes: 90, sessionId: session.id } })
      if (outcome.result === 'applied')
        counts.studyCheckins++
      // She came after all: not on leave that day.
      if (leaves?.some(l => l.memberId === elder.id))
        await storage.sync.push({ memberId: secretary.id, branchId: branch.branchId, role: 'secretary' }, 'demo', [{ ...session, updatedAt: session.updatedAt + 1, data: { ...(session.data as SessionData), leaves: leaves.filter(l => l.memberId !== elder.id) } }])
    }
    for (let w = 0; w < shape.weeks; w += 4) {
      const date = addDays(weekRange(shiftWeek(firstWeek, w)).start, 4)
      if (date > today)
        continue
      const outcome = await storage.branchAdmin.proxyEntry(branch.branchId, elder.id, secretary.id, { table: 'serviceLogs', id: randomUUID(), updatedAt: instant(date, 12), data: { date, community: '东城社区', activity: 'volunteer', hours: 1, peopleServed: null, description: '书记代录：参加社区议事会' } })
      if (outcome.result === 'applied')
        counts.serviceLogs++
    }
  }
  const history = new MembershipHistory(storage.db)
  if (leaver)
    await history.patchMembership(branch.branchId, leaver.id, { leftOn, leftReason: 'transfer' }, today)
  if (newlyRetired) {
    await history.addStatus(branch.branchId, newlyRetired.id, secretary.id, true, `${monthOf(today)}-01`, today, now)
    counts.retired++
  }
  let mergedDuplicate: FilledBranch['mergedDuplicate'] = null
  if (twin && duplicate) {
    const merged = await new MemberMerge(storage.db, storage).merge(branch.branchId, duplicate.id, twin.id, secretary.id, now)
    if (typeof merged !== 'string')
      mergedDuplicate = { id: twin.id, name: twin.name, duplicateId: duplicate.id, records: duplicate.changes.length }
  }
  return { branch, secretaryId: secretary.id, noPhoneMember, mergedDuplicate, counts }
}
