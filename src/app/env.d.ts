/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/vanillajs" />

/** The build's identity (`APP_BUILD_ID`, else the package version), shown on 我的 as 版本. */
declare const __APP_BUILD__: string
