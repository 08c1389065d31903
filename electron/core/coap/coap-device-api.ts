/**
 * ThingsBoard's device API over CoAP (docs/device-protocol.md#coap): each request is one
 * DeviceService call, its result a CoAP response code. The service decides; this translates.
 */
import type { IncomingMessage, ObserveWriteStream } from 'coap';

import type { DeviceMessageKind } from '../../../shared/api/entities';
import { accepted } from '../device-api/device-result';
import type {
  DeviceCaller,
  DeviceOrigin,
  DeviceRefusal,
  DeviceResult,
  DeviceService,
} from '../device-api/device-service';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import { guarded } from '../guarded';
import type { DeviceIdentity } from '../repositories/devices';
import { answer, answerRefusal } from './coap-answer';
import { jsonBody, type RequestedBlock, requestedBlock, sendBody } from './coap-body';
import { CoapOta } from './coap-ota';
import { CoapPresence } from './coap-presence';
import { type CoapRoute, parseCoapRoute, queryParameters } from './coap-routes';
import { type CoapResponse, sendResponse } from './coap-server';

/** What GET /.well-known/core lists (RFC 6690 link format), as Californium lists TB's. */
const RESOURCE_LINKS =
  '</api/v1>;title="ThingsBoard device API",</fw>;title="Firmware",</sw>;title="Software"';
const CONTENT_FORMAT_LINK = 40;

/** A caller whose presence is known: every authenticated CoAP request has one. */
type PresentCaller = DeviceCaller & { connection: CoapPresence };

export interface CoapDeviceApiOptions {
  /** Attribute observations at once, all devices together (one per device). */
  maxObservations: number;
  /** A device that does not observe is shown present this long after its last request. */
  lingerMs: number;
}

export const DEFAULT_COAP_DEVICE_API_OPTIONS: CoapDeviceApiOptions = {
  maxObservations: 10_000,
  // As long as an HTTP device's: a device polling once a minute stays online throughout.
  lingerMs: 90_000,
};

export class CoapDeviceApi {
  /** Each device that spoke CoAP lately, as one connection (coap-presence.ts). */
  private readonly presences = new Map<string, CoapPresence>();
  private observations = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly ota: CoapOta;

  constructor(
    private readonly service: DeviceService,
    private readonly errors: ProtocolErrorLog,
    /** Sends one datagram outside any exchange (the last word to an observation). */
    private readonly sendDatagram: (
      packet: { code: string; token: Buffer; confirmable: boolean },
      peer: { address: string; port: number },
    ) => void,
    private readonly options: CoapDeviceApiOptions = DEFAULT_COAP_DEVICE_API_OPTIONS,
  ) {
    this.ota = new CoapOta(service);
    this.sweeper = setInterval(
      guarded('ending idle CoAP devices', () => this.endIdle()),
      Math.max(1000, options.lingerMs / 4),
    );
    this.sweeper.unref();
  }

  get observationCount(): number {
    return this.observations;
  }

  /**
   * Whether a GET may start an observation: only attributes and rpc take Observe (ThingsBoard
   * marks the OTA resources observable but never notifies; they answer as a plain GET).
   */
  observable(url: string): boolean {
    const route = parseCoapRoute(url);
    return route.kind === 'device' && route.feature !== 'telemetry';
  }

  /** Ends every presence; observers hear 5.03 (the station stops, or the listener moves). */
  endAll(): void {
    for (const presence of [...this.presences.values()]) presence.close('CoAP listener closed');
  }

  close(): void {
    clearInterval(this.sweeper);
    this.endAll();
  }

  private endIdle(): void {
    const before = Date.now() - this.options.lingerMs;
    for (const presence of [...this.presences.values()]) {
      if (!presence.isObserving && presence.lastRequestAt < before) presence.close('idle');
    }
  }

  /** The device's presence, made on its first request. */
  private presenceOf(device: DeviceIdentity, remoteAddress: string): CoapPresence {
    let presence = this.presences.get(device.id);
    if (presence && !presence.isClosed) {
      presence.touch(remoteAddress);
      return presence;
    }
    presence = new CoapPresence(device, remoteAddress, {
      sendFinal: (peer, token, code) =>
        this.sendDatagram({ code, token, confirmable: false }, peer),
      ended: (ended) => {
        if (this.presences.get(device.id) === ended) this.presences.delete(device.id);
        this.service.disconnected(ended);
      },
      observationsChanged: (delta) => {
        this.observations += delta;
      },
    });
    this.presences.set(device.id, presence);
    this.service.connected(presence);
    return presence;
  }

  handle = (req: IncomingMessage, res: CoapResponse): void | Promise<void> => {
    const route = parseCoapRoute(req.url);
    const origin: DeviceOrigin = {
      transport: 'coap',
      remoteAddress: req.rsinfo.address,
      clientId: null,
    };
    switch (route.kind) {
      case 'discovery':
        return sendResponse(res, '2.05', Buffer.from(RESOURCE_LINKS), {
          'Content-Format': CONTENT_FORMAT_LINK,
        });
      case 'not-found':
        return this.refuseAnonymous(res, origin, '4.04', 'coap-not-found', 'No such CoAP resource');
      case 'bad-feature':
        return this.refuseAnonymous(
          res,
          origin,
          '4.00',
          'coap-bad-feature',
          route.feature
            ? `Unknown CoAP feature "${route.feature}" (telemetry, attributes, rpc, firmware, software)`
            : 'CoAP request without a feature after the access token',
        );
      case 'unsupported':
        return this.refuseAnonymous(
          res,
          origin,
          '4.04',
          'coap-unsupported',
          `The station does not offer ThingsBoard's ${route.feature} over CoAP`,
        );
      case 'no-token':
        this.service.authenticate('', origin);
        return answer(res, '4.01');
    }
    const device = this.service.authenticate(route.token, origin);
    if (!device) return answer(res, '4.01');
    const caller: PresentCaller = {
      ...origin,
      device,
      connection: this.presenceOf(device, origin.remoteAddress),
      request: describe(req, route),
    };
    if (route.kind === 'device') return this.deviceRequest(req, res, caller, route);
    this.note(caller, 'chunkRequest');
    const block = this.block(req, res, caller);
    if (!block) return;
    return this.ota.serve(req, res, caller, route.type, block, queryParameters(uriQueries(req)));
  };

  private deviceRequest(
    req: IncomingMessage,
    res: CoapResponse,
    caller: PresentCaller,
    route: Extract<CoapRoute, { kind: 'device' }>,
  ): void | Promise<void> {
    const post = req.method === 'POST';
    switch (route.feature) {
      case 'telemetry':
        if (!post)
          return this.refuse(
            res,
            caller,
            'bad-request',
            'coap-bad-method',
            'Telemetry cannot be read over CoAP (GET)',
          );
        this.note(caller, 'telemetry');
        return this.reply(res, this.service.telemetry(caller, req.payload), '2.01');
      case 'attributes':
        if (post) {
          this.note(caller, 'clientAttributes');
          return this.reply(res, this.service.clientAttributes(caller, req.payload), '2.01');
        }
        if (req.headers.Observe === 0) return this.observe(req, res as ObserveWriteStream, caller);
        if (req.headers.Observe === 1) return this.deregister(req, res, caller);
        this.note(caller, 'attributeRequest');
        return this.attributes(req, res, caller);
      case 'rpc':
        this.note(caller, post ? (route.requestId ? 'rpcResponse' : 'rpcRequest') : 'rpcRequest');
        if (post && route.requestId !== undefined) {
          // The station sends devices no RPC, so there is nothing to match a reply to.
          return answer(res, '2.01');
        }
        if (post) return this.rpc(req, res, caller);
        if (req.headers.Observe === 0) {
          // ThingsBoard answers 2.03 Valid and later one notification per RPC; the station
          // has none to send, so the observation is accepted and stays silent.
          const stream = res as ObserveWriteStream;
          stream.statusCode = '2.03';
          stream.end(Buffer.alloc(0));
          return;
        }
        if (req.headers.Observe === 1) return answer(res, '2.02');
        return this.refuse(
          res,
          caller,
          'bad-request',
          'coap-bad-method',
          'RPC requests are read with Observe over CoAP',
        );
    }
  }

  private attributes(
    req: IncomingMessage,
    res: CoapResponse,
    caller: PresentCaller,
  ): Promise<void> | void {
    return this.replyJson(req, res, caller, () => {
      const params = queryParameters(uriQueries(req));
      const json: Record<string, string> = {};
      for (const name of ['clientKeys', 'sharedKeys']) {
        const value = params.get(name);
        if (value !== undefined) json[name] = value;
      }
      const query = this.service.attributeQuery(caller, json);
      if (!query.ok) return query;
      const values = this.service.attributes(caller, query.value);
      // ThingsBoard's CoAP answers "nothing found" with 4.04 (HTTP and MQTT send {}).
      return values.ok && Object.keys(values.value).length === 0 ? accepted(undefined) : values;
    });
  }

  /**
   * Observe:0 on attributes: the first notification is a snapshot of every shared attribute,
   * flat (`{}` when none), as ThingsBoard sends; then each change, flat, or {"deleted":[…]}.
   */
  private observe(req: IncomingMessage, stream: ObserveWriteStream, caller: PresentCaller): void {
    const presence = caller.connection;
    if (!presence.isObserving && this.observations >= this.options.maxObservations) {
      this.service.refuse(
        caller,
        'rate-limited',
        'coap-observe-limit',
        `${this.observations} CoAP observations at once (the station's limit): observation refused`,
      );
      return answer(stream, '5.03');
    }
    const peer = { address: req.rsinfo.address, port: req.rsinfo.port };
    this.note(caller, 'attributeRequest');
    presence.observe(peer, req._packet.token ?? Buffer.alloc(0), stream);
    presence.notify(this.snapshot(caller));
  }

  private snapshot(caller: PresentCaller): Buffer {
    const values = this.service.attributes(caller, { clientKeys: undefined, sharedKeys: 'all' });
    return Buffer.from(JSON.stringify(values.ok ? (values.value.shared ?? {}) : {}));
  }

  /** Observe:1 with the observation's token ends it; ThingsBoard answers 2.02 Deleted. */
  private deregister(req: IncomingMessage, res: CoapResponse, caller: PresentCaller): void {
    const peer = { address: req.rsinfo.address, port: req.rsinfo.port };
    caller.connection.deregister(peer, req._packet.token ?? Buffer.alloc(0));
    answer(res, '2.02');
  }

  private rpc(
    req: IncomingMessage,
    res: CoapResponse,
    caller: PresentCaller,
  ): Promise<void> | void {
    return this.replyJson(req, res, caller, () => this.service.rpc(caller, req.payload));
  }

  /**
   * Answers with the JSON `produce` gives, in the Block2 the request asks for: a malformed
   * Block2 is answered 4.00 before anything is done, a refusal with its code, and nothing
   * found (undefined) with 4.04.
   */
  private replyJson(
    req: IncomingMessage,
    res: CoapResponse,
    caller: PresentCaller,
    produce: () => DeviceResult<object | undefined>,
  ): Promise<void> | void {
    const block = this.block(req, res, caller);
    if (!block) return;
    const result = produce();
    if (!result.ok) return answerRefusal(res, result);
    if (result.value === undefined) return answer(res, '4.04');
    return sendBody(res, block.block, jsonBody(result.value)).then(() => undefined);
  }

  /** The request's Block2; a malformed one is answered 4.00 here (undefined returned). */
  private block(
    req: IncomingMessage,
    res: CoapResponse,
    caller: PresentCaller,
  ): Extract<RequestedBlock, { ok: true }> | undefined {
    const block = requestedBlock(req);
    if (block.ok) return block;
    this.refuse(res, caller, 'bad-request', 'coap-bad-block', block.reason);
    return undefined;
  }

  private note(caller: PresentCaller, kind: DeviceMessageKind): void {
    this.service.noteMessage(caller.connection, kind);
  }

  private reply(res: CoapResponse, result: DeviceResult, code: string): void {
    if (result.ok) answer(res, code);
    else answerRefusal(res, result);
  }

  private refuse(
    res: CoapResponse,
    caller: PresentCaller,
    refusal: DeviceRefusal,
    kind: string,
    message: string,
  ): void {
    answerRefusal(res, this.service.refuse(caller, refusal, kind, message));
  }

  /** A refusal before the device is known: recorded without one. */
  private refuseAnonymous(
    res: CoapResponse,
    origin: DeviceOrigin,
    code: string,
    kind: string,
    message: string,
  ): void {
    this.errors.record({
      kind,
      message,
      deviceId: null,
      deviceName: null,
      clientId: null,
      remoteAddress: origin.remoteAddress,
    });
    answer(res, code, message);
  }
}

function uriQueries(req: IncomingMessage): Buffer[] {
  return (req._packet.options ?? [])
    .filter((option) => option.name === 'Uri-Query' && Buffer.isBuffer(option.value))
    .map((option) => option.value as Buffer);
}

/** What the log names as the request: never the path, which holds the access token. */
function describe(
  req: IncomingMessage,
  route: Extract<CoapRoute, { kind: 'device' | 'ota' }>,
): string {
  const what = route.kind === 'ota' ? route.type.toLowerCase() : route.feature;
  return `CoAP ${req.method} ${what}`;
}
