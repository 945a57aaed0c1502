/**
 * The `maxlength` of a form field of at most `max` characters. Browsers count UTF-16 units there, so
 * `maxlength="200"` would stop a topic at 100 emoji: twice the characters lets every valid text in
 * and still bounds a paste, and the schema (in characters) says whether it fits. Apart from text.ts
 * (which re-exports it) so a form that only bounds its fields, 加入支部's, needs no valibot.
 */
export const inputMaxLength = (max: number): number => max * 2
