import { DatabaseTooNewError } from '../core/storage/database';
import { SettingsError } from './app-settings';

/** A start failure said so the technician can act on it (shown in a dialog, then the app quits). */
export function startErrorMessage(
  error: unknown,
  /** The listener that failed: MQTT ("mqttPort") unless said otherwise. */
  mqtt: { host: string; port: number; name?: string; setting?: string },
  settingsFile: string,
): string {
  const { code, syscall, port } = (error ?? {}) as NodeJS.ErrnoException & { port?: number };
  const name = mqtt.name ?? 'MQTT';
  const setting = mqtt.setting ?? 'mqttPort';
  // A UDP socket fails in bind(), a TCP server in listen(): the CoAP listener it was.
  if (code === 'EADDRINUSE' && syscall === 'bind') {
    return (
      `The CoAP port ${port ?? 5683} on ${mqtt.host} is already used by another program ` +
      `(another station, or a CoAP server). Stop that program, or choose another port with ` +
      `"coapPort" in ${settingsFile}.`
    );
  }
  if (code === 'EADDRINUSE') {
    const who =
      name === 'MQTT' ? 'another station, or an MQTT broker such as Mosquitto' : 'another station?';
    return (
      `The ${name} port ${mqtt.port} on ${mqtt.host} is already used by another program ` +
      `(${who}). Stop that program, or choose another port with "${setting}" in ${settingsFile}.`
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return `This computer has no network address ${mqtt.host}: correct "mqttHost" in ${settingsFile}.`;
  }
  if (code === 'EACCES') {
    return (
      `The system refused the ${name} port ${mqtt.port} (ports below 1024 need administrator ` +
      `rights): choose another with "${setting}" in ${settingsFile}.`
    );
  }
  if (error instanceof DatabaseTooNewError || error instanceof SettingsError) return error.message;
  return `The station could not start: ${error instanceof Error ? error.message : String(error)}`;
}
