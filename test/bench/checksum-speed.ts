/**
 * Throughput of every checksum algorithm as an import sees it: a 64 MiB in-memory image fed in
 * 64 KiB chunks (the file reader's granularity). Prints figures only; nothing is asserted.
 * Run: npx tsx test/bench/checksum-speed.ts
 */
import { randomFillSync } from 'node:crypto';

import { createChecksum } from '../../electron/core/packages/checksum';
import { CHECKSUM_ALGORITHMS } from '../../shared/protocol/checksum-algorithms';

const MIB = 1024 * 1024;
const TOTAL_BYTES = 64 * MIB;
const CHUNK_BYTES = 64 * 1024;
/** One untimed pass lets V8 optimise the hot loops before the timed passes. */
const WARMUP_ROUNDS = 1;
const TIMED_ROUNDS = 3;

const image = new Uint8Array(TOTAL_BYTES);
// randomFillSync caps each call at 2^31-1 bytes; 64 MiB fits in one.
randomFillSync(image);

function hashOnce(algorithm: (typeof CHECKSUM_ALGORITHMS)[number]): string {
  const hasher = createChecksum(algorithm);
  for (let offset = 0; offset < TOTAL_BYTES; offset += CHUNK_BYTES) {
    hasher.update(image.subarray(offset, offset + CHUNK_BYTES));
  }
  return hasher.digestHex();
}

console.log(`checksum throughput: ${TOTAL_BYTES / MIB} MiB in ${CHUNK_BYTES / 1024} KiB chunks,`);
console.log(`best of ${TIMED_ROUNDS} after ${WARMUP_ROUNDS} warm-up (MB = 10^6 bytes)`);
for (const algorithm of CHECKSUM_ALGORITHMS) {
  for (let round = 0; round < WARMUP_ROUNDS; round += 1) hashOnce(algorithm);
  let bestMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < TIMED_ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    hashOnce(algorithm);
    bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - start) / 1e6);
  }
  const mbPerSecond = TOTAL_BYTES / 1e6 / (bestMs / 1000);
  console.log(`${algorithm.padEnd(12)} ${mbPerSecond.toFixed(0).padStart(6)} MB/s`);
}
