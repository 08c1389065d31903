/**
 * CoAP has no connection: each request stands alone. To the rest of the station (the Station
 * page's list, "online", the shared-attribute push) a device that speaks CoAP is one
 * DeviceConnection, present while it observes its attributes (GET with Observe:0, RFC 7641)
 * and for a while after its last request. Its observation is where pushed changes go.
 */
import { randomUUID } from 'node:crypto';

import type { ObserveWriteStream } from 'coap';

import type { DeviceCloseCause, DeviceConnection } from '../device-api/device-connection';
import type { DeviceIdentity } from '../repositories/devices';
import { encodeBlockOption, MAX_BLOCK_SIZE } from './block-option';
import { CONTENT_FORMAT_JSON, etagOf } from './coap-body';

export interface CoapPeer {
  address: string;
  port: number;
}

/** The device's attribute observation: the endpoint and token it registered with. */
interface Observation {
  peer: CoapPeer;
  token: Buffer;
  stream: ObserveWriteStream;
}

export interface PresenceHooks {
  /** One last message without Observe, which ends an observation at the device (§3.2). */
  sendFinal(peer: CoapPeer, token: Buffer, code: string): void;
  /** The presence ended (idle, closed by the station): it leaves the registry. */
  ended(presence: CoapPresence): void;
  /** An observation ended or began: the station-wide count changes. */
  observationsChanged(delta: 1 | -1): void;
}

/** What a device hears when the station ends its observation. */
const FINAL_CODES: Record<DeviceCloseCause, string> = {
  // ThingsBoard answers the observation a new registration replaces with 2.02 Deleted.
  'taken-over': '2.02',
  'rate-limited': '4.29',
  // Shutting down, or the listener moved: come back later.
  other: '5.03',
};

export class CoapPresence implements DeviceConnection {
  readonly id = `coap-${randomUUID()}`;
  readonly transport = 'coap' as const;
  readonly clientId = 'coap';
  readonly protocolLabel = 'CoAP';
  readonly connectedAt = Date.now();
  lastRequestAt = this.connectedAt;
  private observation: Observation | undefined;
  private closed = false;

  constructor(
    readonly device: DeviceIdentity,
    public remoteAddress: string,
    private readonly hooks: PresenceHooks,
  ) {}

  get isObserving(): boolean {
    return this.observation !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A request from the device: it is present until lingerMs after this. */
  touch(remoteAddress: string, at = Date.now()): void {
    this.remoteAddress = remoteAddress;
    this.lastRequestAt = at;
  }

  wantsAttributeUpdates(): boolean {
    return this.observation !== undefined;
  }

  pushAttributes(json: string): void {
    this.notify(Buffer.from(json));
  }

  /**
   * A registration. The same endpoint and token again (RFC 7641 §4.1: re-registration) keeps
   * the observation on the new request's stream; any other replaces it, and the one replaced
   * hears 2.02 Deleted, as ThingsBoard keeps one attribute observation per device.
   */
  observe(peer: CoapPeer, token: Buffer, stream: ObserveWriteStream): void {
    const old = this.observation;
    if (old && !isSame(old, peer, token)) this.hooks.sendFinal(old.peer, old.token, '2.02');
    const observation: Observation = { peer, token, stream };
    this.observation = observation;
    if (!old) this.hooks.observationsChanged(1);
    old?.stream.end();
    stream.on('error', () => undefined);
    // The library ends the stream on an RST to a notification, or once a CON notification
    // went unacknowledged: the device is no longer listening.
    stream.once('finish', () => {
      if (this.observation !== observation) return;
      this.observation = undefined;
      this.hooks.observationsChanged(-1);
    });
  }

  /** Observe:1 with the observation's endpoint and token ends it (§3.6). */
  deregister(peer: CoapPeer, token: Buffer): boolean {
    const old = this.observation;
    if (!old || !isSame(old, peer, token)) return false;
    this.endObservation(undefined);
    return true;
  }

  /**
   * One notification. A body over one block goes as its first block with Block2 and Size2
   * (RFC 7959 §3.4); attribute changes are a few keys, far below that.
   */
  notify(body: Buffer): void {
    const stream = this.observation?.stream;
    if (!stream) return;
    stream.setOption('Content-Format', CONTENT_FORMAT_JSON);
    if (body.length > MAX_BLOCK_SIZE) {
      stream.setOption('Block2', encodeBlockOption({ num: 0, more: true, size: MAX_BLOCK_SIZE }));
      stream.setOption('Size2', body.length);
      stream.setOption('ETag', etagOf(body));
      stream.write(body.subarray(0, MAX_BLOCK_SIZE));
    } else {
      for (const name of ['Block2', 'Size2', 'ETag'] as const) stream.setOption(name, []);
      stream.write(body);
    }
  }

  /** Ends the presence from the station's side; an observer hears why (FINAL_CODES). */
  close(_reason: string, cause: DeviceCloseCause = 'other'): void {
    if (this.closed) return;
    this.closed = true;
    this.endObservation(FINAL_CODES[cause] ?? '5.03');
    this.hooks.ended(this);
  }

  private endObservation(finalCode: string | undefined): void {
    const old = this.observation;
    if (!old) return;
    this.observation = undefined;
    this.hooks.observationsChanged(-1);
    if (finalCode) this.hooks.sendFinal(old.peer, old.token, finalCode);
    old.stream.end();
  }
}

function isSame(observation: Observation, peer: CoapPeer, token: Buffer): boolean {
  return (
    observation.peer.address === peer.address &&
    observation.peer.port === peer.port &&
    observation.token.equals(token)
  );
}
