import type { Readable } from 'node:stream';

import type { Package } from '../../../shared/api/entities';
import type { ApiHandlers, PackageMeta } from '../../../shared/api/operations';
import type { StationEvents } from '../station-events';

/**
 * The part of the station the HTTP transport needs. Declared here (not imported from the
 * station) so the transport depends on a small surface and can't reach into the core.
 */
export interface HttpStation {
  readonly api: ApiHandlers;
  readonly events: StationEvents;
  importPackage(meta: PackageMeta, source: Readable): Promise<Package>;
  setHttpUrl(url: string): void;
}
