import { afterEach, describe, expect, it } from 'vitest';

import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { protocolErrors, RawMqtt, VERSIONS } from './device-api-helpers';

// One access token opened 2000 sessions: each device now has a session limit. Over it the
// CONNECT is refused as a quota (MQTT 5: 0x97; 3.1.1 has no such code: 3 server unavailable,
// as ThingsBoard answers), while a reconnect with a client id already held takes that session
// over as MQTT says, limit or not.
describe.each(VERSIONS)('sessions per device over MQTT %i', (version) => {
  const quota = version === 5 ? 0x97 : 3;
  let fx: StationFixture;
  const raws: RawMqtt[] = [];

  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.socket.destroy();
    await fx.close();
  });

  async function connect(token: string, clientId?: string): Promise<number> {
    const { raw, code } = await RawMqtt.connect(
      fx.station.mqttAddress().port,
      version,
      token,
      clientId,
    );
    raws.push(raw);
    return code;
  }

  it('refuses a device its sessions over the limit, not other devices', async () => {
    fx = await startStationFixture({ maxSessionsPerDevice: 3 });
    const profile = await fx.profile();
    const a = await fx.device('A', profile.id);
    const b = await fx.device('B', profile.id);
    for (let i = 0; i < 3; i++) expect(await connect(a.accessToken, `a-${i}`)).toBe(0);
    expect(await connect(a.accessToken, 'a-3')).toBe(quota);
    expect(await connect(b.accessToken, 'b-0')).toBe(0);
    // The same client id again is a reconnect: it takes over, whatever the count.
    expect(await connect(a.accessToken, 'a-1')).toBe(0);
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.kind === 'session-limit')).toEqual([
      expect.objectContaining({ deviceName: 'A', clientId: 'a-3' }),
    ]);
    expect(errors.find((e) => e.kind === 'session-limit')?.message).toMatch(/3 sessions/);
  });

  it('has a limit by default', async () => {
    fx = await startStationFixture();
    const profile = await fx.profile();
    const a = await fx.device('A', profile.id);
    const codes: number[] = [];
    for (let i = 0; i < 50; i++) codes.push(await connect(a.accessToken, `a-${i}`));
    expect(codes).toContain(quota);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(2);
  });
});
