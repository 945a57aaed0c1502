import type { SummaryResponse } from '../../domain/branch'
import { zip } from './zip'

/**
 * The monthly summary as a Word draft (.docx): a minimal OOXML package (content types, the
 * package relationship, one document part) holding a title, the figures as a table and the
 * sentences as the draft's paragraphs.
 */

function escapeXml(text: string): string {
  return text
  // Characters XML 1.0 cannot carry at all are dropped rather than breaking the file.
  // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\v\f\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

const FONT = '<w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="SimSun"/>'

function run(text: string, opts: { bold?: boolean, size?: number } = {}): string {
  const props = `${FONT}${opts.bold ? '<w:b/>' : ''}${opts.size ? `<w:sz w:val="${opts.size}"/><w:szCs w:val="${opts.size}"/>` : ''}`
  return `<w:r><w:rPr>${props}</w:rPr><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r>`
}

function paragraph(text: string, opts: { bold?: boolean, size?: number, center?: boolean, indent?: boolean } = {}): string {
  const pPr = `${opts.center ? '<w:jc w:val="center"/>' : ''}${opts.indent ? '<w:ind w:firstLineChars="200" w:firstLine="480"/>' : ''}<w:spacing w:after="120"/>`
  return `<w:p><w:pPr>${pPr}</w:pPr>${run(text, opts)}</w:p>`
}

function cell(text: string, width: number, bold = false): string {
  return `<w:tc><w:tcPr><w:tcW w:w="${width}" w:type="dxa"/></w:tcPr><w:p>${run(text, { bold, size: 21 })}</w:p></w:tc>`
}

const COLUMNS: [string, number][] = [['统计项', 3000], ['数值', 1300], ['单位', 1000], ['每月目标', 1200], ['说明', 2500]]

function figuresTable(summary: SummaryResponse): string {
  const border = (side: string) => `<w:${side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>`
  const borders = `<w:tblBorders>${['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map(border).join('')}</w:tblBorders>`
  const header = `<w:tr>${COLUMNS.map(([name, width]) => cell(name, width, true)).join('')}</w:tr>`
  const rows = summary.figures.map(f => `<w:tr>${[f.label, String(f.value), f.unit ?? '', f.target === undefined ? '' : String(f.target), f.detail ?? ''].map((text, i) => cell(text, COLUMNS[i]![1])).join('')}</w:tr>`)
  return `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/>${borders}</w:tblPr><w:tblGrid>${COLUMNS.map(([, width]) => `<w:gridCol w:w="${width}"/>`).join('')}</w:tblGrid>${header}${rows.join('')}</w:tbl>`
}

/** The Chinese month as the report writes it: 2026年11月. */
export const monthTitle = (month: string): string => `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`

/** The .docx bytes of a month's summary for a branch. */
export function summaryDocx(branchName: string, summary: SummaryResponse): Buffer {
  const body = [
    paragraph(`${branchName}${monthTitle(summary.month)}阶段性总结（草稿）`, { bold: true, size: 36, center: true }),
    paragraph(`统计期间：${summary.from} 至 ${summary.to}。以下数字由学习打卡记录自动统计，可逐项追溯到记录。`, { size: 21 }),
    paragraph('一、主要数据', { bold: true, size: 28 }),
    figuresTable(summary),
    paragraph('二、情况表述（草稿）', { bold: true, size: 28 }),
    ...summary.sentences.map(s => paragraph(s, { size: 24, indent: true })),
  ].join('')
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`
  return zip([
    { name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>' },
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>' },
    { name: 'word/document.xml', data: document },
  ])
}
