import { downloadBlob } from '@/app/components/app/download'

/** Hands `text` to the browser as a file download (works offline: the file is made on the device). */
export function downloadText(text: string, fileName: string, type: string): void {
  downloadBlob(new Blob([text], { type }), fileName)
}

/** A file name part without characters that file systems refuse. */
export function safeFileName(text: string): string {
  return text.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 40)
}
