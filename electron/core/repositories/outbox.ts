import { randomUUID } from 'node:crypto';

import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';

export interface OutboxEntry {
  kind: string;
  entityId: string;
  payload: unknown;
  now?: number;
}

/**
 * Records a change the cloud must learn. Call it inside the transaction that makes the change,
 * so the two are committed (or lost) together; the idempotency key lets the sync replay safely.
 */
export function enqueueOutbox(db: Db, entry: OutboxEntry): void {
  statementCache(db)(
    'INSERT INTO outbox (idempotency_key, kind, entity_id, payload, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(
    randomUUID(),
    entry.kind,
    entry.entityId,
    JSON.stringify(entry.payload),
    entry.now ?? Date.now(),
  );
}
