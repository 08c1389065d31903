/**
 * Saves text the station produced (a job report) as a file, through a Blob URL: no round trip
 * to a download address, and it works the same in the browser and in the desktop window.
 */
export function saveTextFile(fileName: string, contentType: string, body: string): void {
  const url = URL.createObjectURL(new Blob([body], { type: contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has read the data long before this; freeing it at once could race the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
