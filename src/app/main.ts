// Evaluated first, for its side effect: the first screen's rows are read while the rest is evaluated.
import './modules/firstPage'
// eslint-disable-next-line perfectionist/sort-imports -- the import above must be evaluated first
import { createApp } from 'vue'
import App from './App.vue'
import { installElderMode } from './modules/elder'
import { installI18n } from './modules/i18n'
import { installPinia } from './modules/pinia'
import { installRouter } from './modules/router'
import { installSync } from './modules/sync'
import './modules/styles'

const app = createApp(App)
// Order matters: the stores (pinia) before anything that reads them.
for (const install of [installPinia, installI18n, installElderMode, installRouter, installSync])
  install(app)
app.mount('#app')
