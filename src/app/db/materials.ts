/**
 * The branch's study materials on this phone: metadata rows in `materials` (as pulled, or the
 * secretary's own edits), their texts in `materialBodies` (downloaded after a pull, or written by
 * the secretary's own publish), and each member's reading progress in `readingProgress`.
 */
import type { MaterialBodyRow, MaterialRow, ReadingProgressRow } from './database'
import type { MaterialData, ReadingProgressData } from '@/domain/records'
import { readingProgressId } from '@/domain/homeStudy'
import { db } from './database'
import { nextUpdatedAt, queueChange, saveRecord } from './records'
import { recordData, rowExtras } from './tables'

/** Fields a new material row starts with before the server has it: author and branch. */
export interface MaterialDefaults {
  authorName: string
  branchId?: string
}

/**
 * Saves a material (new or edited) as `pending` with its text, queues it, and keeps the text in
 * `materialBodies` so the reader has it at once, all in ONE transaction. Any secretary of the
 * branch may edit a material, so an edit keeps the first author as the row's owner.
 */
export async function saveMaterial(memberId: string, id: string, data: MaterialData, now: number = Date.now(), defaults?: MaterialDefaults): Promise<MaterialRow> {
  return db.transaction('rw', db.materials, db.materialBodies, db.outbox, async () => {
    const previous = await db.materials.get(id)
    let row: MaterialRow
    if (!previous || previous.memberId === memberId) {
      row = await saveRecord('materials', memberId, id, data, now, defaults)
    }
    else {
      const fields = recordData('materials', data)
      row = {
        ...fields,
        ...rowExtras('materials', fields, previous),
        id,
        memberId: previous.memberId,
        updatedAt: nextUpdatedAt(previous.updatedAt, now),
        deleted: false,
        sync: 'pending',
      } as MaterialRow
      if (previous.base)
        row.base = previous.base
      await db.materials.put(row)
      await queueChange('materials', id, now)
    }
    await db.materialBodies.put({ id, updatedAt: row.updatedAt, body: data.body })
    return row
  })
}

/** Unpublishes a material: a pending tombstone plus its outbox entry; its text leaves the phone in the same transaction. */
export async function removeMaterial(id: string, now: number = Date.now()): Promise<void> {
  await db.transaction('rw', db.materials, db.materialBodies, db.outbox, async () => {
    const previous = await db.materials.get(id)
    if (!previous)
      return
    const row: MaterialRow = { ...previous, updatedAt: nextUpdatedAt(previous.updatedAt, now), deleted: true, sync: 'pending' }
    delete row.rejection
    delete row.body
    await db.materials.put(row)
    await db.materialBodies.delete(id)
    await queueChange('materials', id, now)
  })
}

/** The material versions whose text is on the phone: id → the `updatedAt` it belongs to (texts not read). */
export async function storedBodyVersions(): Promise<Map<string, number>> {
  const keys = await db.materialBodies.orderBy('[id+updatedAt]').keys() as unknown as [string, number][]
  return new Map(keys.map(([id, updatedAt]) => [id, updatedAt]))
}

/** Live materials of the device, newest `publishedAt` first, without their texts. */
export async function listMaterials(): Promise<MaterialRow[]> {
  const rows = await db.materials.orderBy('publishedAt').reverse().filter(row => !row.deleted).toArray()
  return rows.map(({ body: _body, ...meta }) => meta as MaterialRow)
}

/** Live materials whose text is missing or belongs to another version, newest published first (what a member opens first). */
export async function materialsNeedingBody(): Promise<MaterialRow[]> {
  const [rows, versions] = await Promise.all([listMaterials(), storedBodyVersions()])
  return rows.filter(row => versions.get(row.id) !== row.updatedAt)
}

/**
 * Keeps a downloaded text, unless the material was unpublished or the device signed out
 * meanwhile (then nothing is stored). Returns whether it was stored.
 */
export async function storeMaterialBody(memberId: string, body: MaterialBodyRow): Promise<boolean> {
  return db.transaction('rw', db.session, db.materials, db.materialBodies, async () => {
    const session = await db.session.get('current')
    const material = await db.materials.get(body.id)
    if (session?.member.id !== memberId || !material || material.deleted)
      return false
    await db.materialBodies.put({ id: body.id, updatedAt: body.updatedAt, body: body.body })
    return true
  })
}

/** Drops the texts of materials no longer on the phone or unpublished; returns how many. */
export async function pruneMaterialBodies(): Promise<number> {
  return db.transaction('rw', db.materials, db.materialBodies, async () => {
    const ids = await db.materialBodies.toCollection().primaryKeys()
    const rows = await db.materials.bulkGet(ids)
    const gone = ids.filter((_, i) => !rows[i] || rows[i]!.deleted)
    await db.materialBodies.bulkDelete(gone)
    return gone.length
  })
}

/** A material on the phone (tombstones included), if any. */
export async function getMaterial(id: string): Promise<MaterialRow | undefined> {
  return db.materials.get(id)
}

/** A material's text kept on the phone, if any. */
export async function getMaterialBody(id: string): Promise<MaterialBodyRow | undefined> {
  return db.materialBodies.get(id)
}

/** The member's reading progress in a material (tombstones left out). */
export async function getReadingProgress(memberId: string, materialId: string): Promise<ReadingProgressRow | undefined> {
  const row = await db.readingProgress.get(readingProgressId(memberId, materialId))
  return row && !row.deleted && row.memberId === memberId ? row : undefined
}

/** The member's reading progress rows by material id (tombstones left out). */
export async function readingProgressByMaterial(memberId: string): Promise<Map<string, ReadingProgressRow>> {
  const rows = await db.readingProgress.where('memberId').equals(memberId).filter(row => !row.deleted).toArray()
  return new Map(rows.map(row => [row.materialId, row]))
}

/** Saves the member's progress in a material (one row per member and material) with its outbox entry. */
export function saveReadingProgress(memberId: string, data: ReadingProgressData, now: number = Date.now()): Promise<ReadingProgressRow> {
  return saveRecord('readingProgress', memberId, readingProgressId(memberId, data.materialId), data, now)
}
