/**
 * `GET /attributes/updates?timeout=ms` and `GET /rpc?timeout=ms`: the request stays open until
 * a shared-attribute change comes (200, the change flat, as ThingsBoard sends it) or the time
 * is up (408, empty). The station sends no server-side RPC, so an RPC poll always ends in 408.
 * Polls are bounded per device and in all, and their time-out is capped.
 */
import type { ServerResponse } from 'node:http';

import type { DeviceCaller } from '../device-api/device-service';
import { guarded } from '../guarded';
import { type AttributeChange, mergeAttributeChange } from './attribute-change';
import { sendBadRequest, sendEmpty } from './device-response';
import { type HttpDeviceContext, recordRefusal } from './http-device-context';
import type { Poll, PollKind } from './http-presence';

const INTEGER = /^\d{1,15}$/;

export function openLongPoll(
  ctx: HttpDeviceContext,
  caller: DeviceCaller,
  kind: PollKind,
  res: ServerResponse,
  params: URLSearchParams,
): void {
  const path = kind === 'attributes' ? 'attributes/updates' : 'rpc';
  const text = params.get('timeout')?.trim() ?? '';
  if (text !== '' && !INTEGER.test(text)) {
    const message = `Parameter 'timeout' must be a number of milliseconds, got "${text.slice(0, 32)}"`;
    recordRefusal(ctx, caller, 'bad-request', `GET ${path}: ${message}`);
    return sendBadRequest(res, message);
  }
  const asked = Number(text);
  const { defaultPollMs, maxPollMs } = ctx.limits;
  const timeoutMs = Math.min(asked > 0 ? asked : defaultPollMs, maxPollMs);

  let answered = false;
  const answer = (send: () => void): void => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    ctx.presence.endPoll(caller.device, poll);
    send();
  };
  // Changes pushed together (in one turn of the event loop) are answered together.
  let change: AttributeChange | undefined;
  const send = guarded('answering a long poll', () =>
    answer(() => {
      if (res.destroyed || !change) return;
      const json = JSON.stringify(change);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(json)),
      });
      res.end(json);
    }),
  );
  const poll: Poll = {
    kind,
    deliver: (json) => {
      if (answered) return;
      let pushed: unknown;
      try {
        pushed = JSON.parse(json);
      } catch {
        return; // the station's own JSON: cannot happen, and must not break the pusher
      }
      if (!change) setImmediate(send);
      change = mergeAttributeChange(change ?? {}, pushed);
    },
    expire: () => answer(() => sendEmpty(res, 408)),
    cancel: () => answer(() => sendEmpty(res, 503, { Connection: 'close' })),
  };
  const refused = ctx.presence.openPoll(caller.device, poll);
  if (refused) {
    const limit =
      refused === 'device-limit'
        ? `${ctx.presence.options.maxPollsPerDevice} open long polls per device`
        : `${ctx.presence.options.maxPolls} open long polls in all`;
    recordRefusal(ctx, caller, 'poll-limit', `GET ${path}: refused, over the limit of ${limit}`);
    return sendEmpty(res, 429, { 'Retry-After': '1' });
  }
  const timer = setTimeout(guarded('answering an expired long poll', poll.expire), timeoutMs);
  // The device gave up (or its connection broke): the poll is gone, not answered.
  res.once('close', () => answer(() => undefined));
}
