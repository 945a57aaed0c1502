import type { Page } from 'playwright-core'

/**
 * Every row of one store of the app's IndexedDB database (`study-log`) as the page holds it now;
 * [] while the store does not exist yet. Read with `page.evaluate`, which awaits the promise, so a
 * test can poll it (`waitForFunction` would take the promise itself as truthy).
 */
export function storedRows<T = unknown>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(async (store) => {
    const request = indexedDB.open('study-log')
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    try {
      if (!database.objectStoreNames.contains(store))
        return []
      const all = database.transaction(store).objectStore(store).getAll()
      return await new Promise<unknown[]>((resolve, reject) => {
        all.onsuccess = () => resolve(all.result)
        all.onerror = () => reject(all.error)
      })
    }
    finally {
      database.close()
    }
  }, store) as Promise<T[]>
}
