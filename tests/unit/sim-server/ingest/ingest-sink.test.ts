/**
 * The sink between the MQTT/OPC-UA sources and the live twin: readings resolve only once durable
 * (the source acks its broker then), nothing is taken while the write queue is over its limit
 * (the source's ack window fills and the broker holds the rest), and every refusal is counted by
 * source and reason and kept.
 */
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../../digital-twin/index.js';
import { IngestSink } from '../../../../sim-server/ingest/ingest-sink.js';
import { SILENT_LOGGER } from '../../../../sim-server/logger.js';
import { ServerMetrics } from '../../../../sim-server/metrics/server-metrics.js';
import type { RejectRecord, StorageStats } from '../../../../sim-server/storage/storage.js';

function harness() {
  const ingested: Reading[][] = [];
  const kept: RejectRecord[] = [];
  let seq = 0;
  let durable = 0;
  let overLimit = false;
  const waiting: { seq: number; resolve: () => void }[] = [];
  const storage = {
    stats: (): StorageStats => ({
      queueDepth: 0,
      queueLimit: 10,
      overLimit,
      written: 0,
      writeErrors: 0,
      lastBatchMs: 0,
      durableSeq: durable,
    }),
    whenDurable: (s: number) =>
      s <= durable
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ seq: s, resolve })),
    appendReject: (r: RejectRecord) => void kept.push(r),
  };
  const metrics = new ServerMetrics();
  const sink = new IngestSink({
    source: 'mqtt',
    target: {
      ingest: (readings) => {
        ingested.push([...readings]);
        return (seq += 1);
      },
    },
    storage,
    metrics,
    log: SILENT_LOGGER,
    now: () => 1_700_000_000_000,
  });
  return {
    sink,
    metrics,
    ingested,
    kept,
    setOverLimit: (v: boolean) => (overLimit = v),
    makeDurable: (upTo: number) => {
      durable = upTo;
      for (const w of waiting.splice(0)) {
        if (w.seq <= durable) w.resolve();
        else waiting.push(w);
      }
    },
  };
}

const reading: Reading = { sensorId: 'TT-1', t: 1_700_000_000_000, value: 20, quality: 'good' };
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IngestSink', () => {
  it('resolves accept only once the readings event is durable', async () => {
    const h = harness();
    let done = false;
    const accepted = h.sink.accept([reading], 'topic').then(() => (done = true));
    await tick();
    expect(h.ingested).toEqual([[reading]]);
    expect(done).toBe(false);
    h.makeDurable(1);
    await accepted;
    expect(done).toBe(true);
    expect(h.metrics.ingestReadings.get({ source: 'mqtt' })).toBe(1);
  });

  it('takes nothing while the write queue is over its limit, then resumes', async () => {
    const h = harness();
    h.setOverLimit(true);
    const accepted = h.sink.accept([reading], 'topic');
    await tick(100);
    expect(h.ingested).toEqual([]);
    expect(h.metrics.ingestBackPressure.get({ source: 'mqtt' })).toBe(1);
    h.setOverLimit(false);
    await tick(60);
    expect(h.ingested).toHaveLength(1);
    h.makeDurable(1);
    await accepted;
  });

  it('refuses new readings after close, so the source leaves them unacked', async () => {
    const h = harness();
    h.sink.close();
    await expect(h.sink.accept([reading], 'topic')).rejects.toThrow(/stopping/);
    expect(h.ingested).toEqual([]);
  });

  it('counts every rejection by source and reason and keeps it with its origin', () => {
    const h = harness();
    for (let i = 0; i < 3; i += 1)
      h.sink.reject({
        reason: 'json_parse',
        message: 'payload: not JSON',
        origin: 'a/b',
        raw: '{',
      });
    h.sink.reject({ reason: 'out_of_range', message: 'value: 1e9', origin: 'a/c', raw: '1e9' });
    expect(h.metrics.ingestRejects.get({ source: 'mqtt', reason: 'json_parse' })).toBe(3);
    expect(h.metrics.ingestRejects.get({ source: 'mqtt', reason: 'out_of_range' })).toBe(1);
    expect(h.kept).toHaveLength(4);
    expect(h.kept[3]).toMatchObject({ source: 'mqtt', reason: 'out_of_range', raw: '1e9' });
    expect(h.kept[3]?.detail).toBe('a/c: value: 1e9');
  });
});
