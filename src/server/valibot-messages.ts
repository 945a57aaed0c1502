import * as v from 'valibot'
import { LOCALES } from '../domain/locale'
import { fieldMessage } from '../domain/messages'

/**
 * The domain's record schemas word every field rule, but an object schema's own issues (a missing
 * key, a value that is not an object) would otherwise reach clients as valibot's English default.
 */
for (const lang of LOCALES) {
  v.setSpecificMessage(v.object, issue => fieldMessage(issue.input === undefined && issue.path?.length ? 'required' : 'type', lang), lang)
}
