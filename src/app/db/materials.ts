/**
 * The branch's study materials on this phone: metadata rows in `materials` (as pulled, or the
 * secretary's own edits), their texts in `materialBodies` (downloaded after a pull, or written by
 * the secretary's own publish), and each member's reading progress in `readingProgress`.
 */
import type { MaterialBodyRow, MaterialRow, ReadingProgressRow, RecordRowMeta } from './database'
import type { MaterialData, MemberTable, ReadingProgressData } from '@/domain/records'
import { db, outboxKey } from './database'
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

/** A row whose id the server gave to another member (pushed first): it can never be the member's. */
export function idTaken(row: Pick<RecordRowMeta<MemberTable>, 'sync' | 'rejection'>): boolean {
  return row.sync === 'rejected' && row.rejection?.code === 'forbidden'
}

/**
 * Of a member's rows for one material (normally one; two when a phone without its id seed and
 * one with it both started the material), the one to show and write: one whose id is not taken,
 * then the furthest read, then the newest.
 */
function preferredProgress(rows: readonly ReadingProgressRow[]): ReadingProgressRow | undefined {
  return [...rows].sort((a, b) => Number(idTaken(a)) - Number(idTaken(b)) || b.percent - a.percent || b.updatedAt - a.updatedAt)[0]
}

/**
 * The member's reading progress in a material (tombstones left out), found by member and material,
 * not by id: a row made before the phone knew its id seed keeps its legacy id.
 */
export async function getReadingProgress(memberId: string, materialId: string): Promise<ReadingProgressRow | undefined> {
  const rows = await db.readingProgress.where('materialId').equals(materialId).filter(row => row.memberId === memberId && !row.deleted).toArray()
  return preferredProgress(rows)
}

/** The member's reading progress rows by material id (tombstones left out), one per material as `getReadingProgress` picks it. */
export async function readingProgressByMaterial(memberId: string): Promise<Map<string, ReadingProgressRow>> {
  const rows = await db.readingProgress.where('memberId').equals(memberId).filter(row => !row.deleted).toArray()
  const byMaterial = new Map<string, ReadingProgressRow[]>()
  for (const row of rows)
    byMaterial.set(row.materialId, [...(byMaterial.get(row.materialId) ?? []), row])
  return new Map([...byMaterial].map(([materialId, list]) => [materialId, preferredProgress(list)!]))
}

/**
 * Saves the member's progress in a material as row `id` with its outbox entry. `replaces`: a row
 * of the material whose id another member took (`idTaken`); it was never the member's on
 * the server, so it leaves the phone in the same transaction, without a push.
 */
export function saveReadingProgress(memberId: string, id: string, data: ReadingProgressData, now: number = Date.now(), replaces?: ReadingProgressRow): Promise<ReadingProgressRow> {
  return db.transaction('rw', db.readingProgress, db.outbox, async () => {
    const row = await saveRecord('readingProgress', memberId, id, data, now)
    if (replaces && replaces.id !== id && replaces.memberId === memberId && idTaken(replaces)) {
      await db.readingProgress.delete(replaces.id)
      await db.outbox.delete(outboxKey('readingProgress', replaces.id))
    }
    return row
  })
}
