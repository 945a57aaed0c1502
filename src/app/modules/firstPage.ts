// Imported first by main.ts, for its side effect: when the app opens on 学习 (its page is in the
// entry chunk), the list starts reading its first page now, while the rest of the app's code is
// still evaluated (db/firstPage.ts). Not on 笔记: its page is a chunk fetched after the router
// decides, and reading early there only competed with that (first entry 501 → 612 ms, median of 10
// at CPU 4×, where 学习 went 568 → 468 ms).
import { PAGE_SIZE } from '@/app/components/app/paging'
import { startFirstPage } from '@/app/db/firstPage'

const path = location.pathname.slice(import.meta.env.BASE_URL.length - 1).replace(/\/+$/, '') || '/'
if (path === '/' || path === '/study')
  startFirstPage('studyCheckins', PAGE_SIZE)
