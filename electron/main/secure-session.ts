/** Electron wiring of the session: the app:// protocol and the session-wide refusals. */
import fs from 'node:fs';
import { Readable } from 'node:stream';

import { protocol, type Session } from 'electron';

import type { Log } from '../core/log';
import { APP_SCHEME, isAppUrl } from './app-origin';
import { resolveAppResource } from './app-protocol';
import { appResponseHeaders, CONTENT_SECURITY_POLICY } from './content-security-policy';
import { isAllowedRequest } from './navigation-policy';
import { isPermissionAllowed } from './permission-policy';
import { APP_SCHEME_PRIVILEGES } from './scheme-privileges';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
}

/** Serves the built renderer on app://field-ota/, every answer with the CSP. */
export function installAppProtocol(session: Session, rendererRoot: string, log: Log): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const resource = await resolveAppResource(request.url, request.method, rendererRoot);
    if (resource.kind === 'refused') {
      log('warning', `app:// ${request.method} ${request.url} refused: ${resource.reason}`);
      return new Response(`${resource.reason}\n`, {
        status: resource.status,
        headers: appResponseHeaders('text/plain; charset=utf-8'),
      });
    }
    const body =
      request.method === 'HEAD'
        ? null
        : (Readable.toWeb(fs.createReadStream(resource.path)) as unknown as ReadableStream);
    return new Response(body, {
      status: 200,
      headers: {
        ...appResponseHeaders(resource.contentType),
        'Content-Length': String(resource.size),
      },
    });
  });
}

/** Nothing remote, no permissions beyond the clipboard write, no devices, no downloads from elsewhere. */
export function hardenSession(session: Session, log: Log): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = isPermissionAllowed(permission, details.requestingUrl);
    if (!allowed) log('warning', `permission ${permission} refused to ${details.requestingUrl}`);
    callback(allowed);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? requestingOrigin),
  );
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url);
    if (!allowed) log('warning', `request to ${details.url} blocked`);
    callback({ cancel: !allowed });
  });
  // Belt and braces: should any app:// answer reach the network stack without our headers.
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url)) return callback({});
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  session.on('will-download', (event, item) => {
    // The page may save what it made itself (blob: of our origin, e.g. a report); nothing else.
    if (!item.getURL().startsWith('blob:app://')) {
      log('warning', `download of ${item.getURL()} refused`);
      event.preventDefault();
    }
  });
}
