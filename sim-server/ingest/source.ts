import type { Reading } from '../../digital-twin/index.js';

/** Why an input was refused; counted in /metrics by `reason` and kept (truncated) for inspection. */
export interface IngestRejection {
  /** Short machine-readable reason, e.g. `json_parse`, `non_finite`, `out_of_range`, `unknown_topic`. */
  reason: string;
  /** Human-readable detail naming the field that was wrong. */
  message: string;
  /** Where it came from: an MQTT topic, an OPC-UA nodeId, … */
  origin: string;
  /** The raw input, truncated by the sink before storing. */
  raw: string;
}

/**
 * Where adapters deliver what they decode. `accept` resolves once the readings are durably stored,
 * so an adapter can acknowledge its broker only then (nothing accepted is ever lost).
 */
export interface ReadingSink {
  accept(readings: Reading[], origin: string): Promise<void>;
  reject(rejection: IngestRejection): void;
}

/** The outcome of writing an actuator value to the plant. */
export type SourceWriteResult = { ok: true } | { ok: false; reason: string };

/** A live source of readings: the simulator, an MQTT broker, a set of OPC-UA servers. */
export interface LiveSource {
  readonly name: string;
  readonly running: boolean;
  start(sink: ReadingSink): Promise<void>;
  stop(): Promise<void>;
  /** Writes an actuator value to the plant; resolves with the plant's answer. */
  write(actuatorId: string, value: number): Promise<SourceWriteResult>;
  /** Whether this source carries the given actuator's writes. */
  handles(actuatorId: string): boolean;
}
