/**
 * The device simulator against the aedes baseline (a bare broker answering from memory):
 * checks that the simulator itself follows the seed's sequence and verifies what it gets.
 */
import { randomBytes } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import {
  type DeviceStateEvent,
  runSimulation,
  SimulationOptionsError,
} from '../../electron/simulator';
import { CHECKSUM_ALGORITHMS } from '../../shared/protocol/checksum-algorithms';
import {
  type AedesBaseline,
  type AedesBaselineOptions,
  startAedesBaseline,
} from '../bench/aedes-baseline';
import { freeLocalPort } from '../support/free-port';

const FIRMWARE_SIZE = 300_000;
const CHUNK_SIZE = 8192;
const CHUNKS = Math.ceil(FIRMWARE_SIZE / CHUNK_SIZE);
const TOKENS = ['dev-a', 'dev-b', 'dev-c', 'dev-d', 'dev-e'];

let baseline: AedesBaseline | undefined;

afterEach(async () => {
  await baseline?.close();
  baseline = undefined;
});

async function start(
  overrides: Partial<AedesBaselineOptions> = {},
): Promise<{ server: AedesBaseline; firmware: Buffer }> {
  const firmware = randomBytes(FIRMWARE_SIZE);
  baseline = await startAedesBaseline({
    firmware,
    title: 'CIM-168',
    version: '1.0.1',
    checksumAlgorithm: 'SHA256',
    ...overrides,
  });
  return { server: baseline, firmware };
}

const fwUpdateSequence = (from: string, to: string): Record<string, unknown>[] => [
  { current_fw_title: 'CIM-168', current_fw_version: from },
  { current_sw_title: 'CIM-168', current_sw_version: '1.0.0' },
  { current_fw_title: 'CIM-168', current_fw_version: from, fw_state: 'DOWNLOADING' },
  { current_fw_title: 'CIM-168', current_fw_version: from, fw_state: 'DOWNLOADED' },
  { current_fw_title: 'CIM-168', current_fw_version: from, fw_state: 'VERIFIED' },
  { current_fw_title: 'CIM-168', current_fw_version: from, fw_state: 'UPDATING' },
  { current_fw_title: 'CIM-168', current_fw_version: to, fw_state: 'UPDATED' },
];

describe('simulator against the aedes baseline', () => {
  it.each(CHECKSUM_ALGORITHMS)(
    'updates 5 devices from 1.0.0 to 1.0.1 with %s',
    async (algorithm) => {
      const { server } = await start({ checksumAlgorithm: algorithm });
      const summary = await runSimulation({
        url: server.url,
        tokens: TOKENS,
        chunkSize: CHUNK_SIZE,
        timeoutMs: 20_000,
      });

      expect(summary.totals).toMatchObject({
        devices: 5,
        updated: 5,
        failed: 0,
        timedOut: 0,
        bytes: 5 * FIRMWARE_SIZE,
      });
      for (const device of summary.devices) {
        expect(device).toMatchObject({
          state: 'UPDATED',
          bytes: FIRMWARE_SIZE,
          // The last chunk is short and completes fw_size: no empty chunk is asked for.
          chunks: CHUNKS,
          reconnects: 0,
          currentFwVersion: '1.0.1',
          currentSwVersion: '1.0.0',
          fwState: 'UPDATED',
        });
        expect(device.error).toBeUndefined();
        expect(server.states.get(device.token)).toBe('UPDATED');
        expect(server.telemetry.get(device.token)).toEqual(fwUpdateSequence('1.0.0', '1.0.1'));
      }
      expect(server.counters).toMatchObject({
        attributeRequests: 5,
        chunkRequests: 5 * CHUNKS,
        bytesServed: 5 * FIRMWARE_SIZE,
      });
    },
  );

  it('asks for the empty chunk when the size is a multiple of the chunk size', async () => {
    const firmware = randomBytes(4 * CHUNK_SIZE);
    baseline = await startAedesBaseline({
      firmware,
      title: 'CIM-168',
      version: '2.0.0',
      checksumAlgorithm: 'CRC32',
    });
    const summary = await runSimulation({
      url: baseline.url,
      tokens: ['even'],
      chunkSize: CHUNK_SIZE,
      timeoutMs: 10_000,
    });
    expect(summary.devices[0]).toMatchObject({
      state: 'UPDATED',
      bytes: firmware.length,
      chunks: 5,
    });
    expect(baseline.counters.chunkRequests).toBe(5);
  });

  it('reports FAILED with fw_error when told to fail verification', async () => {
    const { server } = await start();
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      failVerify: true,
      timeoutMs: 20_000,
    });
    expect(summary.totals).toMatchObject({ updated: 0, failed: 5 });
    for (const device of summary.devices) {
      expect(device).toMatchObject({
        state: 'FAILED',
        currentFwVersion: '1.0.0',
        bytes: FIRMWARE_SIZE,
      });
      expect(device.error).toMatch(/^Checksum does not match .*simulated by failVerify/);
      expect(server.states.get(device.token)).toBe('FAILED');
      const sent = server.telemetry.get(device.token) ?? [];
      expect(sent.at(-2)).toEqual({
        current_fw_title: 'CIM-168',
        current_fw_version: '1.0.0',
        fw_state: 'DOWNLOADED',
      });
      expect(sent.at(-1)).toEqual({ fw_state: 'FAILED', fw_error: device.error });
    }
  });

  it('fails with expected and got when the served checksum is wrong', async () => {
    const wrong = 'ab'.repeat(32);
    const { server, firmware } = await start({ checksum: wrong });
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      timeoutMs: 20_000,
    });
    const actual = checksumOfBuffer('SHA256', firmware);
    expect(summary.totals.failed).toBe(5);
    for (const device of summary.devices) {
      expect(device.state).toBe('FAILED');
      expect(device.error).toBe(
        `Checksum does not match for CIM-168 1.0.1 with SHA256 (expected ${wrong}, got ${actual})`,
      );
      expect(server.telemetry.get(device.token)?.at(-1)).toEqual({
        fw_state: 'FAILED',
        fw_error: device.error,
      });
    }
  });

  it('drops the connection before a chunk, redoes Part I and resumes from that chunk', async () => {
    const { server } = await start();
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      dropAtChunk: 5,
      timeoutMs: 20_000,
    });
    expect(summary.totals.updated).toBe(5);
    for (const device of summary.devices) {
      expect(device).toMatchObject({
        state: 'UPDATED',
        reconnects: 1,
        bytes: FIRMWARE_SIZE,
        chunks: CHUNKS,
      });
      const states = (server.telemetry.get(device.token) ?? []).map((t) => t.fw_state ?? 'PART_I');
      // Part I twice (fw + sw each time), DOWNLOADING again on resume, then the verification.
      expect(states).toEqual([
        'PART_I',
        'PART_I',
        'DOWNLOADING',
        'PART_I',
        'PART_I',
        'DOWNLOADING',
        'DOWNLOADED',
        'VERIFIED',
        'UPDATING',
        'UPDATED',
      ]);
    }
    // Resumed, not restarted: every chunk was asked for once.
    expect(server.counters).toMatchObject({ attributeRequests: 10, chunkRequests: 5 * CHUNKS });
  });

  it('never downloads when silent', async () => {
    const { server } = await start();
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      silent: true,
      timeoutMs: 10_000,
    });
    expect(summary.totals).toMatchObject({
      connected: 5,
      updated: 0,
      failed: 0,
      timedOut: 0,
      bytes: 0,
    });
    expect(server.counters).toMatchObject({ attributeRequests: 0, chunkRequests: 0 });
    for (const token of TOKENS) {
      expect(server.telemetry.get(token)).toEqual(fwUpdateSequence('1.0.0', '1.0.1').slice(0, 2));
    }
  });

  it('updates software on the sw_ keys and v2/sw/ topics, leaving the firmware alone', async () => {
    const { server } = await start({ type: 'SOFTWARE' });
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      timeoutMs: 20_000,
    });
    expect(summary.totals.updated).toBe(5);
    for (const device of summary.devices) {
      expect(device).toMatchObject({
        currentFwVersion: '1.0.0',
        currentSwVersion: '1.0.1',
        swState: 'UPDATED',
      });
      expect(device.fwState).toBeUndefined();
      expect(server.telemetry.get(device.token)?.at(-1)).toEqual({
        current_sw_title: 'CIM-168',
        current_sw_version: '1.0.1',
        sw_state: 'UPDATED',
      });
    }
  });

  it('waits for an assignment pushed on v1/devices/me/attributes', async () => {
    const { server } = await start({ assigned: false });
    const waiting = new Set<string>();
    let pushed = false;
    const onDeviceState = (event: DeviceStateEvent): void => {
      if (event.state === 'WAITING') waiting.add(event.token);
      if (waiting.size === TOKENS.length && !pushed) {
        pushed = true;
        server.assign();
      }
    };
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      timeoutMs: 20_000,
      onDeviceState,
    });
    expect(pushed).toBe(true);
    expect(summary.totals.updated).toBe(5);
  });

  it('reports the server error text from v2/fw/error as FAILED', async () => {
    const { server } = await start({ chunkError: 'NOT_FOUND' });
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      timeoutMs: 20_000,
    });
    for (const device of summary.devices) {
      expect(device).toMatchObject({ state: 'FAILED', error: 'NOT_FOUND', bytes: 0 });
      expect(server.telemetry.get(device.token)?.at(-1)).toEqual({
        fw_state: 'FAILED',
        fw_error: 'NOT_FOUND',
      });
    }
  });

  it('asks again for a chunk that gets no answer', async () => {
    const { server } = await start({ ignoreFirstRequestOf: 3 });
    const summary = await runSimulation({
      url: server.url,
      tokens: TOKENS,
      chunkSize: CHUNK_SIZE,
      chunkTimeoutMs: 300,
      timeoutMs: 20_000,
    });
    expect(summary.totals.updated).toBe(5);
    expect(server.counters.chunkRequests).toBe(5 * (CHUNKS + 1));
  });

  it('marks devices still waiting at the run timeout as TIMEOUT', async () => {
    const { server } = await start({ assigned: false });
    const summary = await runSimulation({
      url: server.url,
      count: 3,
      tokenPrefix: 'idle-',
      timeoutMs: 1_000,
    });
    expect(summary.totals).toMatchObject({ devices: 3, timedOut: 3, updated: 0 });
    expect(summary.devices.map((d) => d.token)).toEqual(['idle-0', 'idle-1', 'idle-2']);
    for (const device of summary.devices) expect(device.error).toMatch(/was WAITING/);
  });

  it('gives up with FAILED when nothing listens', async () => {
    const port = await freeLocalPort();
    const summary = await runSimulation({
      url: `mqtt://127.0.0.1:${port}`,
      tokens: ['lonely'],
      maxReconnects: 1,
      timeoutMs: 10_000,
    });
    expect(summary.devices[0]).toMatchObject({ state: 'FAILED', reconnects: 1 });
    expect(summary.devices[0]?.error).toMatch(/Could not connect.*gave up after 1 reconnects/);
  });

  it('rejects bad options with a clear error', async () => {
    await expect(runSimulation({ url: 'mqtt://127.0.0.1:1', count: 0 })).rejects.toThrow(
      SimulationOptionsError,
    );
    await expect(runSimulation({ url: 'http://127.0.0.1:1', count: 1 })).rejects.toThrow(
      /Unsupported URL scheme/,
    );
    await expect(runSimulation({ url: 'mqtt://127.0.0.1:1', tokens: ['a', 'a'] })).rejects.toThrow(
      /unique/,
    );
    await expect(
      runSimulation({ url: 'mqtt://127.0.0.1:1', count: 1, chunkSize: 0 }),
    ).rejects.toThrow(/chunkSize/);
  });
});
