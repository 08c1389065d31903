/**
 * The HTTP device link: ThingsBoard's HTTP device API as a device built for it uses it. There
 * is no connection to hold: telemetry is POSTed (one at a time, so states arrive in order),
 * attributes are asked for with GET, pushed changes come from a long poll, and each chunk is
 * its own GET. "Losing the connection" ends this link; the device then opens another.
 */
import http from 'node:http';
import https from 'node:https';

import { httpDevicePath, otaResource } from '../../shared/protocol/http-device-api';
import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import { ConnectionRefusedError, type LinkSettings } from './device-link';
import { parseAttributePush, parseAttributeResponse } from './device-messages';
import { type LinkAnswer, RequestLink } from './request-link';

/** How long one attribute-updates poll waits; then the device asks for the attributes again. */
const POLL_TIMEOUT_MS = 30_000;
/** A poll refused (429, 5xx) is tried again after this. */
const POLL_RETRY_MS = 1_000;

interface Answer {
  status: number;
  body: Buffer;
}

export class HttpLink extends RequestLink {
  private readonly agent: http.Agent;
  private readonly requests = new Set<http.ClientRequest>();
  private readonly base: URL;
  private polling = false;
  private lastKeys: readonly string[] = [];

  private constructor(settings: LinkSettings) {
    super(settings, { transport: 'HTTP', ok: '200', errors: OTA_ERRORS });
    this.base = new URL(settings.url);
    const secure = this.base.protocol === 'https:';
    const options = { keepAlive: true, maxSockets: 4, noDelay: true };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
  }

  /** Nothing to connect: a wrong token shows at the first request (401) and ends the link. */
  static open(settings: LinkSettings): Promise<HttpLink> {
    return Promise.resolve(new HttpLink(settings));
  }

  async requestSharedAttributes(keys: readonly string[]): Promise<void> {
    this.lastKeys = keys;
    const answer = await this.call('GET', 'attributes', undefined, {
      sharedKeys: keys.join(','),
    }).catch(() => undefined);
    if (answer?.status !== 200) return;
    const shared = parseAttributeResponse(answer.body);
    if (shared) this.settings.handlers.attributes({ kind: 'snapshot', shared });
  }

  listenForAttributes(): Promise<void> {
    if (!this.polling) {
      this.polling = true;
      void this.poll();
    }
    return Promise.resolve();
  }

  protected postTelemetry(json: string): Promise<Answer> {
    return this.call('POST', 'telemetry', json);
  }

  protected async getChunk(
    type: OtaPackageType,
    query: Record<string, string>,
  ): Promise<LinkAnswer> {
    const answer = await this.call('GET', otaResource(type), undefined, query);
    return { code: String(answer.status), body: answer.body };
  }

  /** GET attributes/updates in a loop; after each empty one, the attributes again (as TB advises). */
  private async poll(): Promise<void> {
    const { handlers } = this.settings;
    while (this.open) {
      let answer: Answer;
      try {
        answer = await this.call('GET', 'attributes/updates', undefined, {
          timeout: String(POLL_TIMEOUT_MS),
        });
      } catch {
        return; // lost: the link is closed
      }
      if (!this.open) return;
      if (answer.status === 200) {
        const push = parseAttributePush(answer.body);
        if (push) handlers.attributes({ kind: 'push', ...push });
      } else if (answer.status === 408) {
        await this.requestSharedAttributes(this.lastKeys);
      } else {
        await new Promise((resolve) => setTimeout(resolve, POLL_RETRY_MS));
      }
    }
  }

  /** One request; rejects (and ends the link) when the network fails, 401 ends it as refused. */
  private call(
    method: 'GET' | 'POST',
    resource: Parameters<typeof httpDevicePath>[1],
    body?: string,
    query?: Record<string, string>,
  ): Promise<Answer> {
    if (!this.open) return Promise.reject(new Error('Link closed'));
    const url = new URL(httpDevicePath(this.settings.token, resource), this.base);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.settings.connectTimeoutMs + POLL_TIMEOUT_MS,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.once('end', () => {
            this.requests.delete(req);
            const status = res.statusCode ?? 0;
            if (status === 401) {
              this.close(`The station refused the access token (HTTP 401)`);
              reject(new ConnectionRefusedError('HTTP 401'));
              return;
            }
            resolve({ status, body: Buffer.concat(parts) });
          });
          res.once('error', fail);
        },
      );
      const fail = (error: Error): void => {
        this.requests.delete(req);
        this.close(undefined);
        reject(error);
      };
      req.once('error', fail);
      req.once('timeout', () => req.destroy(new Error('No answer in time')));
      this.requests.add(req);
      req.end(body);
    });
  }

  protected shutDown(): void {
    for (const req of this.requests) req.destroy();
    this.requests.clear();
    this.agent.destroy();
  }
}

/** ThingsBoard's answers to a chunk request, in the words of its MQTT error topic. */
const OTA_ERRORS: Record<string, string> = {
  400: 'FAILURE (title or version is not the assigned package)',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
};
