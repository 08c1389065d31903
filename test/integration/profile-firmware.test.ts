import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Device, Package } from '../../shared/api/entities';
import type { OperationInput } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';
import {
  nextMessage,
  recordMessages,
  startStationFixture,
  type StationFixture,
} from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, download, VERSIONS } from './device-api-helpers';

const ALL_FW_KEYS =
  '{"deleted":["fw_title","fw_version","fw_ts","fw_state","fw_size","fw_checksum","fw_checksum_algorithm","fw_url","fw_tag"]}';

// A device profile's firmware reaches every device of the profile without its own, resolved as
// the reference server does: the device's own package, else its profile's
// (docs/device-protocol.md#firmware-assignment).
describe.each(VERSIONS)('profile firmware over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let profileId: string;
  const profileBytes = binary(30_000, 1);
  const ownBytes = binary(12_000, 7);
  let profileFw: Package;
  let ownFw: Package;

  beforeEach(async () => {
    fx = await startStationFixture();
    profileId = (await fx.profile('CIM-168')).id;
    profileFw = await fx.packageFrom(profileBytes, { profileId, version: '2.0.0' });
    ownFw = await fx.packageFrom(ownBytes, { profileId, version: '1.9.9-hotfix' });
  });
  afterEach(async () => {
    await fx.close();
  });

  const api = () => fx.station.api;
  const assignProfile = (input: Omit<OperationInput<'profiles.assign'>, 'profileId'>) =>
    api()['profiles.assign'](parseArgs('profiles.assign', { profileId, ...input }));
  const device = (name: string): Promise<Device> => fx.device(name, profileId, `${name}-token`);
  const slot = async (id: string) => (await api()['devices.get']({ id })).firmware;
  /** Connects as a ThingsBoard device does: subscribes to the shared attributes. */
  const connect = async (token: string) => {
    const client = await fx.connect(token, { protocolVersion: version });
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    return client;
  };
  /** The device's attribute request on connect: what the station says it should run. */
  const requestShared = async (client: MqttClient, id: number) => {
    await client.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
    const answer = nextMessage(client, (t) => t === `v1/devices/me/attributes/response/${id}`);
    await client.publishAsync(
      `v1/devices/me/attributes/request/${id}`,
      '{"sharedKeys":"fw_title,fw_version,fw_size"}',
      { qos: 1 },
    );
    return JSON.parse((await answer).payload.toString()) as { shared?: Record<string, unknown> };
  };
  const pushesOf = (seen: { topic: string; payload: Buffer }[]) =>
    seen.filter((m) => m.topic === 'v1/devices/me/attributes').map((m) => m.payload.toString());

  it('resolves a device to its own package, else to its profile, and says which', async () => {
    const own = await device('own');
    const follower = await device('follower');
    await api()['assignments.assign']({ deviceId: own.id, packageId: ownFw.id });
    await assignProfile({ packageId: profileFw.id });

    expect(await slot(own.id)).toMatchObject({
      assignedPackageId: ownFw.id,
      assignedVersion: '1.9.9-hotfix',
      assignedFrom: 'DEVICE',
    });
    expect(await slot(follower.id)).toMatchObject({
      assignedPackageId: profileFw.id,
      assignedVersion: '2.0.0',
      assignedFrom: 'PROFILE',
    });

    const ownClient = await connect(own.accessToken);
    expect((await requestShared(ownClient, 1)).shared).toMatchObject({
      fw_version: '1.9.9-hotfix',
      fw_size: ownBytes.length,
    });
    expect(await download(ownClient, { requestId: '1', chunkSize: 4096 })).toEqual(ownBytes);

    const followerClient = await connect(follower.accessToken);
    expect((await requestShared(followerClient, 1)).shared).toEqual({
      fw_title: 'CIM-168',
      fw_version: '2.0.0',
      fw_size: profileBytes.length,
    });
    expect(await download(followerClient, { requestId: '1', chunkSize: 4096 })).toEqual(
      profileBytes,
    );
  });

  it("falls back to the profile's package when the device's own is removed", async () => {
    const d = await device('falls-back');
    await assignProfile({ packageId: profileFw.id });
    await api()['assignments.assign']({ deviceId: d.id, packageId: ownFw.id });
    const client = await connect(d.accessToken);
    const seen = recordMessages(client);

    await api()['assignments.unassign']({ deviceId: d.id, type: 'FIRMWARE' });
    // As ThingsBoard sends it: the profile's package, not the deletion of every key.
    const pushed = await waitFor(() => {
      const texts = pushesOf(seen);
      return texts.length >= 2 && texts;
    });
    expect(pushed[0]).toBe('{"deleted":["fw_url"]}');
    expect(JSON.parse(pushed[1] ?? '')).toMatchObject({ fw_version: '2.0.0' });
    expect(pushed).not.toContain(ALL_FW_KEYS);
    expect(await slot(d.id)).toMatchObject({
      assignedPackageId: profileFw.id,
      assignedFrom: 'PROFILE',
      state: 'INITIATED',
    });
    expect((await requestShared(client, 2)).shared).toMatchObject({ fw_version: '2.0.0' });
    expect(await download(client, { requestId: '7', chunkSize: 8192 })).toEqual(profileBytes);
    // The cloud learns that the device's own assignment is gone.
    const pending = await api()['cloud.pending']({});
    expect(pending.filter((i) => i.kind === 'assignment.cleared')).toHaveLength(1);

    // Removing what the device does not have is nothing: it keeps following its profile.
    await api()['assignments.unassign']({ deviceId: d.id, type: 'FIRMWARE' });
    expect(await slot(d.id)).toMatchObject({ assignedPackageId: profileFw.id });
  });

  it('pushes a profile change to connected followers only, in one job, and to late comers', async () => {
    const online = await device('online');
    const own = await device('own');
    const late = await device('late');
    await api()['assignments.assign']({ deviceId: own.id, packageId: ownFw.id });
    const onlineClient = await connect(online.accessToken);
    const ownClient = await connect(own.accessToken);
    const onlineSeen = recordMessages(onlineClient);
    const ownSeen = recordMessages(ownClient);

    const result = await assignProfile({ packageId: profileFw.id });
    expect(result.devices).toBe(2);
    expect(result.profile.firmware).toEqual({
      packageId: profileFw.id,
      title: 'CIM-168',
      version: '2.0.0',
    });
    const job = result.job;
    expect(job).toMatchObject({
      packageId: profileFw.id,
      target: { kind: 'PROFILE', profileId, profileName: 'CIM-168' },
      counts: { total: 2 },
    });
    expect([...(job?.target.deviceIds ?? [])].sort()).toEqual([late.id, online.id].sort());
    const jobs = await api()['jobs.list']({ limit: 10 });
    expect(jobs.filter((j) => j.target.kind === 'PROFILE')).toHaveLength(1);

    const pushed = await waitFor(() => pushesOf(onlineSeen).length >= 2 && pushesOf(onlineSeen));
    expect(JSON.parse(pushed[1] ?? '')).toMatchObject({ fw_title: 'CIM-168', fw_version: '2.0.0' });
    // The device with its own firmware keeps it and hears nothing.
    await onlineClient.publishAsync('v1/devices/me/telemetry', '{"fw_state":"DOWNLOADING"}', {
      qos: 1,
    });
    await ownClient.publishAsync('v1/devices/me/telemetry', '{"x":1}', { qos: 1 });
    expect(pushesOf(ownSeen)).toEqual([]);
    expect(await slot(own.id)).toMatchObject({ assignedPackageId: ownFw.id });

    // The late device connects after the change: it asks, gets it, downloads it.
    const lateClient = await connect(late.accessToken);
    expect((await requestShared(lateClient, 3)).shared).toMatchObject({ fw_version: '2.0.0' });
    await lateClient.publishAsync('v1/devices/me/telemetry', '{"fw_state":"DOWNLOADING"}', {
      qos: 1,
    });
    expect(await download(lateClient, { requestId: '1', chunkSize: 5000 })).toEqual(profileBytes);
    await lateClient.publishAsync(
      'v1/devices/me/telemetry',
      '{"current_fw_title":"CIM-168","current_fw_version":"2.0.0","fw_state":"UPDATED"}',
      { qos: 1 },
    );
    const detail = await waitFor(async () => {
      const j = await api()['jobs.get']({ id: job?.id ?? '' });
      return j.counts.updated === 1 && j;
    });
    const lateExecution = detail.executions.find((e) => e.deviceId === late.id);
    expect(lateExecution).toMatchObject({ state: 'UPDATED', bytesServed: profileBytes.length });
    expect(detail.executions.find((e) => e.deviceId === online.id)?.state).toBe('DOWNLOADING');
  });

  it('reaches a device added to the profile, or moved into it, after the change', async () => {
    const otherProfile = (await fx.profile('CIM-200')).id;
    await device('before');
    const first = await assignProfile({ packageId: profileFw.id });

    const added = await device('added-later');
    const addedClient = await connect(added.accessToken);
    expect((await requestShared(addedClient, 1)).shared).toMatchObject({ fw_version: '2.0.0' });
    expect(await download(addedClient, { requestId: '1', chunkSize: 8192 })).toEqual(profileBytes);

    const moved = await fx.device('moved-later', otherProfile, 'moved-token');
    const movedClient = await connect(moved.accessToken);
    const seen = recordMessages(movedClient);
    expect((await requestShared(movedClient, 1)).shared).toBeUndefined();
    const updated = await api()['devices.update'](
      parseArgs('devices.update', { id: moved.id, profileId }),
    );
    expect(updated).toMatchObject({
      profileId,
      profileName: 'CIM-168',
      firmware: { assignedPackageId: profileFw.id, assignedFrom: 'PROFILE' },
    });
    const pushed = await waitFor(() => pushesOf(seen).length >= 2 && pushesOf(seen));
    expect(JSON.parse(pushed[1] ?? '')).toMatchObject({ fw_version: '2.0.0' });

    // The late comers joined the profile's job, still open: one job for the profile's change.
    const detail = await api()['jobs.get']({ id: first.job?.id ?? '' });
    expect(detail.executions.map((e) => e.deviceName).sort()).toEqual([
      'added-later',
      'before',
      'moved-later',
    ]);
    expect((await api()['jobs.list']({ limit: 10 })).length).toBe(1);
  });

  it('un-assigning the profile takes the package back from its followers only', async () => {
    const follower = await device('follower');
    const own = await device('own');
    await api()['assignments.assign']({ deviceId: own.id, packageId: ownFw.id });
    await assignProfile({ packageId: profileFw.id });
    const followerClient = await connect(follower.accessToken);
    const ownClient = await connect(own.accessToken);
    const followerSeen = recordMessages(followerClient);
    const ownSeen = recordMessages(ownClient);

    const result = await api()['profiles.unassign']({ profileId, type: 'FIRMWARE' });
    expect(result).toMatchObject({ devices: 1, profile: { firmware: null } });
    await waitFor(() => pushesOf(followerSeen).length >= 1);
    expect(pushesOf(followerSeen)).toEqual([ALL_FW_KEYS]);
    expect(await slot(follower.id)).toMatchObject({
      assignedPackageId: null,
      assignedFrom: null,
      state: 'CANCELED',
    });
    await ownClient.publishAsync('v1/devices/me/telemetry', '{"x":1}', { qos: 1 });
    expect(pushesOf(ownSeen)).toEqual([]);
    expect(await slot(own.id)).toMatchObject({ assignedPackageId: ownFw.id });
    // Nothing assigned any more: the chunk request gets NOT_FOUND, as on ThingsBoard.
    await followerClient.subscribeAsync('v2/fw/error', { qos: 1 });
    const error = nextMessage(followerClient, (t) => t === 'v2/fw/error');
    await followerClient.publishAsync('v2/fw/request/1/chunk/0', '1024', { qos: 1 });
    expect((await error).payload.toString()).toBe('NOT_FOUND');
  });

  it("canceling the profile's job stops its devices; assigning the profile again re-sends", async () => {
    const d = await device('stopped');
    const client = await connect(d.accessToken);
    const seen = recordMessages(client);
    const { job } = await assignProfile({ packageId: profileFw.id });
    await waitFor(() => pushesOf(seen).length >= 2);

    const canceled = await api()['jobs.cancel']({ id: job?.id ?? '' });
    expect(canceled.counts).toMatchObject({ total: 1, canceled: 1 });
    await waitFor(() => pushesOf(seen).length >= 3);
    expect(pushesOf(seen)[2]).toBe(ALL_FW_KEYS);
    // The profile keeps its firmware: the device still gets it from there, stopped for now.
    expect(await slot(d.id)).toMatchObject({
      assignedPackageId: profileFw.id,
      assignedFrom: 'PROFILE',
      state: 'CANCELED',
    });
    expect((await api()['jobs.list']({ limit: 10 })).length).toBe(1);

    const again = await assignProfile({ packageId: profileFw.id });
    expect(again).toMatchObject({ changed: false, devices: 1 });
    expect(again.job?.id).not.toBe(job?.id);
    await waitFor(() => pushesOf(seen).length >= 5);
    expect(JSON.parse(pushesOf(seen)[4] ?? '')).toMatchObject({ fw_version: '2.0.0' });
    expect(await slot(d.id)).toMatchObject({ state: 'INITIATED' });
  });

  it("canceling a device's own job falls back to the profile's package; one of the same package stops", async () => {
    await assignProfile({ packageId: profileFw.id });
    const own = await device('own-job');
    const same = await device('same-package');
    // A package of its own in a job of one; and the profile's package made the device's own.
    const ownExecution = await api()['assignments.assign']({
      deviceId: own.id,
      packageId: ownFw.id,
    });
    await api()['assignments.assign']({ deviceId: same.id, packageId: profileFw.id });
    expect(await slot(same.id)).toMatchObject({ assignedFrom: 'DEVICE', state: 'INITIATED' });

    await api()['jobs.cancel']({ id: ownExecution.jobId ?? '' });
    expect(await slot(own.id)).toMatchObject({
      assignedPackageId: profileFw.id,
      assignedFrom: 'PROFILE',
      state: 'INITIATED',
    });
    expect((await api()['devices.get']({ id: own.id })).sharedAttributes).toMatchObject({
      fw_version: '2.0.0',
    });

    const [sameExecution] = await api()['executions.list']({ deviceId: same.id, limit: 1 });
    await api()['jobs.cancel']({ id: sameExecution?.jobId ?? '' });
    expect(await slot(same.id)).toMatchObject({
      assignedPackageId: profileFw.id,
      assignedFrom: 'PROFILE',
      state: 'CANCELED',
    });
    expect((await api()['devices.get']({ id: same.id })).sharedAttributes).toEqual({});
  });

  it('moves a device between profiles only without a package of its own', async () => {
    const other = (await fx.profile('CIM-200')).id;
    const d = await device('pinned');
    await api()['assignments.assign']({ deviceId: d.id, packageId: ownFw.id });
    await expect(
      api()['devices.update'](parseArgs('devices.update', { id: d.id, profileId: other })),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: { profileId: 'its own firmware belongs to its present profile' },
    });
    expect((await api()['devices.get']({ id: d.id })).profileId).toBe(profileId);
    await expect(
      api()['devices.update'](parseArgs('devices.update', { id: d.id, profileId: 'no-such' })),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Once moved, a device that followed its old profile's firmware loses it (CIM-200 has none).
    await api()['assignments.unassign']({ deviceId: d.id, type: 'FIRMWARE' });
    await assignProfile({ packageId: profileFw.id });
    const client = await connect(d.accessToken);
    const seen = recordMessages(client);
    await api()['devices.update'](parseArgs('devices.update', { id: d.id, profileId: other }));
    await waitFor(() => pushesOf(seen).length >= 1);
    expect(pushesOf(seen)).toEqual([ALL_FW_KEYS]);
    expect(await slot(d.id)).toMatchObject({ assignedPackageId: null, state: 'CANCELED' });
  });

  it('refuses a package of another profile, and deleting a package a profile uses', async () => {
    const other = (await fx.profile('CIM-200')).id;
    const foreign = await fx.packageFrom(binary(100), { profileId: other, title: 'CIM-200' });
    await expect(assignProfile({ packageId: foreign.id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await assignProfile({ packageId: profileFw.id });
    await expect(api()['packages.delete']({ id: profileFw.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('device profile CIM-168') as unknown,
    });
    // Assigning the same package again changes nothing and starts no job.
    const again = await assignProfile({ packageId: profileFw.id });
    expect(again).toMatchObject({ job: null, devices: 0 });
    await api()['profiles.unassign']({ profileId, type: 'FIRMWARE' });
    await api()['packages.delete']({ id: profileFw.id });
    expect((await api()['profiles.list']({})).find((p) => p.id === profileId)?.firmware).toBe(null);
  });
});
