import type { AppModule } from './types'
import { createPinia } from 'pinia'

export const installPinia: AppModule = (app) => {
  app.use(createPinia())
}
