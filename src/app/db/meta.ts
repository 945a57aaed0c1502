import type { MetaKey } from './database'
import { toRaw } from 'vue'
import { db } from './database'

/**
 * A v4 UUID. `crypto.randomUUID` exists only in secure contexts, and phones reach the server over
 * plain http on a LAN, so fall back to `getRandomValues`, which every context has.
 */
export function randomUuid(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false)
    return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0F) | 0x40
  bytes[8] = (bytes[8]! & 0x3F) | 0x80
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Reads one device value from `meta`. */
export async function getMeta<T>(key: MetaKey): Promise<T | undefined> {
  const row = await db.meta.get(key)
  return row?.value as T | undefined
}

/** Reads several device values from `meta` in one read, in the order of `keys`. */
export async function getMetas(keys: readonly MetaKey[]): Promise<unknown[]> {
  const rows = await db.meta.bulkGet([...keys])
  return rows.map(row => row?.value)
}

/** Writes one device value to `meta`. */
export async function setMeta(key: MetaKey, value: unknown): Promise<void> {
  await db.meta.put({ key, value: toRaw(value) })
}

/** This device's sync identity, made once and kept for life (the server's tie-break uses it). */
export async function getClientId(): Promise<string> {
  return db.transaction('rw', db.meta, async () => {
    const existing = await db.meta.get('clientId')
    if (typeof existing?.value === 'string')
      return existing.value
    const clientId = randomUuid()
    await db.meta.put({ key: 'clientId', value: clientId })
    return clientId
  })
}

/** The server revision up to which this device has pulled; null before the first pull. */
export async function getCursor(): Promise<string | null> {
  return (await getMeta<string | null>('cursor')) ?? null
}
