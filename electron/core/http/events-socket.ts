import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocket, WebSocketServer } from 'ws';

import type { StationEvent } from '../../../shared/api/events';
import { guarded } from '../guarded';
import type { StationEvents } from '../station-events';
import type { RequestGuard } from './request-guard';
import { parseRequestUrl } from './request-url';

export const EVENTS_PATH = '/api/events';

/** Past this much unsent data a client is too slow to follow; dropping it bounds our memory. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Close code 1013 "try again later": the UI reconnects and reloads its state. */
export const CLOSE_TOO_SLOW = 1013;
const HEARTBEAT_MS = 30_000;
const CLOSE_GRACE_MS = 5_000;

export interface EventsSocket {
  clientCount(): number;
  close(): void;
}

/**
 * GET /api/events upgraded to a WebSocket: every StationEvent is sent to every client as JSON
 * text. Clients only listen; anything they send is ignored.
 */
export function attachEventsSocket(
  server: Server,
  events: StationEvents,
  guard: RequestGuard,
): EventsSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset during the handshake must not become an uncaught 'error'; ws handles it afterwards.
    const onHandshakeError = () => socket.destroy();
    socket.on('error', onHandshakeError);
    const url = parseRequestUrl(req);
    if (url === null) return rejectUpgrade(socket, 400, 'Bad Request');
    if (url.pathname !== EVENTS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    const refusal = guard.checkSocket(req, url);
    if (refusal) return rejectUpgrade(socket, refusal.status, refusal.error.message);
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onHandshakeError);
      wss.emit('connection', ws, req);
    });
  });

  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    const unsubscribe = events.subscribe((event) => send(ws, serialize(event)));
    ws.on('close', unsubscribe);
  });

  // Serialise each event once, however many clients listen.
  let lastEvent: StationEvent | null = null;
  let lastText = '';
  function serialize(event: StationEvent): string {
    if (event !== lastEvent) {
      lastEvent = event;
      lastText = JSON.stringify(event);
    }
    return lastText;
  }

  // A client that vanished without closing (laptop asleep, cable pulled) is found by ping.
  const heartbeat = setInterval(
    guarded('the events heartbeat', () => {
      for (const ws of wss.clients) {
        if (alive.get(ws) === false) {
          ws.terminate();
          continue;
        }
        alive.set(ws, false);
        ws.ping();
      }
    }),
    HEARTBEAT_MS,
  );
  heartbeat.unref();

  return {
    clientCount: () => wss.clients.size,
    close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'station shutting down');
      for (const ws of wss.clients) setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      wss.close();
    },
  };
}

function send(ws: WebSocket, text: string): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    dropSlowClient(ws);
    return;
  }
  ws.send(text);
}

function dropSlowClient(ws: WebSocket): void {
  ws.close(CLOSE_TOO_SLOW, 'client too slow: reconnect and reload');
  // The close frame queues behind the unsent data a stuck client never reads: don't wait for it.
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = STATUS_CODES[status] ?? 'Refused';
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
