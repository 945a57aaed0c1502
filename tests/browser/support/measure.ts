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
}

/** A visible control and its box. */
export interface TargetMeasure {
  name: string
  tag: string
  width: number
  height: number
}

/**
 * Every visible element holding text of its own (a non-blank direct text node) inside `root`
 * (default: the whole page), with its computed font size and line height ÷ font size
 * (`normal` counts as 1.2, what browsers use for it).
 */
export function visibleTexts(page: Page, root = 'body'): Promise<TextMeasure[]> {
  return page.evaluate((rootSelector) => {
    const scope = document.querySelector(rootSelector)
    if (!scope)
      return []
    const out: { text: string, tag: string, fontSize: number, lineHeightRatio: number }[] = []
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
      if (box.bottom < 0 || box.top > window.innerHeight || box.right < 0 || box.left > window.innerWidth)
        continue
      if (element.closest('[aria-hidden="true"]'))
        continue
      const fontSize = Number.parseFloat(style.fontSize)
      const lineHeight = style.lineHeight === 'normal' ? fontSize * 1.2 : Number.parseFloat(style.lineHeight)
      out.push({ text: (node.textContent ?? '').trim().slice(0, 40), tag: element.tagName.toLowerCase(), fontSize, lineHeightRatio: Math.round(lineHeight / fontSize * 100) / 100 })
    }
    return out
  }, root)
}

/**
 * Every visible control on screen: buttons, links, tabs, switches, checkboxes, radios, options, text
 * fields, selects. A text field or a check box counts with its label when the label wraps it (the
 * whole row is the target then).
 */
export function visibleTargets(page: Page): Promise<TargetMeasure[]> {
  return page.evaluate(() => {
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
      if (box.bottom <= 0 || box.top >= window.innerHeight || box.right <= 0 || box.left >= window.innerWidth)
        continue
      if (control.closest('[aria-hidden="true"], [inert]'))
        continue
      const name = control.getAttribute('aria-label') ?? control.textContent?.trim() ?? control.getAttribute('placeholder') ?? ''
      out.push({ name: (name || control.getAttribute('name') || control.id || '').slice(0, 30), tag: control.tagName.toLowerCase(), width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10 })
    }
    return out
  })
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

/** Controls smaller than `min` × `min` CSS px. */
export function targetOffenders(targets: TargetMeasure[], min: number): string[] {
  return targets
    .filter(t => t.width < min - 0.5 || t.height < min - 0.5)
    .map(t => `<${t.tag}> "${t.name}": ${t.width}×${t.height}`)
}
