import type { CompiledPlant } from '../../../digital-twin/index.js';
import type { ReadingLimits } from '../payload/index.js';
import type { BackoffOptions } from './reconnect-backoff.js';

/** Where the MQTT source's diagnostics go; the server passes its logger, tests may pass nothing. */
export type SourceLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface MqttTlsOptions {
  /** PEM text of the CA that signed the broker's certificate. */
  ca?: string;
  /** PEM client certificate and key, for brokers that authenticate clients by certificate. */
  cert?: string;
  key?: string;
  /** Defaults to true; false only for test brokers with self-signed certificates. */
  rejectUnauthorized?: boolean;
}

export interface MqttSourceOptions {
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://…`. */
  url: string;
  /**
   * Fixed, so the broker keeps this client's persistent session (subscriptions and unacked QoS 1
   * messages) across disconnects; two servers must not share one.
   */
  clientId: string;
  username?: string;
  password?: string;
  tls?: MqttTlsOptions;
  /**
   * 5 (default) lets us bound the broker's in-flight window (Receive Maximum) and the session's
   * lifetime; 4 (3.1.1) for brokers without MQTT 5, such as aedes: there the broker's own
   * in-flight limit bounds the window and the session lasts until the broker forgets it.
   */
  protocolVersion?: 4 | 5;
  plant: CompiledPlant;
  limits?: ReadingLimits;
  backoff?: BackoffOptions;
  /**
   * QoS 1 messages the broker may send before we ack (MQTT 5 Receive Maximum). Bounds memory:
   * when storage falls behind, the window fills and the broker holds the rest.
   */
  maxInFlight?: number;
  /** How long a command waits for its confirming reading, ms. */
  commandTimeoutMs?: number;
  /** How close (fraction of range) a confirming reading must be to the commanded value. */
  confirmTolerance?: number;
  /** How long `start` waits for the first connection before returning (it keeps trying), ms. */
  startTimeoutMs?: number;
  /** Wall clock; tests inject one. */
  now?: () => number;
  log?: SourceLog;
}

export const MQTT_SOURCE_DEFAULTS = Object.freeze({
  // Mosquitto and aedes both honour a client's Receive Maximum. Acks wait for a commit, so the
  // rate is at most this window per commit round trip: 10,000 keeps 50k+ messages/s flowing at
  // ~100 ms per commit, and holds ~1 MB of JSON readings (~20 MB of 100-metric Sparkplug DDATA).
  maxInFlight: 10_000,
  commandTimeoutMs: 10_000,
  confirmTolerance: 0.02,
  startTimeoutMs: 10_000,
});
