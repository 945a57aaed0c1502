import type { ReportResponse } from '../../domain/report'
import { AlignmentType, convertMillimetersToTwip, Document, Footer, LineRuleType, Packer, PageNumber, Paragraph, TextRun } from 'docx'
import { renderText } from '../../domain/report'

/**
 * The 阶段性总结 as a Word document in 公文 style (GB/T 9704-2012), written with the `docx`
 * library: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the title 二号 (22 pt)
 * 方正小标宋简体, body 三号 (16 pt) 仿宋_GB2312, level-1 headings 黑体, level-2 楷体_GB2312, every line
 * exactly 28 pt, the page number "— 1 —" in the footer (四号 宋体).
 */

const PT = 2 // half-points per point (w:sz)
const LINE = 28 * 20 // 28 pt in twentieths of a point (w:spacing w:line, exact)

/** The fonts, each with the font Word and LibreOffice use when it is missing. */
export const GONGWEN_FONTS = {
  title: { name: '方正小标宋简体', fallback: '宋体' },
  body: { name: '仿宋_GB2312', fallback: '仿宋' },
  heading1: { name: '黑体', fallback: 'SimHei' },
  heading2: { name: '楷体_GB2312', fallback: '楷体' },
  pageNumber: { name: '宋体', fallback: 'SimSun' },
} as const

/**
 * The `docx` library leaves the font table empty for fonts it does not embed; Word and LibreOffice
 * read `w:altName` there as the font to use when one is missing, so the table names each 公文 font
 * with its alternative.
 */
const FONT_TABLE = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${Object.values(GONGWEN_FONTS).map(f => `<w:font w:name="${f.name}"><w:altName w:val="${f.fallback}"/><w:charset w:val="86"/><w:family w:val="auto"/></w:font>`).join('')}<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/></w:font></w:fonts>`

const eastAsia = (name: string) => ({ ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: name, cs: 'Times New Roman' })

function paragraphFor(kind: ReportResponse['paragraphs'][number]['kind'], text: string): Paragraph {
  switch (kind) {
    case 'title':
      return new Paragraph({ style: 'GongwenTitle', children: [new TextRun(text)] })
    case 'heading1':
      return new Paragraph({ style: 'GongwenHeading1', children: [new TextRun(text)] })
    case 'heading2':
      return new Paragraph({ style: 'GongwenHeading2', children: [new TextRun(text)] })
    default:
      return new Paragraph({ style: 'GongwenBody', children: [new TextRun(text)] })
  }
}

/** The .docx bytes of a report (its figures as the report holds them: live, or frozen at 定稿). */
export async function reportDocx(report: ReportResponse): Promise<Buffer> {
  const text = (template: string) => renderText(template, report.figures)
  const body = report.paragraphs.map(p => paragraphFor(p.kind, text(p.template)))
  if (report.finalisedOn)
    body.push(new Paragraph({ style: 'GongwenBody', alignment: AlignmentType.RIGHT, children: [new TextRun(`${Number(report.finalisedOn.slice(0, 4))}年${Number(report.finalisedOn.slice(5, 7))}月${Number(report.finalisedOn.slice(8, 10))}日`)] }))
  const line = { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 }
  const run = (font: string, points: number, bold = false) => ({ font: eastAsia(font), size: points * PT, sizeComplexScript: points * PT, bold })
  const doc = new Document({
    creator: '学习打卡',
    title: report.paragraphs.find(p => p.kind === 'title') ? text(report.paragraphs.find(p => p.kind === 'title')!.template) : report.unitName,
    styles: {
      default: { document: { run: run(GONGWEN_FONTS.body.name, 16), paragraph: { spacing: line } } },
      paragraphStyles: [
        { id: 'GongwenTitle', name: '公文标题', basedOn: 'Normal', run: run(GONGWEN_FONTS.title.name, 22), paragraph: { alignment: AlignmentType.CENTER, spacing: { ...line, after: LINE } } },
        { id: 'GongwenBody', name: '公文正文', basedOn: 'Normal', run: run(GONGWEN_FONTS.body.name, 16), paragraph: { alignment: AlignmentType.JUSTIFIED, spacing: line, indent: { firstLine: 32 * 20 } } },
        { id: 'GongwenHeading1', name: '公文一级标题', basedOn: 'Normal', run: run(GONGWEN_FONTS.heading1.name, 16), paragraph: { spacing: line, indent: { firstLine: 32 * 20 }, outlineLevel: 0 } },
        { id: 'GongwenHeading2', name: '公文二级标题', basedOn: 'Normal', run: run(GONGWEN_FONTS.heading2.name, 16), paragraph: { spacing: line, indent: { firstLine: 32 * 20 }, outlineLevel: 1 } },
        { id: 'GongwenPageNumber', name: '公文页码', basedOn: 'Normal', run: run(GONGWEN_FONTS.pageNumber.name, 14), paragraph: { alignment: AlignmentType.CENTER } },
      ],
    },
    sections: [{
      properties: {
        page: {
          size: { width: convertMillimetersToTwip(210), height: convertMillimetersToTwip(297) },
          margin: { top: convertMillimetersToTwip(37), bottom: convertMillimetersToTwip(35), left: convertMillimetersToTwip(28), right: convertMillimetersToTwip(26), header: convertMillimetersToTwip(15), footer: convertMillimetersToTwip(28) },
        },
      },
      footers: { default: new Footer({ children: [new Paragraph({ style: 'GongwenPageNumber', children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'] })] })] }) },
      children: body,
    }],
  })
  return Packer.toBuffer(doc, false, [{ path: 'word/fontTable.xml', data: FONT_TABLE }])
}
