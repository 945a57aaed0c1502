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
