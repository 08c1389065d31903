import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 10,
  name: 'device last transport',
  sql: `
    -- How each device last reached the station (MQTT, HTTP, CoAP): the technician looking for
    -- a device that does not update needs to know which port and protocol it uses. Null until
    -- it makes its first call.
    ALTER TABLE devices ADD COLUMN last_transport TEXT
      CHECK (last_transport IN ('mqtt', 'http', 'coap'));
  `,
};
