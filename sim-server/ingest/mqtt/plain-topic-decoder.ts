import { decodeTextPayload } from '../payload/index.js';
import type { ReadingLimits } from '../payload/index.js';
import type { TopicMap } from './topic-map.js';
import type { WireDecoder, WireOutcome } from './wire-decoder.js';

/** JSON `{"value","t","quality"}` and bare-number topics, one sensor per topic. */
export class PlainTopicDecoder implements WireDecoder {
  readonly subscriptions: readonly string[];
  readonly #map: TopicMap;
  readonly #limits: ReadingLimits;

  constructor(map: TopicMap, limits: ReadingLimits) {
    this.#map = map;
    this.#limits = limits;
    this.subscriptions = map.subscriptions;
  }

  claims(topic: string): boolean {
    return this.#map.sensorsByTopic.has(topic);
  }

  decode(topic: string, payload: Uint8Array, receivedAt: number): WireOutcome {
    const binding = this.#map.sensorsByTopic.get(topic);
    if (binding === undefined) {
      return {
        readings: [],
        rejections: [
          { reason: 'unknown_topic', message: `topic: no sensor is bound to "${topic}"` },
        ],
        replies: [],
      };
    }
    const result = decodeTextPayload(
      payload,
      binding.format,
      binding.sensor,
      receivedAt,
      this.#limits,
    );
    return result.ok
      ? { readings: [result.reading], rejections: [], replies: [] }
      : {
          readings: [],
          rejections: [{ reason: result.reason, message: result.message }],
          replies: [],
        };
  }
}
