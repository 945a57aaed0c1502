import type { Plugin } from 'vite'
import { readFileSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import process from 'node:process'
import { fileURLToPath, URL } from 'node:url'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

// Two builds with different APP_BUILD_ID differ in their JS, hence in sw.js's precache manifest:
// that is how a deploy of "a new version" is told apart (the update-prompt test relies on it).
const appBuild = process.env.APP_BUILD_ID || pkg.version

/** Files the server sends compressed: text the build writes (images are compressed already). */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt)$/
/** Below this, compressing saves less than the headers cost. */
const COMPRESS_MIN_BYTES = 1024

/**
 * Writes `x.br` (brotli, quality 11) and `x.gz` (gzip -9) beside every text file of the build,
 * sw.js included (this runs after the service worker is generated), once at build time; the server
 * sends them as they are (@fastify/static `preCompressed`), so no request pays for compressing.
 */
function precompress(): Plugin {
  let outDir = ''
  return {
    name: 'study-log:precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    closeBundle: {
      sequential: true,
      order: 'post',
      async handler() {
        const files = await readdir(outDir, { recursive: true, withFileTypes: true })
        for (const file of files) {
          if (!file.isFile() || !COMPRESSIBLE.test(file.name))
            continue
          const full = path.join(file.parentPath, file.name)
          const body = await readFile(full)
          if (body.length < COMPRESS_MIN_BYTES)
            continue
          await writeFile(`${full}.br`, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }))
          await writeFile(`${full}.gz`, gzipSync(body, { level: 9 }))
        }
      },
    },
  }
}

const THEME_COLOR = '#c8102e'
const BACKGROUND_COLOR = '#f7f8fa'

export default defineConfig({
  resolve: {
    alias: [
      { find: '@', replacement: fileURLToPath(new URL('./src', import.meta.url)) },
      // The app's own few hundred bytes of vue-i18n (useI18n's `t` and `locale`, plain JSON
      // messages with `{name}` and plural forms) instead of vue-i18n's runtime, ~17 KiB gzip on
      // every page: see src/app/i18n/runtime.ts.
      { find: /^vue-i18n$/, replacement: fileURLToPath(new URL('./src/app/i18n/runtime.ts', import.meta.url)) },
    ],
  },
  define: {
    __APP_BUILD__: JSON.stringify(appBuild),
    // Every component is <script setup> (Vant's Button and Loading, vue-router's and the virtual
    // list's are setup() too): Vue's Options API support (data, methods, mixins…) is left out.
    __VUE_OPTIONS_API__: 'false',
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
        // The API is never answered from a cache: no SPA fallback for it, and no runtime caching of it.
        navigateFallbackDenylist: [/^\/api\//],
        globPatterns: ['**/*.{js,css,html,png,svg}'],
        // ECharts (186 KiB gzip) draws only the secretary's 完成情况: members' phones never download
        // it. A secretary's phone keeps it once 完成情况 has been opened (runtime cache below).
        globIgnores: ['screenshots/**', 'assets/echarts-*.js'],
        runtimeCaching: [{
          urlPattern: ({ sameOrigin, url }) => sameOrigin && /^\/assets\/echarts-[\w-]+\.js$/.test(url.pathname),
          // Hashed file names never change content: once cached, no network is needed.
          handler: 'CacheFirst',
          options: { cacheName: 'echarts', expiration: { maxEntries: 4 } },
        }],
      },
    }),
    precompress(),
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
          // Its own chunk, so the service worker can leave it out of the precache (globIgnores).
          if (/node_modules\/(?:echarts|zrender)\//.test(id))
            return 'echarts'
        },
      },
    },
  },
})
