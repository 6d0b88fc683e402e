import type { Reading } from '../../../digital-twin/index.js';
import type { PayloadReason } from '../payload/index.js';

/** Something the MQTT source must publish because of a message, e.g. a Sparkplug rebirth request. */
export interface WireReply {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
}

/** What one MQTT message turned into. */
export interface WireOutcome {
  readings: Reading[];
  rejections: { reason: PayloadReason; message: string }[];
  replies: WireReply[];
}

/**
 * One payload family on the wire (plain JSON/number topics, Sparkplug B). The MQTT source routes
 * each message to the first decoder that claims its topic. Decoders never throw and do no I/O.
 */
export interface WireDecoder {
  readonly subscriptions: readonly string[];
  claims(topic: string): boolean;
  decode(topic: string, payload: Uint8Array, receivedAt: number): WireOutcome;
}
