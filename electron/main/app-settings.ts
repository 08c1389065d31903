import fs from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

/**
 * The desktop station's settings: settings.json in the data folder (optional), then environment
 * variables for development and tests. Without mqttHost the Station page switch's saved choice
 * decides (this computer only at first); an mqttHost given here wins over it at every start.
 */
export const SETTINGS_FILE = 'settings.json';

const Settings = z
  .object({
    // Optional, not defaulted: "not given" lets the Station page switch's saved choice decide.
    mqttHost: z.string().trim().min(1).max(255).optional(),
    mqttPort: z.number().int().min(0).max(65_535).default(1883),
    // ThingsBoard's HTTP device API; not given: 8080, or any free port when mqttPort is 0.
    httpDevicePort: z.number().int().min(0).max(65_535).optional(),
    // The CoAP device API's UDP port; not given: the station's default (5683).
    coapPort: z.number().int().min(0).max(65_535).optional(),
    maxChunkBytes: z
      .number()
      .int()
      .min(1)
      .max(256 * 1024 * 1024)
      .optional(),
    // Days after which telemetry is deleted even if never pushed to the cloud (default 7).
    telemetryMaxAgeDays: z.number().positive().max(3650).optional(),
  })
  .strict();
export type AppSettings = z.output<typeof Settings>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Env overrides: FIELD_OTA_MQTT_HOST, FIELD_OTA_MQTT_PORT (0: any free port),
 * FIELD_OTA_HTTP_DEVICE_PORT, FIELD_OTA_COAP_PORT.
 */
export function loadAppSettings(dataDir: string, env: NodeJS.ProcessEnv): AppSettings {
  const file = path.join(dataDir, SETTINGS_FILE);
  let fromFile: unknown = {};
  try {
    fromFile = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new SettingsError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const merged: Record<string, unknown> =
    typeof fromFile === 'object' && fromFile !== null ? { ...fromFile } : { invalid: fromFile };
  if (env.FIELD_OTA_MQTT_HOST) merged.mqttHost = env.FIELD_OTA_MQTT_HOST;
  if (env.FIELD_OTA_MQTT_PORT) merged.mqttPort = Number(env.FIELD_OTA_MQTT_PORT);
  if (env.FIELD_OTA_HTTP_DEVICE_PORT)
    merged.httpDevicePort = Number(env.FIELD_OTA_HTTP_DEVICE_PORT);
  if (env.FIELD_OTA_COAP_PORT) merged.coapPort = Number(env.FIELD_OTA_COAP_PORT);
  const parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
      .join('; ');
    throw new SettingsError(`${file} has settings the station can't use: ${problems}`);
  }
  return parsed.data;
}
