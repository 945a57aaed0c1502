import type { App } from 'vue'

/** A plugin file in `src/app/modules`: installs one concern into the app, in the order main.ts lists. */
export type AppModule = (app: App) => void
