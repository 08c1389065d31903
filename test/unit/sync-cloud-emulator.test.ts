import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { seedSite } from '../cloud-emulator/seed';

/** The emulator answers like ThingsBoard: paths, shapes, paging, error bodies and codes. */
describe('the cloud emulator', () => {
  let cloud: CloudEmulator;
  let token: string;
  beforeEach(async () => {
    cloud = await startCloudEmulator({ tokenTtlMs: 60_000, maxUploadBytes: 1024 });
    token = (await login()).token;
  });
  afterEach(() => cloud.close());

  async function login(password = 'tenant') {
    const res = await fetch(`${cloud.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'tenant@thingsboard.org', password }),
    });
    return (await res.json()) as { token: string; refreshToken: string; status?: number };
  }

  async function api(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${cloud.url}${path}`, {
      method,
      headers: {
        'X-Authorization': `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...headers,
      },
      ...(body === undefined
        ? {}
        : {
            body:
              typeof body === 'string' || body instanceof FormData ? body : JSON.stringify(body),
          }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  }

  it('listens on 127.0.0.1 and answers errors with TB bodies and codes', async () => {
    expect(new URL(cloud.url).hostname).toBe('127.0.0.1');
    expect(await login('wrong')).toMatchObject({
      status: 401,
      errorCode: 10,
      message: 'Invalid username or password',
    });
    token = 'garbage';
    expect((await api('GET', '/api/deviceProfiles?pageSize=10&page=0')).body).toMatchObject({
      status: 401,
      errorCode: 10,
    });
    token = (await login()).token;
    const missing = await api('GET', '/api/deviceProfiles?page=0');
    expect(missing).toMatchObject({
      status: 400,
      body: { errorCode: 31, timestamp: expect.any(Number) },
    });
    expect((await api('GET', '/api/device/nope')).body).toMatchObject({
      status: 404,
      errorCode: 32,
    });
  });

  it('rejects an expired token with errorCode 11 and refreshes it', async () => {
    const short = await startCloudEmulator({ tokenTtlMs: 50 });
    try {
      const res = await fetch(`${short.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"username":"tenant@thingsboard.org","password":"tenant"}',
      });
      const pair = (await res.json()) as { token: string; refreshToken: string };
      await new Promise((r) => setTimeout(r, 80));
      const expired = await fetch(`${short.url}/api/auth/user`, {
        headers: { 'X-Authorization': `Bearer ${pair.token}` },
      });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ errorCode: 11, message: 'Token has expired' });
      const refreshed = await fetch(`${short.url}/api/auth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: pair.refreshToken }),
      });
      const next = (await refreshed.json()) as { token: string };
      const ok = await fetch(`${short.url}/api/auth/user`, {
        headers: { 'X-Authorization': `Bearer ${next.token}` },
      });
      expect(ok.status).toBe(200);
      // A refresh token is no access token.
      const misuse = await fetch(`${short.url}/api/auth/user`, {
        headers: { 'X-Authorization': `Bearer ${pair.refreshToken}` },
      });
      expect(misuse.status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('pages lists 0-based with totalPages, totalElements and hasNext', async () => {
    seedSite(cloud.state, {
      profile: 'P',
      devices: Array.from({ length: 5 }, (_, i) => ({ name: `d${i}`, token: `t${i}` })),
    });
    const first = await api('GET', '/api/tenant/devices?pageSize=2&page=0');
    expect(first.body).toMatchObject({ totalPages: 3, totalElements: 5, hasNext: true });
    const last = await api('GET', '/api/tenant/devices?pageSize=2&page=2');
    expect(last.body).toMatchObject({
      hasNext: false,
      data: [expect.objectContaining({ name: 'd4', version: 1 })],
    });
    const device = (last.body?.data as { id: { id: string; entityType: string } }[])[0]!;
    expect(device.id.entityType).toBe('DEVICE');
    expect((await api('GET', `/api/device/${device.id.id}/credentials`)).body).toMatchObject({
      credentialsType: 'ACCESS_TOKEN',
      credentialsId: 't4',
    });
    expect((await api('GET', '/api/tenant/devices?deviceName=d2')).body).toMatchObject({
      name: 'd2',
    });
  });

  it('keeps devices under optimistic version (409, errorCode 35), packages unique, uploads checked', async () => {
    const site = seedSite(cloud.state, { profile: 'P', devices: [{ name: 'd', token: 't' }] });
    const profileId = { entityType: 'DEVICE_PROFILE', id: site.profile.id };
    const created = await api('POST', '/api/otaPackage', {
      title: 'FW',
      version: '1',
      type: 'FIRMWARE',
      deviceProfileId: profileId,
    });
    expect(created.body).toMatchObject({ hasData: false, title: 'FW', version: '1' });
    const dup = await api('POST', '/api/otaPackage', {
      title: 'FW',
      version: '1',
      type: 'FIRMWARE',
      deviceProfileId: profileId,
    });
    expect(dup).toMatchObject({
      status: 400,
      body: { message: 'OtaPackage with such title and version already exists!' },
    });
    const id = (created.body?.id as { id: string }).id;
    const data = Buffer.from('firmware!');
    const upload = (checksum: string, bytes = data) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), 'fw.bin');
      return fetch(
        `${cloud.url}/api/otaPackage/${id}?checksumAlgorithm=SHA256&checksum=${checksum}`,
        {
          method: 'POST',
          headers: { 'X-Authorization': `Bearer ${token}` },
          body: form,
        },
      );
    };
    const wrong = await upload('00'.repeat(32));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ message: 'Wrong otaPackage file!' });
    expect((await upload('', Buffer.alloc(2048))).status).toBe(413);
    expect((await upload(checksumOfBuffer('SHA256', data))).status).toBe(200);
    const download = await fetch(`${cloud.url}/api/otaPackage/${id}/download`, {
      headers: { 'X-Authorization': `Bearer ${token}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);

    const device = (await api('GET', `/api/device/${site.devices.get('d')!.id}`)).body!;
    const assigned = await api('POST', '/api/device', {
      ...device,
      firmwareId: { entityType: 'OTA_PACKAGE', id },
    });
    expect(assigned.body).toMatchObject({ version: 2, firmwareId: { id } });
    const stale = await api('POST', '/api/device', { ...device, label: 'x' });
    expect(stale).toMatchObject({ status: 409, body: { errorCode: 35 } });
    expect((await api('DELETE', `/api/otaPackage/${id}`)).status).toBe(400);
    // The assignment wrote QUEUED then INITIATED, values as strings.
    const series = await api(
      'GET',
      `/api/plugins/telemetry/DEVICE/${device.id && (device.id as { id: string }).id}/values/timeseries?keys=fw_state,target_fw_version`,
    );
    expect(series.body).toMatchObject({
      fw_state: [{ value: 'INITIATED' }],
      target_fw_version: [{ value: '1' }],
    });
  });

  it('saves a device profile with firmwareId/softwareId under its version (409 on a stale one)', async () => {
    const site = seedSite(cloud.state, {
      profile: 'P',
      devices: [{ name: 'd', token: 't' }],
      packages: [{ title: 'FW', version: '1', data: Buffer.from('fw') }],
    });
    const other = seedSite(cloud.state, {
      profile: 'Q',
      devices: [],
      packages: [{ title: 'FQ', version: '1', data: Buffer.from('fq') }],
    });
    const fw = site.packages.get('FW@1')!;
    const path = `/api/deviceProfile/${site.profile.id}`;
    const profile = (await api('GET', path)).body!;
    expect(profile).toMatchObject({ firmwareId: null, softwareId: null, version: 1 });
    const listed = await api('GET', '/api/deviceProfiles?pageSize=10&page=0');
    expect(listed.body?.data).toEqual(expect.arrayContaining([profile]));

    const ref = (id: string) => ({ entityType: 'OTA_PACKAGE', id });
    const saved = await api('POST', '/api/deviceProfile', { ...profile, firmwareId: ref(fw.id) });
    expect(saved).toMatchObject({ status: 200, body: { firmwareId: ref(fw.id), version: 2 } });
    expect((await api('GET', path)).body).toMatchObject({ firmwareId: ref(fw.id), version: 2 });
    const stale = await api('POST', '/api/deviceProfile', { ...profile, firmwareId: null });
    expect(stale).toMatchObject({ status: 409, body: { errorCode: 35 } });
    const foreign = await api('POST', '/api/deviceProfile', {
      ...saved.body,
      firmwareId: ref(other.packages.get('FQ@1')!.id),
    });
    expect(foreign).toMatchObject({
      status: 400,
      body: { message: "Can't assign firmware with different deviceProfile!" },
    });
    const asSoftware = await api('POST', '/api/deviceProfile', {
      ...saved.body,
      softwareId: ref(fw.id),
    });
    expect(asSoftware.body).toMatchObject({ message: "Can't assign software with type: FIRMWARE" });
    // The profile's devices without a package of their own are sent it, as by ThingsBoard.
    const deviceId = site.devices.get('d')!.id;
    const series = await api(
      'GET',
      `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=fw_state,target_fw_version`,
    );
    expect(series.body).toMatchObject({
      fw_state: [{ value: 'INITIATED' }],
      target_fw_version: [{ value: '1' }],
    });
    expect((await api('DELETE', `/api/otaPackage/${fw.id}`)).body).toMatchObject({
      message: 'The otaPackage referenced by the device profile cannot be deleted!',
    });
    // A device added to the profile later gets it too.
    const added = await api('POST', '/api/device', {
      name: 'later',
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: site.profile.id },
    });
    expect(added.body).toMatchObject({ firmwareId: null });
    const laterId = (added.body?.id as { id: string }).id;
    expect(
      (
        await api(
          'GET',
          `/api/plugins/telemetry/DEVICE/${laterId}/values/timeseries?keys=target_fw_version`,
        )
      ).body,
    ).toMatchObject({ target_fw_version: [{ value: '1' }] });
  });

  it('takes device telemetry by access token, with the device timestamps', async () => {
    const site = seedSite(cloud.state, { profile: 'P', devices: [{ name: 'd', token: 'tok' }] });
    const post = (body: string, t = 'tok') =>
      fetch(`${cloud.url}/api/v1/${t}/telemetry`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
    expect(
      (
        await post(
          '[{"ts":1000,"values":{"fw_state":"DOWNLOADING","n":1}},{"ts":2000,"values":{"fw_state":"UPDATED"}}]',
        )
      ).status,
    ).toBe(200);
    expect((await post('{}', 'unknown')).status).toBe(401);
    expect((await post('nope')).status).toBe(400);
    const id = site.devices.get('d')!.id;
    const history = await api(
      'GET',
      `/api/plugins/telemetry/DEVICE/${id}/values/timeseries?keys=fw_state,n&startTs=0&endTs=5000`,
    );
    expect(history.body).toEqual({
      fw_state: [
        { ts: 2000, value: 'UPDATED' },
        { ts: 1000, value: 'DOWNLOADING' },
      ],
      n: [{ ts: 1000, value: '1' }],
    });
  });
});
