import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CloudStatus } from '../../shared/api/entities';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';

// The sync indicator on every page learns that local work waits for the cloud from the station
// itself (one cloud.status event shortly after the change), not by asking after each change.
describe('cloud.status after local changes', () => {
  let fx: StationFixture;
  beforeEach(async () => {
    fx = await startStationFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  it('is pushed once shortly after a burst of local changes, with the new pending counts', async () => {
    const statuses: CloudStatus[] = [];
    const unsubscribe = fx.station.events.subscribe((event) => {
      if (event.type === 'cloud.status') statuses.push(event.payload);
    });
    try {
      const profile = await fx.profile('CIM-168');
      for (let i = 0; i < 5; i++) await fx.device(`CIM-168-02-22-9${i}`, profile.id);
      const status = await waitFor(() => statuses.at(-1), { timeoutMs: 5000 });
      expect(status.pending.devices).toBe(5);
      expect(status.pending.profiles).toBe(1);
      // The burst was coalesced (one event a second at most), not one event per change (6).
      expect(statuses.length).toBeLessThan(6);
    } finally {
      unsubscribe();
    }
  });
});
