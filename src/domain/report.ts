import type { SummaryResponse } from './branch'
import { reportNumber } from './summary'
import { addDays, weekKey } from './week'

/**
 * The monthly 阶段性总结 as the seed document lays it out (标题; the opening; 一、主题教育开展情况
 * with (一) 理论学习, (二) 为民服务, (三) 推动发展; 二、主要做法及成效; 三、存在问题; 四、下一步工作计划),
 * built from a summary object, whoever computed it (a branch's month today, an organisation's
 * roll-up later): nothing here knows where the figures came from.
 *
 * A paragraph is a template: prose the secretary edits, with `{key}` placeholders filled from the
 * report's figures. Until the report is 定稿 the figures are live (each render uses the month's
 * current summary); a finalised report renders from the values frozen with it.
 */

export type ReportParagraphKind = 'title' | 'heading1' | 'heading2' | 'body'

export interface ReportParagraph {
  /** Stable within a report: `title`, `opening`, `study.1`, `problems.2`, … */
  id: string
  kind: ReportParagraphKind
  /** The text with `{figureKey}` placeholders. */
  template: string
}

/** A figure the report can cite: a summary figure or one derived from them (weeks, names). */
export interface ReportFigure {
  key: string
  /** zh-CN, unique among the report's figures (the editor shows a placeholder as 〔label〕). */
  label: string
  /** As the report writes it: `4`, `33.3`, or text (names). */
  text: string
  value: number | null
  unit: string
  /** The summary figure whose records are behind this one (`GET /branch/summary/records?figure=`). */
  recordsOf: string
}

/** `GET /branch/report?month=`: the draft (or the finalised report) and the figures it cites. */
export interface ReportResponse {
  month: string
  /** The branch (or organisation) the report is written for. */
  unitName: string
  /** 0 while nothing is stored (the generated draft); each stored write adds 1. */
  revision: number
  /** Instant and local day (`YYYY-MM-DD`) of 定稿, or null for a draft whose figures are live. */
  finalisedAt: number | null
  finalisedOn: string | null
  paragraphs: ReportParagraph[]
  figures: ReportFigure[]
}

/** `PUT /branch/report`: the paragraphs' templates (by id) written over `revision`. */
export interface ReportWriteRequest {
  month: string
  revision: number
  paragraphs: { id: string, template: string }[]
}

/** `409` to a stale write: the report as it is now, never overwritten silently. */
export interface ReportConflictBody {
  error: { code: 'conflict', message: string }
  current: ReportResponse
}

export const REPORT_LIMITS = { templateChars: 5000, paragraphs: 60 } as const

/** The Chinese month as the report writes it: 2026年11月. */
export const monthTitle = (month: string): string => `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`

/** The ISO weeks that have a day in the month, in order. */
export function weeksOfMonth(month: string): string[] {
  const weeks: string[] = []
  for (let day = `${month}-01`; day.startsWith(month); day = addDays(day, 1)) {
    const week = weekKey(day)
    if (!weeks.includes(week))
      weeks.push(week)
  }
  return weeks
}

/**
 * Weeks of the month without a 支部集中学习: the summary's own figure where it has one
 * (`branchStudy.weeksWithout`), else the month's weeks less those held (one a week).
 */
function weeksWithout(summary: SummaryResponse): number {
  const byKey = new Map(summary.figures.map(f => [f.key, f.value]))
  const counted = byKey.get('branchStudy.weeksWithout')
  if (counted !== undefined && counted !== null)
    return counted
  return Math.max(0, weeksOfMonth(summary.month).length - (byKey.get('branchStudy.held') ?? 0))
}

/**
 * The figures a report cites: every figure of the summary (by its key, zh-CN labels) and the
 * derived ones the 存在问题 section needs: the month's weeks, those without a 支部集中学习 and the
 * names of members with no study.
 */
export function reportFigures(summary: SummaryResponse): ReportFigure[] {
  const figures: ReportFigure[] = summary.figures.map(f => ({
    key: f.key,
    label: f.label,
    value: f.value,
    text: f.value === null ? '0' : reportNumber(f.value),
    unit: f.unit ?? '',
    recordsOf: f.key,
  }))
  const byKey = new Map(summary.figures.map(f => [f.key, f]))
  const weeks = weeksOfMonth(summary.month).length
  const without = weeksWithout(summary)
  const withoutOf = byKey.has('branchStudy.weeksWithout') ? 'branchStudy.weeksWithout' : 'branchStudy.held'
  figures.push(
    { key: 'weeks.total', label: '本月周数', value: weeks, text: String(weeks), unit: '周', recordsOf: 'branchStudy.held' },
    { key: 'weeks.withoutBranchStudy', label: '未开展支部集中学习周数', value: without, text: String(without), unit: '周', recordsOf: withoutOf },
    { key: 'members.withoutStudyNames', label: '未参加学习党员名单', value: null, text: byKey.get('members.withoutStudy')?.detail ?? '无', unit: '', recordsOf: 'members.withoutStudy' },
  )
  return figures
}

/** A rendered piece of a paragraph: prose, or a figure (its text, linking to its records). */
export type ReportSegment = { text: string } | { text: string, figure: ReportFigure }

const PLACEHOLDER = /\{([\w.]+)\}/g

/** A template with its placeholders filled; an unknown `{…}` stays as written. */
export function renderTemplate(template: string, figures: readonly ReportFigure[]): ReportSegment[] {
  const byKey = new Map(figures.map(f => [f.key, f]))
  const segments: ReportSegment[] = []
  let at = 0
  for (const match of template.matchAll(PLACEHOLDER)) {
    const figure = byKey.get(match[1]!)
    if (!figure)
      continue
    if (match.index > at)
      segments.push({ text: template.slice(at, match.index) })
    segments.push({ text: figure.text, figure })
    at = match.index + match[0].length
  }
  if (at < template.length)
    segments.push({ text: template.slice(at) })
  return segments
}

/** A paragraph's plain text (for Word, Excel and copying). */
export function renderText(template: string, figures: readonly ReportFigure[]): string {
  return renderTemplate(template, figures).map(s => s.text).join('')
}

/** A template as the secretary edits it: each placeholder as 〔label〕. */
export function toEditable(template: string, figures: readonly ReportFigure[]): string {
  const byKey = new Map(figures.map(f => [f.key, f]))
  return template.replace(PLACEHOLDER, (whole, key: string) => {
    const figure = byKey.get(key)
    return figure ? `〔${figure.label}〕` : whole
  })
}

/** The edited text back to a template: a 〔label〕 of a figure becomes its placeholder again. */
export function fromEditable(text: string, figures: readonly ReportFigure[]): string {
  const byLabel = new Map(figures.map(f => [f.label, f]))
  return text.replace(/〔([^〔〕]+)〕/g, (whole, label: string) => {
    const figure = byLabel.get(label)
    return figure ? `{${figure.key}}` : whole
  })
}

/**
 * The generated draft: the seed's four parts, its sentences with the month's figures in them. The
 * 存在问题 evidence is chosen from the figures at generation (a sentence about weeks without a
 * 支部集中学习 only when there were such weeks); the figures inside stay live.
 */
export function defaultParagraphs(unitName: string, summary: SummaryResponse): ReportParagraph[] {
  const v = new Map(summary.figures.map(f => [f.key, f.value ?? 0]))
  const value = (key: string) => v.get(key) ?? 0
  const p = (id: string, kind: ReportParagraphKind, template: string): ReportParagraph => ({ id, kind, template })
  const paragraphs: ReportParagraph[] = [
    p('title', 'title', `${unitName}主题教育${monthTitle(summary.month)}阶段性总结`),
    p('opening', 'body', `主题教育开展以来，${unitName}牢牢把握“学思想、强党性、重实践、建新功”总要求，切实提高政治站位，从衷心拥护“两个确立”、忠诚践行“两个维护”的政治高度，严格对标上级要求，以高度的责任感和使命感把主题教育谋划好、组织好、开展好。支部现有党员{members.total}名，其中退休党员{members.retired}名。结合工作实际，把理论学习、调查研究、推动发展、检视整改等重点措施贯通起来一体推进落实。${monthTitle(summary.month)}具体情况如下：`),
    p('part1', 'heading1', '一、主题教育开展情况'),
    p('study', 'heading2', '（一）下好理论学习先手棋，贯通融合悟思想'),
    p('study.1', 'body', '一是抓好集中学习。依托“三会一课”、主题党日等，每周开展一次支部集中研学。本月共开展支部集中学习{branchStudy.held}次，参学党员{branchStudy.attendance}人次，参学率{branchStudy.rate}%（在职党员参学率{branchStudy.rateActive}%）。'),
    p('study.2', 'body', '二是丰富学习形式。组织学习交流活动{exchange.held}次（计划每月2次），开展专题研讨{seminar.held}次（计划每月1次），举办专题党课{partyLecture.held}次、主题党日{partyDay.held}次、读书班{readingClass.held}期、专题培训{training.held}期，激发“为什么学、学什么、怎么学”的热情。'),
    p('study.3', 'body', '三是坚持以用为本。本月{study.members}名党员参加学习，学习打卡{study.checkins}次；{notes.members}名党员撰写读书笔记{notes.count}篇，读原著、学原文、悟原理，推动学习成果转化为干事创业的精神动力。'),
  ]
  if (value('members.retired') > 0)
    paragraphs.push(p('study.4', 'body', '四是关心退休党员学习。通过支部学习资料组织居家学习，{homeStudy.retiredMembers}名退休党员居家学习{homeStudy.retired}次，其中使用支部学习资料{homeStudy.withMaterial}次。'))
  paragraphs.push(
    p('service', 'heading2', '（二）打好为民服务组合拳，实干担当解民忧'),
    p('service.1', 'body', '一是落实党员“双报到双服务”。{service.members}名党员深入社区开展主题教育宣讲{service.byActivity.publicity}人次、走访慰问{service.byActivity.visit}人次、志愿服务{service.byActivity.volunteer}人次、爱心消费{service.byActivity.charity_purchase}人次等社区活动共{service.count}人次，服务时长{service.hours}小时，服务群众{service.peopleServed}人。'),
    p('service.2', 'body', '二是认真开展“我为群众办实事”活动。聚焦群众“急难愁盼”，截至本月底，共收集各类问题{problems.collected}个（本月新收集{problems.collectedInMonth}个），已解决{problems.solved}个，{problems.inProgress}个正在推进过程中。梳理形成为民办实事清单，共梳理问题{problems.collected}个，其中{problems.withOwner}个已下派明确责任，督促及时推进解决。'),
    p('develop', 'heading2', '（三）做实推动发展大文章，全力以赴开新局'),
    p('develop.1', 'body', '（请填写本月推动发展的情况：调查研究的课题与成果，推动中心工作、解决发展难点问题的举措与成效。）'),
    p('part2', 'heading1', '二、主要做法及成效'),
    p('practice.1', 'body', '我们坚持把高质量开展主题教育作为当前首要政治任务，坚持学思用贯通、知信行统一，坚持主题教育与业务“两手抓、两促进”。一是坚持高标准严要求，每周组织集中学习，本月开展支部集中学习{branchStudy.held}次、学习交流活动{exchange.held}次、专题研讨{seminar.held}次。二是坚持“开放式”学习教育，充分利用学习打卡、支部学习资料等平台，让党员在“指尖”上高效学习，本月学习打卡{study.checkins}次。三是坚持为群众办实事，党员参加社区活动{service.count}人次，已解决群众问题{problems.solved}个，让主题教育“活”起来。'),
    p('part3', 'heading1', '三、存在问题'),
  )
  const issues: string[] = []
  const ordinal = ['一', '二', '三', '四']
  if (value('members.withoutStudy') > 0 || value('members.retired') > 0) {
    const retired = value('members.retired') > 0 ? '退休党员{members.retired}名，其中参加居家学习的{homeStudy.retiredMembers}名，无法组织集中学习，' : ''
    const without = value('members.withoutStudy') > 0 ? '本月支部{members.total}名党员中，{members.withoutStudy}名未参加任何学习（{members.withoutStudyNames}）；' : ''
    issues.push(`部分党员学习主动性不够。${without}${retired}对主题教育的重大意义认识还不够深刻，在学习上存在“要我学”的思想，主观上比较被动。`)
  }
  if (weeksWithout(summary) > 0)
    issues.push('集中学习不够经常。本月{weeks.total}周中有{weeks.withoutBranchStudy}周未开展支部集中学习，参学率{branchStudy.rate}%，“每周开展一次支部集中研学”落实还不到位。')
  if (value('exchange.held') < 2 || value('seminar.held') < 1)
    issues.push('学习交流研讨不够充分。本月组织学习交流活动{exchange.held}次（计划每月2次）、专题研讨{seminar.held}次（计划每月1次），交流研讨的频次和深度有待提高。')
  issues.push('学习教育覆盖面不广。对周边群众宣传教育的辐射范围有待进一步加强。')
  issues.forEach((text, i) => paragraphs.push(p(`problems.${i + 1}`, 'body', `${ordinal[i]}是${text}`)))
  paragraphs.push(
    p('part4', 'heading1', '四、下一步工作计划'),
    p('plan.1', 'body', '一是聚焦“主题主线”，在理论学习中打下“扎实”基础。坚持读原著、学原文、悟原理，落实每周一次支部集中学习、每月2次学习交流活动、每月1次专题研讨，为退休党员送学上门、提供居家学习资料，做到知之愈深、信之愈坚、行之愈笃。'),
    p('plan.2', 'body', '二是坚持“求实求真”，在干事创业中展现“务实”作风。立足群众“柴米油盐”、关心百姓“急难愁盼”，继续落实党员“双报到双服务”，用群众的获得感、幸福感、安全感来检验主题教育效果。'),
    p('plan.3', 'body', '三是做到“立行立改”，在检视整改中保持“严实”要求。紧盯{problems.inProgress}个正在推进、{problems.open}个待解决的问题，坚持一抓到底，做到问题不解决不放过、整改不到位不罢休，以看得见、实打实的成效回应群众期盼。'),
  )
  return paragraphs
}
