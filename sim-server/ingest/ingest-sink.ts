/**
 * Where the MQTT and OPC-UA sources deliver: readings become one readings event of the live twin
 * (the same `commit` path the simulator's readings take), and `accept` resolves only once that
 * event is durable, so an adapter acknowledges its broker only for stored readings. While the
 * write queue is over its limit, `accept` waits first: the adapter's ack window fills and the
 * broker holds the rest, instead of this process growing without bound.
 */
import type { Reading } from '../../digital-twin/index.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Storage } from '../storage/storage.js';
import type { IngestRejection, ReadingSink } from './source.js';

/** What the sink needs from the live engine. */
export interface IngestTarget {
  /** Folds readings into the twin and queues them for storage; returns the event's seq. */
  ingest(readings: readonly Reading[]): number;
}

/** How often a waiting `accept` looks at the write queue again, ms. */
const BACK_PRESSURE_POLL_MS = 20;
/** Rejections are logged at most this often per source and reason (all are counted and stored). */
const REJECT_LOG_EVERY_MS = 10_000;

export interface IngestSinkOptions {
  /** `mqtt`, `opcua`: the metrics label and the rejects table's `source`. */
  source: string;
  target: IngestTarget;
  storage: Pick<Storage, 'whenDurable' | 'stats' | 'appendReject'>;
  metrics: ServerMetrics;
  log: Logger;
  now?: () => number;
}

export class IngestSink implements ReadingSink {
  readonly #o: IngestSinkOptions;
  readonly #now: () => number;
  readonly #lastLogged = new Map<string, number>();
  #closed = false;

  constructor(options: IngestSinkOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Stops accepting: a waiting `accept` rejects, so its source keeps the message unacked. */
  close(): void {
    this.#closed = true;
  }

  async accept(readings: Reading[], origin: string): Promise<void> {
    const { storage, metrics, target, source } = this.#o;
    let waited = false;
    while (storage.stats().overLimit) {
      if (this.#closed) throw new Error('ingest is stopping');
      if (!waited) metrics.ingestBackPressure.inc({ source });
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, BACK_PRESSURE_POLL_MS));
    }
    if (this.#closed) throw new Error(`ingest is stopping; readings from ${origin} stay unacked`);
    const seq = target.ingest(readings);
    metrics.ingestReadings.inc({ source }, readings.length);
    await storage.whenDurable(seq);
  }

  reject(rejection: IngestRejection): void {
    const { storage, metrics, log, source } = this.#o;
    metrics.ingestRejects.inc({ source, reason: rejection.reason });
    const t = this.#now();
    try {
      storage.appendReject({
        source,
        reason: rejection.reason,
        detail: `${rejection.origin}: ${rejection.message}`,
        raw: rejection.raw,
        t,
      });
    } catch (error) {
      log.error(`could not keep a ${source} rejection (${rejection.reason})`, error);
    }
    const key = `${rejection.reason}`;
    if (t - (this.#lastLogged.get(key) ?? -Infinity) >= REJECT_LOG_EVERY_MS) {
      this.#lastLogged.set(key, t);
      log.warn(`${source}: rejected from ${rejection.origin}: ${rejection.message}`);
    }
  }
}
