/**
 * One session's granted subscriptions. They never route anything between sessions: they only
 * decide the QoS of a response and answer isSubscribed() for the API layer's pushes.
 */
import { topicMatchesFilter } from '../../../shared/protocol/topics';

export class SubscriptionTable {
  /** Granted filter -> granted QoS (the server's maximum is 1). */
  private granted: Map<string, 0 | 1> | undefined;

  constructor(private readonly offered: ReadonlySet<string>) {}

  /** Grants an offered filter at min(requested, 1); undefined when the filter is not offered. */
  grant(filter: string, requestedQos: number): 0 | 1 | undefined {
    if (!this.offered.has(filter)) return undefined;
    const qos: 0 | 1 = requestedQos >= 1 ? 1 : 0;
    (this.granted ??= new Map()).set(filter, qos);
    return qos;
  }

  /** False when there was no such subscription. */
  remove(filter: string): boolean {
    return this.granted?.delete(filter) ?? false;
  }

  matches(topic: string): boolean {
    if (!this.granted) return false;
    for (const filter of this.granted.keys()) {
      if (topicMatchesFilter(topic, filter)) return true;
    }
    return false;
  }

  /** Highest QoS granted by a filter matching topic; 0 if none matches. */
  qosFor(topic: string): 0 | 1 {
    let qos: 0 | 1 = 0;
    if (!this.granted) return qos;
    for (const [filter, granted] of this.granted) {
      if (granted > qos && topicMatchesFilter(topic, filter)) qos = granted;
    }
    return qos;
  }
}
