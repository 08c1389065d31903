/**
 * The CoAP device link: ThingsBoard's CoAP device API as a constrained device uses it, through
 * the `coap` npm client. Telemetry is POSTed (one at a time, so states arrive in order), the
 * attributes are observed (the first notification is the snapshot, then each change), and
 * each chunk is its own GET of /fw/{token}, its blocks followed by the client (Block2).
 * "Losing the connection" drops the observation and the socket; the device opens another.
 */
import { Agent, type IncomingMessage, type ObserveReadStream, request } from 'coap';

import { coapDevicePath, coapOtaPath } from '../../shared/protocol/coap-device-api';
import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import {
  type ChunkRequest,
  ConnectionRefusedError,
  type DeviceLink,
  type LinkSettings,
} from './device-link';
import { parseAttributePush, parseAttributeResponse } from './device-messages';

const GRACEFUL_END_MS = 5_000;

interface Answer {
  code: string;
  payload: Buffer;
}

export class CoapLink implements DeviceLink {
  private open = true;
  private readonly agent = new Agent({ type: 'udp4' });
  private readonly host: string;
  private readonly port: number;
  /** Telemetry one message after the other: a device's states must not overtake each other. */
  private telemetryQueue: Promise<void> = Promise.resolve();
  private observation: { stream: ObserveReadStream; token: Buffer } | undefined;

  private constructor(private readonly settings: LinkSettings) {
    const url = new URL(settings.url);
    this.host = url.hostname;
    this.port = url.port ? Number(url.port) : 5683;
    this.agent.on('error', () => this.close(undefined));
  }

  /** Nothing to connect: a wrong token shows at the first request (4.01) and ends the link. */
  static open(settings: LinkSettings): Promise<CoapLink> {
    return Promise.resolve(new CoapLink(settings));
  }

  get isOpen(): boolean {
    return this.open;
  }

  telemetry(json: string): void {
    this.telemetryQueue = this.telemetryQueue.then(async () => {
      if (!this.open) return;
      await this.call('POST', coapDevicePath(this.settings.token, 'telemetry'), json).catch(
        () => undefined,
      );
    });
  }

  async requestSharedAttributes(keys: readonly string[]): Promise<void> {
    const path = coapDevicePath(this.settings.token, 'attributes');
    const answer = await this.call('GET', path, undefined, `sharedKeys=${keys.join(',')}`).catch(
      () => undefined,
    );
    if (!answer) return;
    // ThingsBoard's CoAP answers "none of those keys" with 4.04: nothing is assigned.
    const shared = answer.code === '2.05' ? parseAttributeResponse(answer.payload) : {};
    if (shared && (answer.code === '2.05' || answer.code === '4.04')) {
      this.settings.handlers.attributes({ kind: 'snapshot', shared });
    }
  }

  /** Observe:0 on the attributes: a flat snapshot of all shared attributes, then changes. */
  listenForAttributes(): Promise<void> {
    if (this.observation || !this.open) return Promise.resolve();
    const req = request({
      hostname: this.host,
      port: this.port,
      pathname: coapDevicePath(this.settings.token, 'attributes'),
      observe: true,
      confirmable: true,
      agent: this.agent,
    });
    return new Promise<void>((resolve) => {
      req.on('response', (stream: ObserveReadStream) => {
        if (stream.code === '4.01') this.close('The station refused the access token (CoAP 4.01)');
        if (!stream.code.startsWith('2.')) {
          resolve();
          return;
        }
        this.observation = { stream, token: req._packet.token ?? Buffer.alloc(0) };
        let first = true;
        stream.on('data', (payload: Buffer) => {
          if (!this.open || payload.length === 0) return;
          const values = parseAttributePush(payload);
          if (!values) return;
          if (first) {
            first = false;
            this.settings.handlers.attributes({ kind: 'snapshot', shared: values.values });
          } else {
            this.settings.handlers.attributes({ kind: 'push', ...values });
          }
        });
        resolve();
      });
      req.on('error', () => {
        this.close(undefined);
        resolve();
      });
      req.end();
    });
  }

  prepareDownload(_type: OtaPackageType): Promise<void> {
    return Promise.resolve();
  }

  requestChunk(chunk: ChunkRequest): void {
    const query = [
      `title=${chunk.title}`,
      `version=${chunk.version}`,
      `size=${chunk.size}`,
      `chunk=${chunk.index}`,
    ].join('&');
    const { handlers } = this.settings;
    this.call('GET', coapOtaPath(chunk.type, this.settings.token), undefined, query).then(
      (answer) => {
        if (!this.open) return;
        if (answer.code === '2.05') handlers.chunk(chunk.requestId, chunk.index, answer.payload);
        else handlers.otaError(OTA_ERRORS[answer.code] ?? `CoAP ${answer.code}`);
      },
      () => undefined, // the link is lost: closed() has told the device
    );
  }

  drop(): void {
    this.close(undefined);
  }

  async end(): Promise<void> {
    if (!this.open) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.telemetryQueue,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, GRACEFUL_END_MS))),
    ]);
    clearTimeout(timer);
    // Deregisters (GET with Observe:1 and the observation's token), so the station stops
    // counting the device as observing. Not the client's close(true), which closes its socket
    // before it sends that request (coap 1.5.0).
    const observation = this.observation;
    if (observation) {
      await this.call(
        'GET',
        coapDevicePath(this.settings.token, 'attributes'),
        undefined,
        undefined,
        { observe: 1, token: observation.token },
      ).catch(() => undefined);
      this.observation = undefined;
    }
    this.open = false;
    this.agent.close();
  }

  /** One CON request; rejects (and ends the link) when it fails; 4.01 ends it as refused. */
  private call(
    method: 'GET' | 'POST',
    pathname: string,
    payload?: string,
    query?: string,
    observe?: { observe: 1; token: Buffer },
  ): Promise<Answer> {
    if (!this.open) return Promise.reject(new Error('Link closed'));
    const req = request({
      hostname: this.host,
      port: this.port,
      method,
      pathname,
      ...(query !== undefined && { query }),
      ...observe,
      confirmable: true,
      agent: this.agent,
    });
    return new Promise<Answer>((resolve, reject) => {
      req.on('response', (res: IncomingMessage) => {
        if (res.code === '4.01') {
          this.close('The station refused the access token (CoAP 4.01)');
          reject(new ConnectionRefusedError('CoAP 4.01'));
          return;
        }
        resolve({ code: res.code, payload: res.payload });
      });
      req.on('error', (error: Error) => {
        this.close(undefined);
        reject(error);
      });
      req.end(payload);
    });
  }

  private close(refused: string | undefined): void {
    if (!this.open) return;
    this.open = false;
    // Closing the agent ends the observation's stream too. Not the stream first: the client
    // then closes its socket itself, and a second close throws (coap 1.5.0).
    this.observation = undefined;
    this.agent.close();
    this.settings.handlers.closed(refused);
  }
}

/** The station's answers to a chunk request, in the words of ThingsBoard's MQTT error topic. */
const OTA_ERRORS: Record<string, string> = {
  '4.00': 'FAILURE (title or version is not the assigned package)',
  '4.04': 'NOT_FOUND',
  '4.13': 'PAYLOAD_TOO_LARGE',
};
