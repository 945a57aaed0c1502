import type { FieldMessageKey } from './messages'
import * as v from 'valibot'
import { fieldMessage } from './messages'

/**
 * The text and id rules every record shares (re-exported by records.ts): how long a text is, what
 * a database can keep, a lower-case UUID.
 */

const msg = (key: FieldMessageKey) => (issue: { lang?: string }) => fieldMessage(key, issue.lang)

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Length in characters as people count them and as every limit here is stated: code points, so an
 * emoji or a rare 汉字 outside the BMP is one (`s.length` would count it as two). A lone surrogate
 * counts as one.
 */
export function charLength(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xDC00 && next <= 0xDFFF)
        i++
    }
    n++
  }
  return n
}

/**
 * False for text no database keeps as it was sent: U+0000 (PostgreSQL refuses the whole statement,
 * SQLite would keep it) and a lone surrogate (not valid UTF-8: stored as replacement bytes, so the
 * copy read back differs). Written as a loop, not a lookbehind regex, for older phone browsers.
 */
export function isStorableText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    if (unit === 0)
      return false
    if (unit >= 0xD800 && unit <= 0xDFFF) {
      const next = s.charCodeAt(i + 1)
      if (unit > 0xDBFF || !(next >= 0xDC00 && next <= 0xDFFF))
        return false
      i++
    }
  }
  return true
}

/**
 * Any text of at most `max` characters that can be stored: the one rule for every string a record
 * carries, used by the schemas below, the server's other text fields and the app's forms.
 */
export function textOfAtMost(key: FieldMessageKey, max: number) {
  return v.pipe(
    v.string(msg(key)),
    v.check(isStorableText, msg('unstorableText')),
    v.check(s => charLength(s) <= max, msg(key)),
  )
}

// A form field's `maxlength` for a text of at most `max` characters (inputLength.ts).
export { inputMaxLength } from './inputLength'
