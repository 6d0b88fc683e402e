import type { Reading } from '../../../../digital-twin/index.js';
import type { IngestRejection, ReadingSink } from '../../../../sim-server/ingest/source.js';

/**
 * A sink that stores readings in memory the way the real store does: a duplicate (sensor, t)
 * is ignored, so redelivered QoS 1 messages are harmless. `gate` lets a test hold `accept` open
 * to see that nothing is acknowledged before it resolves.
 */
export class MemorySink implements ReadingSink {
  readonly readings = new Map<string, Reading>();
  readonly rejections: IngestRejection[] = [];
  /** Every reading handed to accept, duplicates included. */
  delivered = 0;
  gate: Promise<void> | undefined;

  async accept(readings: Reading[]): Promise<void> {
    this.delivered += readings.length;
    if (this.gate) await this.gate;
    for (const reading of readings) {
      const key = `${reading.sensorId}\u0000${reading.t}`;
      if (!this.readings.has(key)) this.readings.set(key, reading);
    }
  }

  reject(rejection: IngestRejection): void {
    this.rejections.push(rejection);
  }

  of(sensorId: string): Reading[] {
    return [...this.readings.values()].filter((r) => r.sensorId === sensorId);
  }

  reasons(): string[] {
    return this.rejections.map((r) => r.reason);
  }
}

/** Polls until the condition holds; fails with the description after the timeout. */
export async function eventually(
  condition: () => boolean,
  what: string | (() => string),
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      const described = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
