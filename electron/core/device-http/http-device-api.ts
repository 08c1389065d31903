/**
 * The ServicePleX device API over HTTP, as ThingsBoard's DeviceApiController serves it: each
 * request is one call on the device service, answered with ThingsBoard's status codes. The
 * adapter decides nothing about devices; it only reads requests and writes answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { DeviceMessageKind } from '../../../shared/api/entities';
import type { DeviceCaller, DeviceResult } from '../device-api/device-service';
import { describeError } from '../guarded';
import { sendJson } from '../http/json-response';
import { parseRequestUrl } from '../http/request-url';
import { readDeviceBody } from './device-body';
import { sendBadRequest, sendEmpty, sendRefusal, sendTooLarge } from './device-response';
import { type DeviceCall, routeDeviceRequest } from './device-route';
import {
  httpCaller,
  type HttpDeviceContext,
  recordRefusal,
  type Requester,
} from './http-device-context';
import { openLongPoll } from './long-poll';
import { serveDownload } from './ota-download';

/** What each call counts as on the Station page's list of connections. */
const MESSAGE_KINDS: Record<DeviceCall['kind'], DeviceMessageKind> = {
  telemetry: 'telemetry',
  clientAttributes: 'clientAttributes',
  attributeRequest: 'attributeRequest',
  attributeUpdates: 'attributeRequest',
  rpcPoll: 'rpcRequest',
  rpcRequest: 'rpcRequest',
  rpcResponse: 'rpcResponse',
  download: 'chunkRequest',
};

export class HttpDeviceApi {
  constructor(private readonly ctx: HttpDeviceContext) {}

  /** Never rejects: whatever goes wrong is recorded and answered (or the connection cut). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remoteAddress = req.socket.remoteAddress ?? 'unknown';
    let who: Requester = { device: undefined, remoteAddress };
    try {
      await this.dispatch(req, res, remoteAddress, (caller) => (who = caller));
    } catch (error) {
      recordRefusal(
        this.ctx,
        who,
        'internal-error',
        `${req.method ?? '?'} ${resourceOf(req)}: ${describeError(error)}`,
      );
      if (!res.headersSent) sendRefusal(res, 'internal', 'Internal error', 0);
      else res.destroy();
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    remoteAddress: string,
    identified: (caller: DeviceCaller) => void,
  ): Promise<void> {
    const who: Requester = { device: undefined, remoteAddress };
    const url = parseRequestUrl(req);
    const route = url ? routeDeviceRequest(req.method ?? '', url.pathname) : undefined;
    if (!url || !route || route.kind === 'not-found') {
      recordRefusal(
        this.ctx,
        who,
        'unknown-route',
        `${req.method ?? '?'} ${resourceOf(req)}: no such device API route`,
      );
      return sendEmpty(res, 404);
    }
    if (route.kind === 'wrong-method') {
      recordRefusal(
        this.ctx,
        who,
        'wrong-method',
        `${req.method ?? '?'} ${resourceOf(req)}: not allowed (${route.allowed.join(', ')})`,
      );
      return sendEmpty(res, 405, { Allow: route.allowed.join(', ') });
    }
    const device = this.ctx.service.authenticate(route.token, {
      transport: 'http',
      remoteAddress,
      clientId: null,
    });
    // Unknown token: 401 with no body, as ThingsBoard; the service recorded it.
    if (!device) return sendEmpty(res, 401);
    const caller = httpCaller(device, remoteAddress, `${req.method ?? '?'} ${resourceOf(req)}`);
    identified(caller);
    const presence = this.ctx.presence.begin(device, remoteAddress);
    if ('ok' in presence) return sendRefusal(res, presence.refusal, presence.message, 0);
    res.once('close', presence.end);
    presence.note(MESSAGE_KINDS[route.call.kind]);
    await this.call(route.call, caller, req, res, url.searchParams);
  }

  private async call(
    call: DeviceCall,
    caller: DeviceCaller,
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams,
  ): Promise<void> {
    const { service, limits } = this.ctx;
    switch (call.kind) {
      case 'telemetry':
        return this.withBody(req, res, caller, limits.maxBodyBytes, (body) =>
          this.answer(res, service.telemetry(caller, body)),
        );
      case 'clientAttributes':
        return this.withBody(req, res, caller, limits.maxBodyBytes, (body) =>
          this.answer(res, service.clientAttributes(caller, body)),
        );
      case 'attributeRequest':
        return this.attributeRequest(caller, res, params);
      case 'attributeUpdates':
        return openLongPoll(this.ctx, caller, 'attributes', res, params);
      case 'rpcPoll':
        return openLongPoll(this.ctx, caller, 'rpc', res, params);
      case 'rpcRequest':
        return this.withBody(req, res, caller, limits.maxRpcBodyBytes, (body) => {
          const result = service.rpc(caller, body);
          if (result.ok) sendJson(res, 200, result.value);
          else sendRefusal(res, result.refusal, result.message, limits.maxRpcBodyBytes);
        });
      case 'rpcResponse':
        return this.rpcResponse(call.requestId, caller, req, res);
      case 'download':
        return serveDownload(this.ctx, caller, call.type, req, res, params);
    }
  }

  /** `?clientKeys=a,b&sharedKeys=c`: comma lists, an empty one as if absent; none = all. */
  private attributeRequest(caller: DeviceCaller, res: ServerResponse, params: URLSearchParams) {
    const json: Record<string, string> = {};
    for (const name of ['clientKeys', 'sharedKeys']) {
      const value = params.get(name);
      if (value) json[name] = value;
    }
    const query = this.ctx.service.attributeQuery(caller, json);
    if (!query.ok) return sendRefusal(res, query.refusal, query.message, 0);
    const result = this.ctx.service.attributes(caller, query.value);
    if (result.ok) sendJson(res, 200, result.value);
    else sendRefusal(res, result.refusal, result.message, 0);
  }

  /** The device's answer to a server-side RPC: the station sends none, so it is only read. */
  private async rpcResponse(
    requestId: string,
    caller: DeviceCaller,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    if (!/^-?\d{1,10}$/.test(requestId)) {
      const message = `RPC request id must be an integer, got "${requestId.slice(0, 32)}"`;
      recordRefusal(this.ctx, caller, 'bad-request', `POST rpc/{id}: ${message}`);
      return sendBadRequest(res, message);
    }
    return this.withBody(req, res, caller, this.ctx.limits.maxRpcBodyBytes, () =>
      sendEmpty(res, 200),
    );
  }

  private async withBody(
    req: IncomingMessage,
    res: ServerResponse,
    caller: DeviceCaller,
    limit: number,
    use: (body: Buffer) => void,
  ): Promise<void> {
    const body = await readDeviceBody(req, limit);
    if (body.kind === 'gone') return;
    if (body.kind === 'too-large') {
      const size = body.declared === undefined ? 'more than that' : `${body.declared} bytes`;
      recordRefusal(
        this.ctx,
        caller,
        'message-too-large',
        `${req.method ?? '?'} ${resourceOf(req)}: body of ${size} refused, at most ${limit} bytes`,
      );
      return sendTooLarge(res, limit);
    }
    use(body.bytes);
  }

  private answer(res: ServerResponse, result: DeviceResult): void {
    if (result.ok) sendEmpty(res, 200);
    else sendRefusal(res, result.refusal, result.message, this.ctx.limits.maxBodyBytes);
  }
}

/** The request's resource without the token (a secret) or the query: `/api/v1/…/telemetry`. */
function resourceOf(req: IncomingMessage): string {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const match = /^\/api\/v1\/[^/]+(\/.*)?$/.exec(path);
  if (match) return `/api/v1/…${match[1] ?? ''}`;
  return path.length > 60 ? `${path.slice(0, 60)}…` : path;
}
