/**
 * The limits every reading must pass, whatever wire it came over (MQTT JSON, Sparkplug, OPC-UA).
 * Adapters take their own copy so tests can shrink them.
 */
export interface ReadingLimits {
  /** Payloads bigger than this (bytes) are refused before parsing. */
  readonly maxPayloadBytes: number;
  /** How far (ms) a timestamp may lie ahead of the receive time. */
  readonly maxFutureMs: number;
  /** How old (ms) a timestamp may be at receive time. */
  readonly maxAgeMs: number;
}

export const DEFAULT_READING_LIMITS: ReadingLimits = Object.freeze({
  // A reading is a few dozen bytes; 256 KiB leaves room for a Sparkplug birth of a few thousand
  // metrics while keeping a flood of 10 MB junk from ever reaching JSON.parse or the protobuf reader.
  maxPayloadBytes: 256 * 1024,
  // Field devices drift by seconds, not minutes; 5 min ahead means a wrong clock or time zone.
  maxFutureMs: 5 * 60_000,
  // Store-and-forward gateways replay hours of backlog; a week old is a stuck or reset clock.
  maxAgeMs: 7 * 24 * 3_600_000,
});
