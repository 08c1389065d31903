import { isAppUrl } from './app-origin';

/** The parts of Electron's WebFrameMain the check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** The parts of Electron's IpcMainInvokeEvent the check reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

/**
 * Why an IPC message is refused, or null when it comes from the app's own page: the main
 * window's web contents, its top frame (not an iframe), showing an app://field-ota page. A
 * frame that navigated or was destroyed meanwhile (senderFrame null) is refused as well.
 */
export function senderRefusal(
  event: InvokeEventLike,
  trustedWebContentsId: number | null,
): string | null {
  if (trustedWebContentsId === null) return 'no app window is open';
  if (event.sender.id !== trustedWebContentsId) return 'not sent by the app window';
  const frame = event.senderFrame;
  if (frame === null) return 'the sending frame is gone';
  if (frame.parent !== null) return 'sent by a sub-frame';
  if (!isAppUrl(frame.url)) return `sent by a page outside the app (${originOf(frame.url)})`;
  return null;
}

function originOf(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'unparseable URL';
  }
}
