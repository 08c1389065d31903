/** ServicePleX device simulator: unmodified-ThingsBoard-device behaviour over MQTT.js. */
export { runSimulation } from './run-simulation';
export { SimulationOptionsError } from './simulation-settings';
export { formatSummary } from './summary';
export type {
  DeviceResult,
  DeviceStateEvent,
  InstalledPackages,
  SimulatedDeviceState,
  SimulationOptions,
  SimulationSummary,
  SimulationTotals,
} from './types';
