/**
 * CoAP clients for tests: the `coap` npm client (node-coap's Agent), Debian's libcoap
 * `coap-client-notls`, and a raw UDP socket that sends exactly the datagrams a test writes
 * and keeps every datagram the station sends, in order.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';

import { Agent, type IncomingMessage, type ObserveReadStream, request } from 'coap';
import { generate, type NamedOption, parse, type ParsedPacket } from 'coap-packet';

export interface CoapReply {
  code: string;
  payload: Buffer;
  options: Record<string, unknown>;
}

export interface NodeCoapRequest {
  port: number;
  host?: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pathname: string;
  query?: string;
  payload?: string | Buffer;
  confirmable?: boolean;
  options?: Record<string, Buffer | number | string>;
  agent?: Agent;
  timeoutMs?: number;
}

/** One request through node-coap's client; Block2 responses arrive reassembled by it. */
export function coapRequest(params: NodeCoapRequest): Promise<CoapReply> {
  const agent = params.agent ?? new Agent();
  const req = request({
    hostname: params.host ?? '127.0.0.1',
    port: params.port,
    method: params.method ?? 'GET',
    pathname: params.pathname,
    ...(params.query !== undefined && { query: params.query }),
    confirmable: params.confirmable ?? true,
    agent,
  });
  for (const [name, value] of Object.entries(params.options ?? {})) req.setOption(name, value);
  return new Promise<CoapReply>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`No CoAP answer to ${params.pathname} within ${params.timeoutMs ?? 10_000} ms`),
        ),
      params.timeoutMs ?? 10_000,
    );
    req.on('response', (res: IncomingMessage) => {
      clearTimeout(timer);
      resolve({ code: res.code, payload: res.payload, options: { ...res.headers } });
    });
    req.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(params.payload);
  }).finally(() => {
    if (!params.agent) agent.close();
  });
}

/**
 * An observation through node-coap's client: every notification's payload, in order.
 * `deregister` sends GET with Observe:1 and the observation's token from the same socket
 * (RFC 7641 §3.6): node-coap's own
 * `stream.close(true)` closes its socket before it sends that request (1.5.0), so it throws.
 */
export async function coapObserve(params: Omit<NodeCoapRequest, 'method' | 'payload'>): Promise<{
  stream: ObserveReadStream;
  code: string;
  notifications: Buffer[];
  agent: Agent;
  deregister(): Promise<CoapReply>;
}> {
  const agent = params.agent ?? new Agent();
  const req = request({
    hostname: params.host ?? '127.0.0.1',
    port: params.port,
    method: 'GET',
    pathname: params.pathname,
    observe: true,
    confirmable: params.confirmable ?? true,
    agent,
  });
  const notifications: Buffer[] = [];
  const stream = await new Promise<ObserveReadStream>((resolve, reject) => {
    req.on('response', (res: ObserveReadStream) => resolve(res));
    req.on('error', reject);
    req.end();
  });
  stream.on('data', (payload: Buffer) => notifications.push(payload));
  const token = req._packet.token;
  const deregister = () =>
    new Promise<CoapReply>((resolve, reject) => {
      const cancel = request({
        hostname: params.host ?? '127.0.0.1',
        port: params.port,
        method: 'GET',
        pathname: params.pathname,
        observe: 1,
        ...(token && { token }),
        agent,
      });
      cancel.on('response', (res: IncomingMessage) =>
        resolve({ code: res.code, payload: res.payload, options: { ...res.headers } }),
      );
      cancel.on('error', reject);
      cancel.end();
    });
  return { stream, code: stream.code, notifications, agent, deregister };
}

/**
 * A bare UDP socket speaking CoAP through coap-packet. Every CON the station sends is
 * acknowledged (as a device would), so retransmissions stop; `packets` holds all of them.
 */
export class RawCoap {
  readonly packets: ParsedPacket[] = [];
  private nextMessageId = 1000;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly port: number,
    private readonly autoAck: boolean,
  ) {
    socket.on('message', (message) => {
      const packet = parse(message);
      this.packets.push(packet);
      if (packet.confirmable && this.autoAck) {
        this.sendPacket({ code: '0.00', ack: true, messageId: packet.messageId });
      }
    });
  }

  static async open(port: number, options: { autoAck?: boolean } = {}): Promise<RawCoap> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new RawCoap(socket, port, options.autoAck ?? true);
  }

  /** A request datagram; returns it so a test can send the very same bytes again. */
  datagram(params: {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH';
    path: string;
    query?: string[];
    payload?: Buffer | string;
    token?: Buffer;
    messageId?: number;
    confirmable?: boolean;
    options?: NamedOption[];
  }): Buffer {
    const options: NamedOption[] = [
      ...(params.options ?? []),
      ...params.path
        .split('/')
        .filter(Boolean)
        .map((segment) => ({ name: 'Uri-Path' as const, value: Buffer.from(segment) })),
      ...(params.query ?? []).map((q) => ({ name: 'Uri-Query' as const, value: Buffer.from(q) })),
    ];
    return generate({
      code: params.method,
      confirmable: params.confirmable ?? true,
      messageId: params.messageId ?? this.nextMessageId++,
      token: params.token ?? Buffer.from([0x42, this.nextMessageId & 0xff]),
      options,
      payload: typeof params.payload === 'string' ? Buffer.from(params.payload) : params.payload,
    });
  }

  send(datagram: Buffer): void {
    this.socket.send(datagram, this.port, '127.0.0.1');
  }

  sendPacket(packet: Parameters<typeof generate>[0]): void {
    this.send(generate(packet));
  }

  /** Waits for a datagram matching `predicate` among those not yet taken. */
  async next(predicate: (p: ParsedPacket) => boolean, timeoutMs = 5000): Promise<ParsedPacket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.packets.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`No matching CoAP datagram within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The Block2 option value of a packet, decoded (RFC 7959 §2.2). */
export function block2Of(
  packet: ParsedPacket,
): { num: number; more: boolean; size: number } | undefined {
  const option = packet.options.find((o) => o.name === 'Block2');
  if (!option) return undefined;
  let raw = 0;
  for (const byte of option.value) raw = raw * 256 + byte;
  return { num: raw >>> 4, more: (raw & 8) !== 0, size: 1 << ((raw & 7) + 4) };
}

export function optionOf(packet: ParsedPacket, name: string): Buffer | undefined {
  return packet.options.find((o) => o.name === name)?.value;
}

/** Runs Debian's libcoap client; resolves with what it printed, whatever its exit status. */
export function coapClient(
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'coap-client-notls',
      args,
      { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
