/** Hands a file (made on the device or sent by the server) to the browser as a download (`<a download>` on an object URL). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
  // The download has its own copy once started; the URL can go after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
