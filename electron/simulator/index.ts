/** ServicePleX device simulator: unmodified-ThingsBoard-device behaviour over MQTT.js. */
export { runSimulation } from './run-simulation';
export { formatSummary } from './summary';
export { SimulationOptionsError } from './simulation-settings';
export type {
  DeviceResult,
  DeviceStateEvent,
  InstalledPackages,
  SimulatedDeviceState,
  SimulationOptions,
  SimulationSummary,
  SimulationTotals,
} from './types';
