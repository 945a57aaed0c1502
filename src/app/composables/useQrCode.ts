import type { Ref } from 'vue'
import { ref, watchEffect } from 'vue'

/**
 * A QR code of `text` as an SVG data URL (the page's CSP allows img-src data:): sharp at any size,
 * no canvas. The encoder is its own chunk, fetched when a code is first shown, not with the page;
 * null until it has drawn. Used by the sign-in codes (认领码, 添加新设备) and the sessions' 签到码.
 */
export function useQrCode(text: Ref<string>): Ref<string | null> {
  const qr = ref<string | null>(null)
  watchEffect(async () => {
    const target = text.value
    const { default: QRCode } = await import('qrcode')
    const svg = await QRCode.toString(target, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
    if (target === text.value)
      qr.value = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
  })
  return qr
}
