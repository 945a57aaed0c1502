import type { BranchRecord, SummaryFigure, SummaryResponse } from './branch'
import type { ReportFigure, ReportParagraph, ReportParagraphKind, ReportResponse } from './report'
import { monthTitle, reportFigures } from './report'

/**
 * The 党组's 阶段性总结 (issue #14): the seed document is written by an organisation about its whole
 * system of branches ("指导各支部结合实际制定学习方案"), so its draft speaks for the organisation,
 * with figures rolled up from the branches (a member counted once) and, where the seed's targets
 * are per branch (每周一次支部集中研学, 每月2次学习交流, 每月1次专题研讨), the branches that fall
 * short named. The templates, placeholders and 定稿 work as in the branch report (./report.ts).
 */

/** One branch's month as the organisation's summary gives it. */
export interface OrganisationBranchMonth {
  branchId: string
  name: string
  summary: SummaryResponse
}

/** What the organisation's draft is made from: its roll-up and each branch's own month. */
export interface OrganisationMonth {
  month: string
  from: string
  to: string
  organisation: { figures: SummaryFigure[], sentences: string[] }
  branches: OrganisationBranchMonth[]
}

/** One branch's column in the organisation's report: its own figures (frozen at 定稿 too). */
export interface OrganisationReportBranch {
  branchId: string
  name: string
  figures: ReportFigure[]
}

/** `GET /organisation/report?month=`: the branch report's body, with each branch's figures beside it. */
export interface OrganisationReportResponse extends ReportResponse {
  organisationId: string
  branches: OrganisationReportBranch[]
}

/** The rows behind one figure of the organisation's month, per branch (`GET /organisation/report/records`). */
export interface OrganisationRecordsResponse {
  month: string
  figure: string
  label: string
  branches: { branchId: string, name: string, value: number | null, records: BranchRecord[] }[]
}

/** The seed's monthly targets per branch. */
export const BRANCH_TARGETS = { exchange: 2, seminar: 1 } as const

const valueOf = (summary: SummaryResponse, key: string): number => summary.figures.find(f => f.key === key)?.value ?? 0

/** The roll-up as a summary object (what the branch report's figure helpers take). */
export function rolledUpSummary(month: OrganisationMonth): SummaryResponse {
  return { month: month.month, from: month.from, to: month.to, figures: month.organisation.figures, sentences: month.organisation.sentences }
}

/**
 * The figures the organisation's report cites: the roll-up's (as a branch report has them) and
 * those about its branches: how many, the targets for all of them, and which fall short.
 */
export function organisationReportFigures(month: OrganisationMonth): ReportFigure[] {
  const figures = reportFigures(rolledUpSummary(month))
  const count = month.branches.length
  const below = (key: string, target: number) => {
    const short = month.branches.filter(b => valueOf(b.summary, key) < target)
    return short.length === 0 ? '无' : short.map(b => `${b.name}（${valueOf(b.summary, key)}次）`).join('、')
  }
  const withoutWeekly = month.branches.filter(b => valueOf(b.summary, 'branchStudy.weeksWithout') > 0)
  const text = (key: string, label: string, value: string, recordsOf: string): ReportFigure => ({ key, label, value: null, text: value, unit: '', recordsOf })
  const number = (key: string, label: string, value: number, unit: string, recordsOf: string): ReportFigure => ({ key, label, value, text: String(value), unit, recordsOf })
  figures.push(
    number('branches.count', '支部数', count, '个', 'members.total'),
    number('exchange.target', '学习交流计划次数', BRANCH_TARGETS.exchange * count, '次', 'exchange.held'),
    number('seminar.target', '专题研讨计划次数', BRANCH_TARGETS.seminar * count, '次', 'seminar.held'),
    number('branches.exchangeBelowCount', '学习交流未达计划的支部数', month.branches.filter(b => valueOf(b.summary, 'exchange.held') < BRANCH_TARGETS.exchange).length, '个', 'exchange.held'),
    number('branches.seminarBelowCount', '专题研讨未达计划的支部数', month.branches.filter(b => valueOf(b.summary, 'seminar.held') < BRANCH_TARGETS.seminar).length, '个', 'seminar.held'),
    number('branches.withoutWeeklyStudyCount', '未每周开展集中学习的支部数', withoutWeekly.length, '个', 'branchStudy.weeksWithout'),
    text('branches.exchangeBelow', '学习交流未达计划的支部', below('exchange.held', BRANCH_TARGETS.exchange), 'exchange.held'),
    text('branches.seminarBelow', '专题研讨未达计划的支部', below('seminar.held', BRANCH_TARGETS.seminar), 'seminar.held'),
    text('branches.withoutWeeklyStudy', '未每周开展集中学习的支部', withoutWeekly.length === 0 ? '无' : withoutWeekly.map(b => `${b.name}${valueOf(b.summary, 'branchStudy.weeksWithout')}周`).join('、'), 'branchStudy.weeksWithout'),
  )
  return figures
}

/** Each branch's figures for its column (the branch report's own figures of its month). */
export function branchColumns(month: OrganisationMonth): OrganisationReportBranch[] {
  return month.branches.map(b => ({ branchId: b.branchId, name: b.name, figures: reportFigures(b.summary) }))
}

/**
 * The generated draft of the organisation's month, in the seed's four parts and in its voice (the
 * 党组 guiding its branches). Which 存在问题 are said is chosen from the figures at generation;
 * the figures inside stay live until 定稿.
 */
export function organisationParagraphs(unitName: string, month: OrganisationMonth): ReportParagraph[] {
  const rolled = rolledUpSummary(month)
  const value = (key: string) => valueOf(rolled, key)
  const p = (id: string, kind: ReportParagraphKind, template: string): ReportParagraph => ({ id, kind, template })
  const title = monthTitle(month.month)
  const paragraphs: ReportParagraph[] = [
    p('title', 'title', `${unitName}主题教育${title}阶段性总结`),
    p('opening', 'body', `主题教育开展以来，${unitName}牢牢把握“学思想、强党性、重实践、建新功”总要求，及时传达上级关于开展好主题教育的安排部署，切实提高政治站位，从衷心拥护“两个确立”、忠诚践行“两个维护”的政治高度，严格对标上级要求，以高度的责任感和使命感把主题教育谋划好、组织好、开展好。结合工作实际，制定系统主题教育实施方案，指导各支部结合实际制定学习方案，拟定重点任务清单，把理论学习、调查研究、推动发展、检视整改、建章立制等重点措施贯通起来一体推进落实。全系统现有党支部{branches.count}个、党员{members.total}名，其中退休党员{members.retired}名。${title}具体情况如下：`),
    p('part1', 'heading1', '一、主题教育开展情况'),
    p('study', 'heading2', '（一）下好理论学习先手棋，贯通融合悟思想'),
    p('study.1', 'body', '一是突出关键少数，抓好集中学习。坚持高标准、严要求，不折不扣落实读书班、专题党课等规定动作。本月举办读书班{readingClass.held}期、专题党课{partyLecture.held}次、专题培训{training.held}期，开展专题研讨{seminar.held}次（按每个支部每月1次，计划{seminar.target}次），通过充分交流研讨，达到了以学铸魂、以学增智、以学正风、以学促干的效果。'),
    p('study.2', 'body', '二是立足基层实际，激发学习热情。指导各支部结合实际，依托“三会一课”、主题党日等，每周开展一次支部集中研学。本月各支部共开展支部集中学习{branchStudy.held}次，参学党员{branchStudy.attendance}人次，参学率{branchStudy.rate}%（在职党员参学率{branchStudy.rateActive}%）；开展主题党日{partyDay.held}次，组织学习交流活动{exchange.held}次（按每个支部每月2次，计划{exchange.target}次）。'),
    p('study.3', 'body', '三是坚持以用为本，促进结合转化。本月全系统{study.members}名党员参加学习，学习打卡{study.checkins}次；{notes.members}名党员撰写读书笔记{notes.count}篇，读原著、学原文、悟原理，推动学习成果及时转化为干事创业的精神动力。'),
  ]
  if (value('members.retired') > 0)
    paragraphs.push(p('study.4', 'body', '四是关心退休党员学习。各支部通过学习资料组织居家学习，{homeStudy.retiredMembers}名退休党员居家学习{homeStudy.retired}次，其中使用支部学习资料{homeStudy.withMaterial}次。'))
  const allAssigned = value('problems.collected') > 0 && value('problems.withOwner') === value('problems.collected')
  paragraphs.push(
    p('service', 'heading2', '（二）打好为民服务组合拳，实干担当解民忧'),
    p('service.1', 'body', '一是在调研中察民情、听民声、解民忧。领导班子带头、各支部组织党员大兴调查研究，问计于群众、问计于实践，用心用情用力办好民生实事。截至本月底，共收集各类问题{problems.collected}个（本月新收集{problems.collectedInMonth}个），已解决{problems.solved}个，{problems.inProgress}个正在推进过程中。'),
    p('service.2', 'body', `二是认真开展“我为群众办实事”活动。落实党员“双报到双服务”，{service.members}名党员深入一线开展主题教育宣讲{service.byActivity.publicity}人次、走访慰问{service.byActivity.visit}人次、志愿服务{service.byActivity.volunteer}人次、爱心消费{service.byActivity.charity_purchase}人次等社区活动共{service.count}人次，服务时长{service.hours}小时，服务群众{service.peopleServed}人。梳理形成为民办实事清单，${allAssigned ? '共梳理问题{problems.collected}个，全部下派明确责任' : '共梳理问题{problems.collected}个，其中{problems.withOwner}个已下派明确责任'}，督促及时推进解决。`),
    p('develop', 'heading2', '（三）做实推动发展大文章，全力以赴开新局'),
    p('develop.1', 'body', '（请填写本月推动发展的情况：调查研究的课题与成果，党组成员、各支部书记建立发展问题清单的情况，推动中心工作、解决发展难点问题的举措与成效。）'),
    p('part2', 'heading1', '二、主要做法及成效'),
    p('practice.1', 'body', '我们坚持把高质量开展主题教育作为当前首要政治任务，坚持学思用贯通、知信行统一，坚持主题教育与业务“两手抓、两促进”。一是坚持高标准严要求，高位部署推进。统筹业务与学习，层层压实责任，各党支部每周利用1天组织开展集中学习、每月组织2次学习交流活动、每月开展1次专题研讨：本月{branches.count}个支部开展支部集中学习{branchStudy.held}次、学习交流活动{exchange.held}次、专题研讨{seminar.held}次。二是坚持“开放式”学习教育，充分利用学习打卡、支部学习资料等平台，让党员在“指尖”上高效学习，本月学习打卡{study.checkins}次。三是坚持为群众办实事，党员参加社区活动{service.count}人次，已解决群众问题{problems.solved}个，让主题教育“活”起来。'),
    p('part3', 'heading1', '三、存在问题'),
  )
  const issues: string[] = []
  if (value('members.withoutStudy') > 0 || value('members.retired') > 0) {
    const without = value('members.withoutStudy') > 0 ? '本月全系统{members.total}名党员中，{members.withoutStudy}名未参加任何学习（{members.withoutStudyNames}）；' : ''
    const retired = value('members.retired') > 0 ? '退休党员{members.retired}名，其中参加居家学习的{homeStudy.retiredMembers}名，无法组织集中学习，' : ''
    issues.push(`部分党员学习主动性不够。${without}${retired}对主题教育的重大意义认识还不够深刻，在学习上存在“要我学”的思想，主观上比较被动。`)
  }
  if (month.branches.some(b => valueOf(b.summary, 'branchStudy.weeksWithout') > 0))
    issues.push('支部集中学习不够经常。本月{weeks.total}周中，{branches.withoutWeeklyStudyCount}个支部有未开展支部集中学习的周（{branches.withoutWeeklyStudy}），“每周开展一次支部集中研学”落实还不到位。')
  const exchangeShort = month.branches.some(b => valueOf(b.summary, 'exchange.held') < BRANCH_TARGETS.exchange)
  const seminarShort = month.branches.some(b => valueOf(b.summary, 'seminar.held') < BRANCH_TARGETS.seminar)
  if (exchangeShort || seminarShort) {
    const parts = [
      exchangeShort ? '学习交流活动未达每月2次的支部{branches.exchangeBelowCount}个（{branches.exchangeBelow}）' : '',
      seminarShort ? '专题研讨未达每月1次的支部{branches.seminarBelowCount}个（{branches.seminarBelow}）' : '',
    ].filter(Boolean)
    issues.push(`学习交流研讨不够充分。${parts.join('，')}，交流研讨的频次和深度有待提高。`)
  }
  issues.push('学习教育覆盖面不广。平时更加注重党组学习教育，在充分利用各个业务板块的特有优势不够，对周边群众宣传教育的辐射范围有待进一步加强。')
  const ordinal = ['一', '二', '三', '四']
  issues.forEach((text, i) => paragraphs.push(p(`problems.${i + 1}`, 'body', `${ordinal[i]}是${text}`)))
  paragraphs.push(
    p('part4', 'heading1', '四、下一步工作计划'),
    p('plan.1', 'body', '一是聚焦“主题主线”，在理论学习中打下“扎实”基础。坚持读原著、学原文、悟原理，指导各支部落实每周一次支部集中学习、每月2次学习交流活动、每月1次专题研讨，为退休党员送学上门、提供居家学习资料，做到知之愈深、信之愈坚、行之愈笃。'),
    p('plan.2', 'body', '二是坚持“求实求真”，在干事创业中展现“务实”作风。立足群众“柴米油盐”、关心百姓“急难愁盼”，继续落实党员“双报到双服务”，用群众的获得感、幸福感、安全感来检验主题教育效果。'),
    p('plan.3', 'body', '三是做到“立行立改”，在检视整改中保持“严实”要求。紧盯{problems.inProgress}个正在推进、{problems.open}个待解决的问题，坚持一抓到底，做到问题不解决不放过、整改不到位不罢休，以看得见、实打实的成效回应群众期盼。'),
  )
  return paragraphs
}
