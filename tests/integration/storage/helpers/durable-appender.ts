/**
 * Child process for the crash test: appends to a PGlite store as fast as it can (readings, and
 * now and then a capsule raised then acknowledged) and prints `durable <seq>` each time the store
 * reports a seq durable. The parent kills it with SIGKILL mid-stream.
 *
 * Usage: tsx durable-appender.ts <dataDir>
 */
import { openStorage } from '../../../../sim-server/storage/index.js';
import type { TwinEvent } from '../../../../digital-twin/index.js';
import { PLANT_ID } from './backends.js';
import { acknowledged, capsule, raised, readingsEvent, T0 } from './events.js';

const READINGS_PER_EVENT = 50;

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: durable-appender.ts <dataDir>');
const storage = await openStorage({ dataDir, plantId: PLANT_ID, flushIntervalMs: 10 });
let seq = storage.durableSeq();

function next(): TwinEvent[] {
  const t = T0 + (seq + 1) * 100;
  const events: TwinEvent[] = [
    readingsEvent(
      seq + 1,
      t,
      Array.from({ length: READINGS_PER_EVENT }, (_, i) => ({
        sensorId: `S-${i}`,
        t,
        value: seq + i / 100,
        quality: 'good' as const,
      })),
    ),
  ];
  if ((seq + 1) % 10 === 0) {
    const id = `cap-${seq + 1}`;
    events.push(raised(seq + 2, capsule(id, { raisedAt: t, updatedAt: t })));
    events.push(acknowledged(seq + 3, t, id));
  }
  return events;
}

process.stdout.write('ready\n');
const timer = setInterval(() => {
  const events = next();
  storage.append(events);
  seq += events.length;
  const reported = seq;
  void storage.whenDurable(reported).then(() => process.stdout.write(`durable ${reported}\n`));
}, 2);
process.on('SIGTERM', () => {
  clearInterval(timer);
  void storage.close();
});
