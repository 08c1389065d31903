/** The station's MQTT session layer: import from here. */
export { ListenerMoveError, MqttEndpoint } from './mqtt-endpoint';
export { MqttSession } from './mqtt-session';
export { CONNACK_311, RC5 } from './reason-codes';
export type {
  ConnectInfo,
  IncomingPublish,
  MqttEndpointOptions,
  ProtocolErrorEvent,
  ProtocolVersion,
  SessionHandlers,
} from './types';
