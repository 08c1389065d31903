import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import { ApiError } from '../../shared/api/errors';
import type { StationEvent } from '../../shared/api/events';
import type { OperationInput, OperationName, OperationResult } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';
import { closedAfterEach } from '../support/closed-after-each';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

interface OutboxRow {
  kind: string;
  entity_id: string;
  payload: string;
}

/** The outbox as written on disk, read through a second connection (WAL lets it). */
function outbox(fx: StationFixture): { kind: string; entityId: string; payload: unknown }[] {
  const db = new Database(path.join(fx.dataDir, DATABASE_FILE_NAME), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT kind, entity_id, payload FROM outbox ORDER BY seq')
      .all() as OutboxRow[];
    return rows.map((r) => ({
      kind: r.kind,
      entityId: r.entity_id,
      payload: JSON.parse(r.payload),
    }));
  } finally {
    db.close();
  }
}

describe('devices.update: a device renamed or relabelled on site', () => {
  const startFixture = closedAfterEach(startStationFixture);

  async function started() {
    const fx = await startFixture();
    const call = <N extends OperationName>(
      name: N,
      input: OperationInput<N>,
    ): Promise<OperationResult<N>> => {
      const handler = fx.station.api[name] as (args: unknown) => Promise<OperationResult<N>>;
      return handler(parseArgs(name, input));
    };
    const profile = await fx.profile('CIM-168');
    const typo = await fx.device('CIM-168-02-22-09', profile.id, 'TOKEN-90');
    const other = await fx.device('CIM-168-02-22-91', profile.id, 'TOKEN-91');
    const events: StationEvent[] = [];
    fx.station.events.subscribe((event) => events.push(event));
    return { fx, call, typo, other, events };
  }

  it('renames a device: the table, the outbox (with the values replaced) and an event', async () => {
    const { fx, call, typo, events } = await started();
    const renamed = await call('devices.update', { id: typo.id, name: ' CIM-168-02-22-90 ' });
    expect(renamed).toMatchObject({
      id: typo.id,
      name: 'CIM-168-02-22-90',
      label: '',
      accessToken: 'TOKEN-90',
      profileId: typo.profileId,
    });
    const listed = await call('devices.list', {});
    expect(listed.map((d) => d.name)).toEqual(['CIM-168-02-22-90', 'CIM-168-02-22-91']);
    expect(outbox(fx).filter((e) => e.kind === 'device.updated')).toEqual([
      {
        kind: 'device.updated',
        entityId: typo.id,
        payload: {
          name: 'CIM-168-02-22-90',
          label: '',
          was: { name: 'CIM-168-02-22-09', label: '' },
        },
      },
    ]);
    const changed = events.filter((e) => e.type === 'device.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]?.payload).toMatchObject({ id: typo.id, name: 'CIM-168-02-22-90' });
    // The device still connects with its token, and is shown online under its new name.
    await fx.connect('TOKEN-90');
    const online = await call('devices.get', { id: typo.id });
    expect(online).toMatchObject({ name: 'CIM-168-02-22-90', online: true });
  });

  it('refuses a name another device has, like Add device, and changes nothing', async () => {
    const { fx, call, typo, other, events } = await started();
    const before = outbox(fx).length;
    const refused = await call('devices.update', { id: typo.id, name: other.name }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      message: `A device named "${other.name}" already exists`,
      fields: { name: 'already exists' },
    });
    expect((await call('devices.get', { id: typo.id })).name).toBe('CIM-168-02-22-09');
    expect(outbox(fx)).toHaveLength(before);
    expect(events.filter((e) => e.type === 'device.changed')).toEqual([]);
  });

  it('changes the label only, and clears it; an edit that changes nothing queues nothing', async () => {
    const { fx, call, typo } = await started();
    const labelled = await call('devices.update', { id: typo.id, label: 'Pump 3' });
    expect(labelled).toMatchObject({ name: 'CIM-168-02-22-09', label: 'Pump 3' });
    const cleared = await call('devices.update', { id: typo.id, label: '' });
    expect(cleared.label).toBe('');
    const same = await call('devices.update', { id: typo.id, name: 'CIM-168-02-22-09' });
    expect(same).toMatchObject({ name: 'CIM-168-02-22-09', label: '' });
    expect(outbox(fx).filter((e) => e.kind === 'device.updated')).toEqual([
      {
        kind: 'device.updated',
        entityId: typo.id,
        payload: {
          name: 'CIM-168-02-22-09',
          label: 'Pump 3',
          was: { name: 'CIM-168-02-22-09', label: '' },
        },
      },
      {
        kind: 'device.updated',
        entityId: typo.id,
        payload: {
          name: 'CIM-168-02-22-09',
          label: '',
          was: { name: 'CIM-168-02-22-09', label: 'Pump 3' },
        },
      },
    ]);
  });

  it('checks its arguments: at least one field, a name that is not blank, an existing device', async () => {
    const { call, typo } = await started();
    expect(() => parseArgs('devices.update', { id: typo.id })).toThrow(
      /give a new name, a new label or a new device profile/,
    );
    expect(() => parseArgs('devices.update', { id: typo.id, name: '   ' })).toThrow(/name/);
    expect(() => parseArgs('devices.update', { id: typo.id, label: 'x'.repeat(256) })).toThrow(
      /label/,
    );
    // The token is not editable here: the schema does not take it.
    expect(
      parseArgs('devices.update', { id: typo.id, label: 'a', accessToken: 'NEW' } as never),
    ).not.toHaveProperty('accessToken');
    await expect(
      call('devices.update', { id: '00000000-0000-4000-8000-000000000000', label: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
