import { describe, expect, it } from 'vitest'
import { materialBytes, materialChars, parseMaterial, speakableText } from '@/domain/materialText'

describe('parseMaterial', () => {
  it('makes one paragraph per non-empty line of pasted text, trimming full-width spaces', () => {
    const body = '\u3000\u3000第一段文字。\r\n\r\n  第二段文字。\n\n\n\u3000第三段\u3000\n'
    expect(parseMaterial(body)).toEqual([
      { kind: 'paragraph', text: '第一段文字。' },
      { kind: 'paragraph', text: '第二段文字。' },
      { kind: 'paragraph', text: '第三段' },
    ])
  })

  it('reads #, ## and ### headings (deeper ones as level 3) and drops **bold** markers', () => {
    expect(parseMaterial('# 总标题\n## 第二级\n### 第三级\n#### 第四级\n这是**重点**内容')).toEqual([
      { kind: 'heading', level: 1, text: '总标题' },
      { kind: 'heading', level: 2, text: '第二级' },
      { kind: 'heading', level: 3, text: '第三级' },
      { kind: 'heading', level: 3, text: '第四级' },
      { kind: 'paragraph', text: '这是重点内容' },
    ])
  })

  it('keeps a # without a space, as in 井号#, as a paragraph', () => {
    expect(parseMaterial('#没有空格')).toEqual([{ kind: 'paragraph', text: '#没有空格' }])
  })

  it('turns short Chinese outline lines into level-2 and level-3 headings, but not long sentences', () => {
    const body = [
      '一、深刻把握主题教育的目标要求',
      '（一）凝心铸魂筑牢根本',
      '(二)锤炼品格强化忠诚',
      '二、这一行虽然以编号开头，但它是一个完整的句子，所以应当作为段落。',
      '第三章 组织建设',
    ].join('\n')
    expect(parseMaterial(body)).toEqual([
      { kind: 'heading', level: 2, text: '一、深刻把握主题教育的目标要求' },
      { kind: 'heading', level: 3, text: '（一）凝心铸魂筑牢根本' },
      { kind: 'heading', level: 3, text: '(二)锤炼品格强化忠诚' },
      { kind: 'paragraph', text: '二、这一行虽然以编号开头，但它是一个完整的句子，所以应当作为段落。' },
      { kind: 'heading', level: 2, text: '第三章 组织建设' },
    ])
  })

  it('reads > quotes, one per line, and skips an empty quote marker', () => {
    expect(parseMaterial('> 不忘初心，牢记使命。\n>\n>紧贴的引文')).toEqual([
      { kind: 'quote', text: '不忘初心，牢记使命。' },
      { kind: 'quote', text: '紧贴的引文' },
    ])
  })

  it('reads -, * and numbered items, ordered or not', () => {
    expect(parseMaterial('- 读原著\n* 学原文\n1. 悟原理\n2、联系实际\n3.5亿元的投入')).toEqual([
      { kind: 'item', ordered: false, text: '读原著' },
      { kind: 'item', ordered: false, text: '学原文' },
      { kind: 'item', ordered: true, text: '悟原理' },
      { kind: 'item', ordered: true, text: '联系实际' },
      { kind: 'paragraph', text: '3.5亿元的投入' },
    ])
  })

  it('gives nothing for blank text', () => {
    expect(parseMaterial('')).toEqual([])
    expect(parseMaterial('\n \u3000\n\t')).toEqual([])
  })

  it('parses a 100,000-character material into all of its lines', () => {
    const line = `${'学习贯彻新时代中国特色社会主义思想，'.repeat(5)}`
    const lines: string[] = []
    let chars = 0
    for (let i = 0; chars < 100_000; i++) {
      const text = i % 50 === 0 ? `## 第${i}部分` : line
      lines.push(text)
      chars += text.length + 1
    }
    const body = lines.join('\n').slice(0, 100_000)
    const blocks = parseMaterial(body)
    expect(blocks.length).toBe(body.split('\n').filter(l => l.trim()).length)
    expect(blocks[0]).toEqual({ kind: 'heading', level: 2, text: '第0部分' })
    expect(blocks[1]).toEqual({ kind: 'paragraph', text: line })
  })
})

describe('material sizes and speech', () => {
  it('counts 字数 without whitespace, and UTF-8 bytes as the phone keeps them', () => {
    expect(materialChars('学习 党章\n第一章\u3000')).toBe(7)
    expect(materialChars('读原著 👍')).toBe(4)
    expect(materialBytes('ab')).toBe(2)
    expect(materialBytes('学习')).toBe(6)
    expect(materialBytes('é👍')).toBe(6)
    expect(materialBytes('学习👍abc')).toBe(new TextEncoder().encode('学习👍abc').length)
  })

  it('speaks a block as its text with runs of spaces collapsed', () => {
    expect(speakableText({ kind: 'heading', level: 2, text: '一、 总体  要求' })).toBe('一、 总体 要求')
    expect(speakableText({ kind: 'item', ordered: true, text: '悟原理' })).toBe('悟原理')
  })
})
