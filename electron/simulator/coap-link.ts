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
import { ConnectionRefusedError, type LinkSettings } from './device-link';
import { parseAttributePush, parseAttributeResponse } from './device-messages';
import { type LinkAnswer, RequestLink } from './request-link';

export class CoapLink extends RequestLink {
  private readonly agent = new Agent({ type: 'udp4' });
  private readonly host: string;
  private readonly port: number;
  private observation: { stream: ObserveReadStream; token: Buffer } | undefined;

  private constructor(settings: LinkSettings) {
    super(settings, { transport: 'CoAP', ok: '2.05', errors: OTA_ERRORS });
    const url = new URL(settings.url);
    this.host = url.hostname;
    this.port = url.port ? Number(url.port) : 5683;
    this.agent.on('error', () => this.close(undefined));
  }

  /** Nothing to connect: a wrong token shows at the first request (4.01) and ends the link. */
  static open(settings: LinkSettings): Promise<CoapLink> {
    return Promise.resolve(new CoapLink(settings));
  }

  protected postTelemetry(json: string): Promise<LinkAnswer> {
    return this.call('POST', coapDevicePath(this.settings.token, 'telemetry'), json);
  }

  async requestSharedAttributes(keys: readonly string[]): Promise<void> {
    const path = coapDevicePath(this.settings.token, 'attributes');
    const answer = await this.call('GET', path, undefined, `sharedKeys=${keys.join(',')}`).catch(
      () => undefined,
    );
    if (!answer) return;
    // ThingsBoard's CoAP answers "none of those keys" with 4.04: nothing is assigned.
    const shared = answer.code === '2.05' ? parseAttributeResponse(answer.body) : {};
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

  protected getChunk(type: OtaPackageType, query: Record<string, string>): Promise<LinkAnswer> {
    const text = Object.entries(query)
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
    return this.call('GET', coapOtaPath(type, this.settings.token), undefined, text);
  }

  protected override async sayGoodbye(): Promise<void> {
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
  }

  /** One CON request; rejects (and ends the link) when it fails; 4.01 ends it as refused. */
  private call(
    method: 'GET' | 'POST',
    pathname: string,
    payload?: string,
    query?: string,
    observe?: { observe: 1; token: Buffer },
  ): Promise<LinkAnswer> {
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
    return new Promise<LinkAnswer>((resolve, reject) => {
      req.on('response', (res: IncomingMessage) => {
        if (res.code === '4.01') {
          this.close('The station refused the access token (CoAP 4.01)');
          reject(new ConnectionRefusedError('CoAP 4.01'));
          return;
        }
        resolve({ code: res.code, body: res.payload });
      });
      req.on('error', (error: Error) => {
        this.close(undefined);
        reject(error);
      });
      req.end(payload);
    });
  }

  protected shutDown(): void {
    // Closing the agent ends the observation's stream too. Not the stream first: the client
    // then closes its socket itself, and a second close throws (coap 1.5.0).
    this.observation = undefined;
    this.agent.close();
  }
}

/** The station's answers to a chunk request, in the words of ThingsBoard's MQTT error topic. */
const OTA_ERRORS: Record<string, string> = {
  '4.00': 'FAILURE (title or version is not the assigned package)',
  '4.04': 'NOT_FOUND',
  '4.13': 'PAYLOAD_TOO_LARGE',
};
