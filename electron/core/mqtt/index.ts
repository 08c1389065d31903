/** The station's MQTT session layer: import from here. */
export { ListenerMoveError, MqttEndpoint } from './mqtt-endpoint';
export { MqttSession } from './mqtt-session';
export { RC5, CONNACK_311 } from './reason-codes';
export type {
  ConnectInfo,
  IncomingPublish,
  MqttEndpointOptions,
  ProtocolErrorEvent,
  ProtocolVersion,
  SessionHandlers,
} from './types';
