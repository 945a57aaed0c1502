import type { AppModule } from './types'
import { router } from '@/app/router'

export const installRouter: AppModule = (app) => {
  app.use(router)
}
