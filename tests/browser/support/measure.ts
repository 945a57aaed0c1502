import type { Locator, Page } from 'playwright-core'

/**
 * Measurements for 长辈模式 (the national guideline for elder-friendly apps): computed font sizes,
 * line heights and touch-target sizes of what is on screen, in CSS px. Each returns the offenders with
 * enough context (text, role, size) for a failed assertion to say what to fix.
 */

/** A visible piece of text too small or too tight. */
export interface TextMeasure {
  text: string
  tag: string
  fontSize: number
  lineHeightRatio: number
  /** Contrast ratio of the text's colour on the background behind it (WCAG), null where an image or gradient is behind or the control is disabled. */
  contrast: number | null
}

/** A visible control and its box. */
export interface TargetMeasure {
  name: string
  tag: string
  width: number
  height: number
}

/** What to measure: what is on screen now, or everything laid out on the page, scrolled to or not. */
export type MeasureScope = 'screen' | 'page'

/**
 * Every visible element holding text of its own (a non-blank direct text node) inside `root`
 * (default: the whole page), with its computed font size, line height ÷ font size (`normal` counts
 * as 1.2, what browsers use for it) and its contrast on the backgrounds behind it.
 */
export function visibleTexts(page: Page, root = 'body', scope: MeasureScope = 'screen'): Promise<TextMeasure[]> {
  return page.evaluate(({ rootSelector, wholePage }) => {
    const scope = document.querySelector(rootSelector)
    if (!scope)
      return []
    type Rgba = [number, number, number, number]
    const parse = (color: string): Rgba | null => {
      const parts = color.match(/[\d.]+/g)?.map(Number)
      if (!color.startsWith('rgb') || !parts || parts.length < 3)
        return null
      return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1]
    }
    const over = (top: Rgba, below: Rgba): Rgba => [0, 1, 2].map(i => top[i]! * top[3] + below[i]! * (1 - top[3])).concat(1) as Rgba
    const luminance = (c: Rgba): number => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    /** The colour behind `element`: its and its ancestors' backgrounds laid over white, null over an image. */
    const backgroundOf = (element: Element): Rgba | null => {
      const layers: Rgba[] = []
      for (let e: Element | null = element; e; e = e.parentElement) {
        const style = getComputedStyle(e)
        if (style.backgroundImage !== 'none')
          return null
        const color = parse(style.backgroundColor)
        if (color && color[3] > 0) {
          layers.push(color)
          if (color[3] >= 1)
            break
        }
      }
      return layers.reduceRight<Rgba>((below, top) => over(top, below), [255, 255, 255, 1])
    }
    const out: { text: string, tag: string, fontSize: number, lineHeightRatio: number, contrast: number | null }[] = []
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT)
    const seen = new Set<Element>()
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement
      if (!element || seen.has(element) || !(node.textContent ?? '').trim())
        continue
      seen.add(element)
      const style = getComputedStyle(element)
      const box = element.getBoundingClientRect()
      // Hidden, clipped to nothing (visually-hidden labels for screen readers), or off screen.
      if (style.visibility === 'hidden' || style.display === 'none' || Number(style.opacity) === 0 || box.width < 2 || box.height < 2)
        continue
      if (!wholePage && (box.bottom < 0 || box.top > window.innerHeight || box.right < 0 || box.left > window.innerWidth))
        continue
      if (element.closest('[aria-hidden="true"]'))
        continue
      const fontSize = Number.parseFloat(style.fontSize)
      const lineHeight = style.lineHeight === 'normal' ? fontSize * 1.2 : Number.parseFloat(style.lineHeight)
      const background = backgroundOf(element)
      const color = parse(style.color)
      let contrast: number | null = null
      // A disabled control is exempt (WCAG 1.4.3: inactive components), as axe has it.
      if (background && color && !element.closest(':disabled, [aria-disabled="true"]')) {
        // Opacity on the way up fades the text into what is behind.
        let opacity = color[3]
        for (let e: Element | null = element; e; e = e.parentElement)
          opacity *= Number(getComputedStyle(e).opacity)
        const [light, dark] = [luminance(over([color[0], color[1], color[2], opacity], background)), luminance(background)].sort((a, b) => b - a)
        contrast = Math.round((light! + 0.05) / (dark! + 0.05) * 100) / 100
      }
      out.push({ text: (node.textContent ?? '').trim().slice(0, 40), tag: element.tagName.toLowerCase(), fontSize, lineHeightRatio: Math.round(lineHeight / fontSize * 100) / 100, contrast })
    }
    return out
  }, { rootSelector: root, wholePage: scope === 'page' })
}

/**
 * Every visible control on screen: buttons, links, tabs, switches, checkboxes, radios, options, text
 * fields, selects. A text field or a check box counts with its label when the label wraps it (the
 * whole row is the target then).
 */
export function visibleTargets(page: Page, scope: MeasureScope = 'screen'): Promise<TargetMeasure[]> {
  return page.evaluate((wholePage) => {
    const selector = 'button, a[href], [role="button"], [role="link"], [role="tab"], [role="switch"], [role="checkbox"], [role="radio"], [role="option"], input:not([type="hidden"]), select, textarea'
    const out: { name: string, tag: string, width: number, height: number }[] = []
    const counted = new Set<Element>()
    for (const control of document.querySelectorAll(selector)) {
      // A control inside another counted control (an <input> in a role="radio" row) is one target.
      const outer = control.parentElement?.closest(selector)
      const target = control.closest('label') ?? outer ?? control
      if (counted.has(target))
        continue
      counted.add(target)
      const style = getComputedStyle(control)
      const box = target.getBoundingClientRect()
      if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0)
        continue
      // Visually hidden native inputs (custom radios/switches) are drawn by their label or wrapper.
      if ((box.width <= 1 || box.height <= 1) && target === control)
        continue
      if (!wholePage && (box.bottom <= 0 || box.top >= window.innerHeight || box.right <= 0 || box.left >= window.innerWidth))
        continue
      if (control.closest('[aria-hidden="true"], [inert]'))
        continue
      const name = control.getAttribute('aria-label') ?? control.textContent?.trim() ?? control.getAttribute('placeholder') ?? ''
      out.push({ name: (name || control.getAttribute('name') || control.id || '').slice(0, 30), tag: control.tagName.toLowerCase(), width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10 })
    }
    return out
  }, scope === 'page')
}

/** The box of one control, CSS px. */
export async function targetSize(locator: Locator): Promise<{ width: number, height: number }> {
  const box = await locator.boundingBox()
  if (!box)
    throw new Error('the control is not rendered')
  return { width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10 }
}

/** Text smaller than `minPx`, or with a line height under `minRatio` × its size. */
export function textOffenders(texts: TextMeasure[], minPx: number, minRatio: number): string[] {
  return texts
    .filter(t => t.fontSize < minPx - 0.01 || t.lineHeightRatio < minRatio - 0.01)
    .map(t => `<${t.tag}> "${t.text}": ${t.fontSize}px, line-height ×${t.lineHeightRatio}`)
}

/** Text whose contrast on its background is under `min` (4.5:1 for body text). */
export function contrastOffenders(texts: TextMeasure[], min: number): string[] {
  return texts
    .filter(t => t.contrast !== null && t.contrast < min - 0.005)
    .map(t => `<${t.tag}> "${t.text}": contrast ${t.contrast}:1`)
}

/** Controls smaller than `min` × `min` CSS px. */
export function targetOffenders(targets: TargetMeasure[], min: number): string[] {
  return targets
    .filter(t => t.width < min - 0.5 || t.height < min - 0.5)
    .map(t => `<${t.tag}> "${t.name}": ${t.width}×${t.height}`)
}
