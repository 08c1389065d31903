import crypto from 'node:crypto';

/** The same pseudo-random firmware in every process of a run (seeded), of the seed's size by default. */
export function benchFirmware(bytes = 3_735_576): Buffer {
  const out = Buffer.alloc(bytes);
  let block = crypto.createHash('sha256').update('field-ota-bench').digest();
  for (let offset = 0; offset < bytes; offset += block.length) {
    block.copy(out, offset);
    block = crypto.createHash('sha256').update(block).digest();
  }
  return out;
}
