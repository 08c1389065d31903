/** Electron wiring of the navigation rules, for every web contents the app ever creates. */
import { shell, type WebContents } from 'electron';

import type { Log } from '../core/log';
import { navigationDecision } from './navigation-policy';

export interface GuardOptions {
  /** Hosts added to the external-link allow-list at run time (the signed-in cloud). */
  extraHosts(): Iterable<string>;
  log: Log;
}

export function guardWebContents(contents: WebContents, options: GuardOptions): void {
  const { log } = options;
  const openExternally = (url: string) => {
    shell.openExternal(url).catch((error: unknown) => {
      log('warning', `could not open ${url} in the browser: ${String(error)}`);
    });
  };
  const refuseLeaving = (event: { preventDefault(): void }, url: string, what: string) => {
    const decision = navigationDecision(url, options.extraHosts());
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'open-externally') openExternally(url);
    else log('warning', `${what} to ${url} refused`);
  };

  contents.setWindowOpenHandler(({ url }) => {
    // Never a second app window: allowed sites open in the browser, the rest nowhere.
    if (navigationDecision(url, options.extraHosts(), false) === 'open-externally')
      openExternally(url);
    else log('warning', `new window for ${url} refused`);
    return { action: 'deny' };
  });

  contents.on('will-navigate', (event) => refuseLeaving(event, event.url, 'navigation'));
  contents.on('will-frame-navigate', (event) =>
    refuseLeaving(event, event.url, 'frame navigation'),
  );
  contents.on('will-redirect', (event) => refuseLeaving(event, event.url, 'redirect'));
  contents.on('will-attach-webview', (event) => {
    log('warning', 'a <webview> was refused');
    event.preventDefault();
  });
}
