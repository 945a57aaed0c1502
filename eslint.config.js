// @ts-check
import antfu from '@antfu/eslint-config'

export default antfu(
  {
    vue: true,
    typescript: true,
    ignores: ['dist/**', 'data/**', 'dev-dist/**', 'coverage/**', '**/*.md', 'public/**'],
  },
  {
    // The PWA and the server share only src/domain: they never import each other.
    files: ['src/app/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', '@/server/**'], message: 'src/app must not import src/server: share code through src/domain.' }] }],
    },
  },
  {
    files: ['src/server/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/app/**', 'vue', 'vue-router', 'pinia', 'dexie', 'vant'], message: 'src/server must not import the app or browser libraries: share code through src/domain.' }] }],
    },
  },
  {
    // src/domain is pure: no framework, no storage, no I/O.
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/app/**', '**/server/**', 'vue', 'pinia', 'dexie', 'vant', 'fastify', 'kysely', 'better-sqlite3', 'pg', 'node:*'], message: 'src/domain is pure TypeScript shared by app and server.' }] }],
    },
  },
  {
    // One Dexie database: only src/app/db touches browser storage.
    files: ['src/app/**'],
    ignores: ['src/app/db/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'indexedDB', message: 'Use the Dexie database in src/app/db.' }, { name: 'localStorage', message: 'Use the Dexie database in src/app/db.' }, { name: 'sessionStorage', message: 'Use the Dexie database in src/app/db.' }],
    },
  },
  {
    files: ['src/server/cli/**', 'tests/**'],
    rules: {
      'no-console': 'off',
      'node/prefer-global/process': 'off',
    },
  },
  {
    files: ['src/server/**'],
    rules: {
      'node/prefer-global/process': 'off',
      'node/prefer-global/buffer': 'off',
    },
  },
)
