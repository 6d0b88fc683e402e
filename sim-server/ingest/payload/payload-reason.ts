/**
 * Why an input from the wire was refused. The codes are what `/metrics` counts by and what an
 * operator greps for; the message beside each names the field that was wrong. They match the
 * codes the live server's own decoders use, so one reading policy reads the same everywhere.
 */
export const PAYLOAD_REASONS = [
  /** Payload bigger than the size limit; refused before any parsing. */
  'too_large',
  /** Not UTF-8 or not JSON. */
  'json_parse',
  /** A field had the wrong type, e.g. `value: expected number, got string`. */
  'wrong_type',
  /** A required field was absent, e.g. `value: missing`. */
  'missing_field',
  /** NaN or ±Infinity where a measured value was expected. */
  'non_finite',
  /** Further outside the sensor's range than one span. */
  'out_of_range',
  /** Too far in the future or the past, or not a time at all. */
  'bad_timestamp',
  /** A quality other than good, uncertain or bad. */
  'bad_quality',
  /** A topic no sensor is bound to. */
  'unknown_topic',
  /** A `spBv1.0/…` topic that does not follow the Sparkplug B namespace. */
  'sparkplug_topic',
  /** A Sparkplug payload that is not a valid protobuf Payload. */
  'sparkplug_decode',
  /** Sparkplug data from an edge node or device whose birth certificate was not seen. */
  'sparkplug_no_birth',
  /** A Sparkplug metric addressed by an alias its birth certificate did not define. */
  'sparkplug_unknown_alias',
  /** A Sparkplug metric whose datatype does not carry a number. */
  'sparkplug_value',
  /** An OPC-UA value that could not be read as a number. */
  'opcua_value',
  /** An OPC-UA node the server does not have (or will not let us monitor). */
  'unknown_node',
] as const;
export type PayloadReason = (typeof PAYLOAD_REASONS)[number];

/** A decode that did not yield a reading. */
export interface PayloadFailure {
  ok: false;
  reason: PayloadReason;
  /** Names the field: `value: expected number, got string`. */
  message: string;
}
