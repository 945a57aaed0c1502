import type { AppModule } from './types'
import { router } from '@/app/router'
import { keepPagesOffline } from '@/app/router/offline'

export const installRouter: AppModule = (app) => {
  app.use(router)
  keepPagesOffline(router)
}
