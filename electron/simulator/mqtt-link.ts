/** The MQTT device link: the seed's topics over one MQTT.js connection. */
import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import {
  ATTRIBUTES_REQUEST_PREFIX,
  ATTRIBUTES_RESPONSE_PREFIX,
  ATTRIBUTES_TOPIC,
  chunkRequestTopic,
  FIRMWARE_ERROR_TOPIC,
  otaTopicPrefix,
  TELEMETRY_TOPIC,
} from '../../shared/protocol/topics';
import { DeviceConnection } from './device-connection';
import type { ChunkRequest, DeviceLink, LinkSettings } from './device-link';
import {
  parseAttributePush,
  parseAttributeResponse,
  parseChunkResponseTopic,
} from './device-messages';

export class MqttLink implements DeviceLink {
  private requestId = 0;
  private respondedSubscribed = false;

  private constructor(
    private readonly connection: DeviceConnection,
    private readonly settings: LinkSettings,
  ) {
    const { handlers } = settings;
    connection.onMessage((topic, payload) => this.onMessage(topic, payload));
    connection.onClose(() => handlers.closed(undefined));
  }

  static async open(settings: LinkSettings): Promise<MqttLink> {
    const connection = await DeviceConnection.open(settings);
    return new MqttLink(connection, settings);
  }

  get isOpen(): boolean {
    return this.connection.isOpen;
  }

  telemetry(json: string): void {
    this.connection.send(TELEMETRY_TOPIC, json, this.settings.qos);
  }

  async requestSharedAttributes(keys: readonly string[]): Promise<void> {
    if (!this.respondedSubscribed) {
      await this.connection.subscribe(`${ATTRIBUTES_RESPONSE_PREFIX}+`, this.settings.qos);
      this.respondedSubscribed = true;
    }
    this.requestId++;
    this.connection.send(
      `${ATTRIBUTES_REQUEST_PREFIX}${this.requestId}`,
      JSON.stringify({ sharedKeys: keys.join(',') }),
      this.settings.qos,
    );
  }

  listenForAttributes(): Promise<void> {
    return this.connection.subscribe(ATTRIBUTES_TOPIC, this.settings.qos);
  }

  prepareDownload(type: OtaPackageType): Promise<void> {
    return this.connection.subscribe(
      `${otaTopicPrefix(type)}/response/+/chunk/+`,
      this.settings.qos,
    );
  }

  requestChunk(request: ChunkRequest): void {
    this.connection.send(
      chunkRequestTopic(request.type, request.requestId, request.index),
      String(request.size),
      this.settings.qos,
    );
  }

  drop(): void {
    this.connection.drop();
  }

  end(): Promise<void> {
    return this.connection.end();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const { handlers } = this.settings;
    if (topic === ATTRIBUTES_TOPIC) {
      const push = parseAttributePush(payload);
      if (push) handlers.attributes({ kind: 'push', ...push });
    } else if (topic.startsWith(ATTRIBUTES_RESPONSE_PREFIX)) {
      const shared = parseAttributeResponse(payload);
      if (shared) handlers.attributes({ kind: 'snapshot', shared });
    } else if (topic === FIRMWARE_ERROR_TOPIC || topic === 'v2/sw/error') {
      // TB reports software errors on v2/fw/error too: it is about whatever is downloading.
      handlers.otaError(payload.toString('utf8') || 'Unknown error');
    } else {
      const chunk = parseChunkResponseTopic(topic);
      if (chunk) handlers.chunk(chunk.requestId, chunk.index, payload);
    }
  }
}
