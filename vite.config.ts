import { readFileSync } from 'node:fs'
import process from 'node:process'
import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

// Two builds with different APP_BUILD_ID differ in their JS, hence in sw.js's precache manifest:
// that is how a deploy of "a new version" is told apart (the update-prompt test relies on it).
const appBuild = process.env.APP_BUILD_ID || pkg.version

const THEME_COLOR = '#c8102e'
const BACKGROUND_COLOR = '#f7f8fa'

export default defineConfig({
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __APP_BUILD__: JSON.stringify(appBuild),
    // vue-i18n: Composition API only, JIT message compilation (no eval, so it runs under the CSP).
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  plugins: [
    vue(),
    {
      name: 'study-log:build-id',
      transformIndexHtml: html => html.replace('<html lang="zh-CN"', `<html lang="zh-CN" data-build="${appBuild.replace(/[^\w.-]/g, '')}"`),
    },
    VitePWA({
      registerType: 'prompt',
      strategies: 'generateSW',
      injectRegister: false,
      // The glob below already precaches every icon: listing the manifest's icons again would duplicate entries.
      includeManifestIcons: false,
      manifest: {
        name: '学习打卡',
        short_name: '学习打卡',
        id: '/',
        description: '党员学习打卡：随时记录每周学习，离线也能用，联网后自动同步到支部。',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        icons: [
          { src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        cleanupOutdatedCaches: true,
        // The first install controls the page at once (offline works from the first visit); an update
        // still waits for 刷新, because skipWaiting runs only when the member accepts it.
        clientsClaim: true,
        navigateFallback: 'index.html',
        // The API is never answered from a cache: no runtime caching at all, and no SPA fallback for it.
        navigateFallbackDenylist: [/^\/api\//],
        globPatterns: ['**/*.{js,css,html,png,svg}'],
        globIgnores: ['screenshots/**'],
      },
    }),
  ],
  server: {
    // `npm run dev` beside `npm start`: the API stays on the real server.
    proxy: { '/api': { target: process.env.API_URL || 'http://localhost:8080', changeOrigin: false } },
  },
  build: {
    target: 'es2022',
    rollupOptions: {
      output: {
        manualChunks(id) {
          // Libraries every page needs share one long-cached chunk, apart from the app's code.
          if (/node_modules\/(?:@vue|vue|vue-router|pinia|vue-i18n|@intlify)\//.test(id))
            return 'vue'
          if (id.includes('node_modules/dexie/'))
            return 'dexie'
        },
      },
    },
  },
})
