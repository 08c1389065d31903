/**
 * HTTP devices have no connection to hold: each request stands alone. To the rest of the
 * station (the Station page's list, "online", the shared-attribute push) a device that speaks
 * HTTP is one DeviceConnection, present while it has a request open and for a while after its
 * last one, whose long polls are where pushed attribute changes go.
 */
import { randomUUID } from 'node:crypto';

import type { DeviceMessageKind } from '../../../shared/api/entities';
import type { Refused } from '../device-api/device-result';
import type { DeviceConnection, DeviceService } from '../device-api/device-service';
import { guarded } from '../guarded';
import type { DeviceIdentity } from '../repositories/devices';

export type PollKind = 'attributes' | 'rpc';

/** An open long poll: answered once, by a push, its time-out, or the station closing. */
export interface Poll {
  readonly kind: PollKind;
  /** 200 with the pushed JSON. */
  deliver(json: string): void;
  /** 408: nothing came within the poll's time-out. */
  expire(): void;
  /** The station is closing, or the device was taken over. */
  cancel(reason: string): void;
}

export interface PresenceOptions {
  /** A device is shown present this long after its last request ended. */
  lingerMs: number;
  /** Long polls one device may hold at once. */
  maxPollsPerDevice: number;
  /** Long polls all devices together may hold at once. */
  maxPolls: number;
}

export const DEFAULT_PRESENCE: PresenceOptions = {
  // A device long-polling with ThingsBoard's default of 60 s is present throughout.
  lingerMs: 90_000,
  maxPollsPerDevice: 4,
  maxPolls: 16_384,
};

class HttpPresence implements DeviceConnection {
  readonly id = `http-${randomUUID()}`;
  readonly transport = 'http' as const;
  /** One per device: a label, never taken over by another HTTP request of the device. */
  readonly clientId = 'http';
  readonly protocolLabel = 'HTTP/1.1';
  readonly connectedAt = Date.now();
  readonly polls = new Set<Poll>();
  openRequests = 0;
  lastRequestAt = this.connectedAt;

  constructor(
    readonly device: DeviceIdentity,
    public remoteAddress: string,
    private readonly onClose: (presence: HttpPresence, reason: string) => void,
  ) {}

  wantsAttributeUpdates(): boolean {
    for (const poll of this.polls) if (poll.kind === 'attributes') return true;
    return false;
  }

  /** Every open attribute poll gets the change; a change while none is open is not kept. */
  pushAttributes(json: string): void {
    for (const poll of [...this.polls]) if (poll.kind === 'attributes') poll.deliver(json);
  }

  close(reason: string): void {
    this.onClose(this, reason);
  }
}

export type PollRefusal = 'device-limit' | 'station-limit';

/** A request under way: what it did is counted, and ending it starts the linger. */
export interface RequestPresence {
  note(kind: DeviceMessageKind): void;
  end(): void;
}

export class HttpPresenceRegistry {
  private readonly byDevice = new Map<string, HttpPresence>();
  private polls = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly service: Pick<
      DeviceService,
      'admit' | 'connected' | 'disconnected' | 'noteMessage'
    >,
    readonly options: PresenceOptions = DEFAULT_PRESENCE,
  ) {
    this.sweeper = setInterval(
      guarded('ending the presence of idle HTTP devices', () => this.sweep(Date.now())),
      Math.max(10, Math.min(5_000, options.lingerMs / 2)),
    );
    this.sweeper.unref();
  }

  /**
   * A request of the device begins. The device's first request makes it present, if it may
   * hold one more connection (the per-device limit MQTT sessions count against too).
   */
  begin(device: DeviceIdentity, remoteAddress: string): RequestPresence | Refused {
    const presence = this.presenceOf(device, remoteAddress);
    if ('ok' in presence) return presence;
    presence.openRequests++;
    presence.lastRequestAt = Date.now();
    let ended = false;
    return {
      note: (kind) => this.service.noteMessage(presence, kind),
      end: () => {
        if (ended) return;
        ended = true;
        presence.openRequests--;
        presence.lastRequestAt = Date.now();
      },
    };
  }

  /**
   * Registers a long poll of a device whose request began, or says which limit refuses it. The
   * poll must be ended with endPoll.
   */
  openPoll(device: DeviceIdentity, poll: Poll): PollRefusal | undefined {
    const presence = this.byDevice.get(device.id);
    if (!presence) return 'device-limit'; // cannot be: the request's begin() made it present
    if (presence.polls.size >= this.options.maxPollsPerDevice) return 'device-limit';
    if (this.polls >= this.options.maxPolls) return 'station-limit';
    presence.polls.add(poll);
    this.polls++;
    return undefined;
  }

  endPoll(device: DeviceIdentity, poll: Poll): void {
    const presence = this.byDevice.get(device.id);
    if (presence?.polls.delete(poll)) this.polls--;
  }

  get openPolls(): number {
    return this.polls;
  }

  /** Ends every poll and every presence: the station is closing. */
  close(): void {
    clearInterval(this.sweeper);
    for (const presence of [...this.byDevice.values()]) this.end(presence, 'station closing');
  }

  private presenceOf(device: DeviceIdentity, remoteAddress: string): HttpPresence | Refused {
    let presence = this.byDevice.get(device.id);
    if (!presence) {
      const admitted = this.service.admit({
        device,
        transport: 'http',
        remoteAddress,
        clientId: 'http',
      });
      if (!admitted.ok) return admitted;
      presence = new HttpPresence(device, remoteAddress, (p, reason) => this.end(p, reason));
      this.byDevice.set(device.id, presence);
      this.service.connected(presence);
    }
    presence.remoteAddress = remoteAddress;
    return presence;
  }

  private end(presence: HttpPresence, reason: string): void {
    if (this.byDevice.get(presence.device.id) !== presence) return;
    this.byDevice.delete(presence.device.id);
    for (const poll of presence.polls) poll.cancel(reason);
    this.polls -= presence.polls.size;
    presence.polls.clear();
    this.service.disconnected(presence);
  }

  private sweep(now: number): void {
    for (const presence of [...this.byDevice.values()]) {
      if (presence.openRequests > 0 || presence.polls.size > 0) continue;
      if (now - presence.lastRequestAt >= this.options.lingerMs) this.end(presence, 'idle');
    }
  }
}
