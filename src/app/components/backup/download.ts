/** Hands `text` to the browser as a file download (works offline: the file is made on the device). */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
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

/** A file name part without characters that file systems refuse. */
export function safeFileName(text: string): string {
  return text.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 40)
}
