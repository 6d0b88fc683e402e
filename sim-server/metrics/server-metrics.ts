/**
 * The server's metrics, in one place so /metrics, /ws/status and tests read the same numbers.
 * Parts that own a number (the write queue, the room) are read through probes at scrape time.
 */
import { MetricsRegistry } from './registry.js';
import type { Counter, Gauge, Histogram } from './registry.js';

/** Live numbers owned by other parts, read when /metrics is scraped. */
export interface MetricsProbes {
  writeQueueDepth(): number;
  writeQueueMaxDepth(): number;
  /** The highest sequence number the database holds. */
  durableSeq(): number;
  /** The twin's latest sequence number. */
  twinSeq(): number;
  clients(): number;
  /** 1 while plant time is held back because the write queue is full. */
  backPressured(): number;
  /** Readings received from MQTT/OPC-UA whose acknowledgement waits for storage. */
  ingestQueueDepth(): number;
  /** Per configured live source, 1 while connected (OPC-UA: every endpoint). */
  ingestConnected(): Record<string, number>;
}

const NO_PROBES: MetricsProbes = {
  writeQueueDepth: () => 0,
  writeQueueMaxDepth: () => 0,
  durableSeq: () => 0,
  twinSeq: () => 0,
  clients: () => 0,
  backPressured: () => 0,
  ingestQueueDepth: () => 0,
  ingestConnected: () => ({}),
};

/** Counts events per second over a sliding window of whole seconds. */
export class RateMeter {
  readonly #windowS: number;
  readonly #buckets = new Map<number, number>();
  constructor(windowS = 10) {
    this.#windowS = windowS;
  }

  add(count: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    this.#buckets.set(second, (this.#buckets.get(second) ?? 0) + count);
    for (const key of this.#buckets.keys())
      if (key <= second - this.#windowS) this.#buckets.delete(key);
  }

  /** Average per second over the window's complete seconds. */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let total = 0;
    for (const [second, count] of this.#buckets) {
      if (second < current && second >= current - this.#windowS) total += count;
    }
    return total / this.#windowS;
  }
}

/** Every metric the server exposes. */
export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  #probes: MetricsProbes = NO_PROBES;
  readonly readingRate = new RateMeter();

  readonly readings: Counter;
  readonly events: Counter;
  readonly rejects: Counter;
  readonly commands: Counter;
  readonly patchBytes: Histogram;
  readonly tickMs: Histogram;
  readonly backPressureMs: Counter;
  readonly snapshots: Counter;
  readonly plantLagMs: Gauge;
  readonly plantSkippedMs: Counter;
  readonly ingestReadings: Counter;
  readonly ingestRejects: Counter;
  readonly ingestBackPressure: Counter;
  readonly ingestConnected: Gauge;
  readonly roomDisconnects: Counter;

  constructor() {
    const r = this.registry;
    this.readings = r.counter('twinspace_readings_total', 'Readings applied to the twin.');
    r.gauge(
      'twinspace_readings_per_second',
      'Readings applied per second, averaged over 10 s.',
      () => this.readingRate.perSecond(Date.now()),
    );
    this.events = r.counter('twinspace_events_total', 'Events appended to the log, by type.');
    r.gauge('twinspace_write_queue_depth', 'Events waiting to be written to the database.', () =>
      this.#probes.writeQueueDepth(),
    );
    r.gauge('twinspace_write_queue_max_depth', 'Write queue capacity before back-pressure.', () =>
      this.#probes.writeQueueMaxDepth(),
    );
    r.gauge('twinspace_durable_seq', 'Highest event sequence number stored in the database.', () =>
      this.#probes.durableSeq(),
    );
    r.gauge('twinspace_twin_seq', "The live twin's latest event sequence number.", () =>
      this.#probes.twinSeq(),
    );
    r.gauge(
      'twinspace_back_pressure',
      '1 while plant time is paused until the write queue drains.',
      () => this.#probes.backPressured(),
    );
    this.backPressureMs = r.counter(
      'twinspace_back_pressure_ms_total',
      'Wall-clock milliseconds plant time was paused for the write queue.',
    );
    r.gauge('twinspace_clients', 'Clients connected to the plant room.', () =>
      this.#probes.clients(),
    );
    this.rejects = r.counter(
      'twinspace_rejects_total',
      'Messages and commands refused, by reason.',
    );
    this.commands = r.counter('twinspace_commands_total', 'Commands answered, by type and status.');
    this.roomDisconnects = r.counter(
      'twinspace_room_disconnects_total',
      'Connections the server closed, by reason (flood, revoked, expired).',
    );
    // Patch sizes: a few bytes for a quiet plant up to the full 118 KB state (FACTS.md).
    this.patchBytes = r.histogram(
      'twinspace_patch_bytes',
      'Size of each state patch broadcast to clients, bytes.',
      [64, 256, 1024, 4096, 16_384, 65_536, 262_144],
    );
    this.tickMs = r.histogram(
      'twinspace_tick_ms',
      'Wall-clock time one live tick takes, ms.',
      [0.5, 1, 2, 5, 10, 25, 50, 100, 250],
    );
    this.snapshots = r.counter('twinspace_snapshots_total', 'Snapshots written.');
    this.plantLagMs = r.gauge(
      'twinspace_plant_lag_ms',
      'How far plant time runs behind its target, ms.',
    );
    this.plantSkippedMs = r.counter(
      'twinspace_plant_skipped_ms_total',
      'Plant milliseconds not simulated because the CPU could not keep TIME_SCALE.',
    );
    this.ingestReadings = r.counter(
      'twinspace_ingest_readings_total',
      'Readings accepted from a live source (mqtt, opcua), by source.',
    );
    this.ingestRejects = r.counter(
      'twinspace_ingest_rejects_total',
      'Inputs from a live source refused, by source and reason (kept in the rejects table).',
    );
    this.ingestBackPressure = r.counter(
      'twinspace_ingest_back_pressure_total',
      'Times a live source had to wait for the write queue to drain before its readings were taken.',
    );
    r.gauge(
      'twinspace_ingest_queue_depth',
      'Readings received from live sources whose acknowledgement waits for storage.',
      () => this.#probes.ingestQueueDepth(),
    );
    this.ingestConnected = r.gauge(
      'twinspace_ingest_connected',
      '1 while a configured live source is connected, by source.',
    );
  }

  /** Wire the numbers other parts own. */
  setProbes(probes: MetricsProbes): void {
    this.#probes = probes;
  }

  get probes(): MetricsProbes {
    return this.#probes;
  }

  /** Count a refused message or command. */
  reject(reason: string): void {
    this.rejects.inc({ reason });
  }

  /** Prometheus text exposition. */
  render(): string {
    for (const [source, up] of Object.entries(this.#probes.ingestConnected()))
      this.ingestConnected.set(up, { source });
    return this.registry.render();
  }
}
