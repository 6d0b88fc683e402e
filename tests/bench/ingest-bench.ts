/**
 * Ingest figures through the real server path: a Twinspace server (in this process, storage on
 * PostgreSQL in a fresh database when TEST_DATABASE_URL or 127.0.0.1:5432 answers, else PGlite)
 * subscribed to a private Mosquitto, fed by a publisher in its own process. The headline is
 * readings/s from the first publish to the moment the last reading is durable in the database
 * (the moment its PUBACK may go out), against a raw mqtt.js QoS 1 subscriber receiving the same
 * messages from the same broker in the same run. Two shapes: one-reading JSON messages, and
 * Sparkplug B DDATA carrying many metrics per message (as real edge nodes send them). Then
 * latency at a steady 10,000 readings/s: publish → twin applied, → durable, → a colyseus.js
 * client (in its own process) sees the value. At the end, the rows in the database are counted
 * against what was published.
 *
 * Other work shares this machine's two cores, so wall-clock rates swing from run to run: the raw
 * subscriber runs before and after the server (the faster one is the baseline), the load average
 * is printed beside the figures, and so is the CPU this process spent per message, which load
 * does not change much (it leaves out Mosquitto and PostgreSQL, which run in their own processes).
 * Sparkplug B data messages are QoS 0 in the specification; here they go QoS 1 so the broker's
 * flow control and the ack-after-durable path apply and nothing may be lost.
 */
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import type { TwinEvent } from '../../digital-twin/index.js';
import { loadConfig } from '../../sim-server/config.js';
import { createServer } from '../../sim-server/server.js';
import { TEST_ADMIN_PASSWORD, tokenFor } from '../integration/server/helpers.js';
import type { TwinspaceServer } from '../../sim-server/server.js';
import { portOpen, startBroker } from '../integration/ingest/helpers/broker.js';
import { percentile } from './percentile.js';
import type { TestBroker } from '../integration/ingest/helpers/broker.js';
import type { FromProbe, ToProbe } from './ingest-bench-client.js';
import { jsonSensorId, sparkplugSensorId, writeBenchPlant } from './ingest-bench-plant.js';
import type { PublishJob } from './ingest-bench-publisher.js';

type Figures = Record<string, number | string>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PUBLISHER = fileURLToPath(new URL('./ingest-bench-publisher.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./ingest-bench-client.ts', import.meta.url));

const JSON_SENSORS = 1_000;
const JSON_MESSAGES = 60_000;
const DEVICES = 10;
const METRICS_PER_DEVICE = 100;
const SPARKPLUG_MESSAGES = 2_000; // × 100 metrics = 200,000 readings
const LATENCY_RATE = 10_000; // readings/s
const LATENCY_SECONDS = 6; // the first second is warm-up and not counted
const PATCH_RATE_MS = 50;
const PUBLISH_WINDOW = 2_000;
const PHASE_TIMEOUT_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where the server stores: a fresh PostgreSQL database (dropped afterwards), or PGlite. */
interface BenchDatabase {
  label: string;
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** `INGEST_BENCH_PGLITE=1` measures the embedded default even where PostgreSQL answers. */
async function benchDatabase(): Promise<BenchDatabase> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  const url =
    process.env.INGEST_BENCH_PGLITE === '1'
      ? null
      : fromEnv !== undefined && fromEnv !== ''
        ? fromEnv
        : (await portOpen(5432))
          ? 'postgres://postgres@127.0.0.1:5432/test'
          : null;
  if (url === null)
    return {
      label:
        'PGlite (INGEST_BENCH_PGLITE=1, or no TEST_DATABASE_URL and nothing on 127.0.0.1:5432)',
      env: {},
      drop: () => Promise.resolve(),
    };
  const name = `twinspace_ingest_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    label: `PostgreSQL (fresh database ${name} on ${target.host})`,
    env: { DATABASE_URL: target.toString() },
    drop: async () => {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * Runs the publisher process; `onStart` is told its first publish time as soon as it prints it.
 * Resolves with when it started and when the broker had every message.
 */
function publish(
  job: PublishJob,
  onStart: (t: number) => void = () => undefined,
): Promise<{ start: number; end: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PUBLISHER], {
      cwd: ROOT,
      env: { ...process.env, BENCH_PUBLISH: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let start = Number.NaN;
    let end = Number.NaN;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (;;) {
        const newline = out.indexOf('\n');
        if (newline < 0) break;
        const line = JSON.parse(out.slice(0, newline)) as { start?: number; end?: number };
        out = out.slice(newline + 1);
        if (line.start !== undefined) {
          start = line.start;
          onStart(start);
        }
        if (line.end !== undefined) end = line.end;
      }
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve({ start, end })
        : reject(new Error(`publisher exited with ${String(code)}`)),
    );
  });
}

interface Throughput {
  /** Readings per second from the first publish to the last reading received / durable. */
  readingsPerS: number;
  messagesPerS: number;
  readings: number;
  /** CPU time this process spent per message over the run (user + system), µs. */
  cpuUsPerMessage: number;
}

/** CPU µs this process used since `since` (a `process.cpuUsage()` reading). */
const cpuSince = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** Raw mqtt.js QoS 1 subscriber: messages from the first publish to the last received. */
async function rawSubscribe(
  broker: TestBroker,
  job: Omit<PublishJob, 'url' | 'version'>,
  filter: string,
  readingsPerMessage: number,
): Promise<Throughput> {
  const client = await mqtt.connectAsync(broker.url, {
    protocolVersion: broker.protocolVersion,
    clean: true,
  });
  await client.subscribeAsync(filter, { qos: 1 });
  let received = 0;
  let last = 0;
  const expected = job.kind === 'sparkplug' ? job.count + job.sensors + 1 : job.count;
  const all = new Promise<void>((resolve) => {
    client.on('message', () => {
      received += 1;
      last = Date.now();
      if (received === expected) resolve();
    });
  });
  const cpu = process.cpuUsage();
  const { start } = await publish({ ...job, url: broker.url, version: broker.protocolVersion });
  await Promise.race([all, sleep(PHASE_TIMEOUT_MS)]);
  const cpuUs = cpuSince(cpu);
  await client.endAsync();
  const messages = Math.min(received, job.count);
  const seconds = (last - start) / 1000;
  return {
    readingsPerS: (messages * readingsPerMessage) / seconds,
    messagesPerS: messages / seconds,
    readings: messages * readingsPerMessage,
    cpuUsPerMessage: cpuUs / messages,
  };
}

const faster = (a: Throughput, b: Throughput): Throughput =>
  a.readingsPerS >= b.readingsPerS ? a : b;

/** Watches the server's engine: when readings were applied, and when they became durable. */
class IngestTracker {
  applied = 0;
  durable = 0;
  lastDurableAt = 0;
  recordLatency = false;
  readonly appliedLatency: number[] = [];
  readonly durableLatency: number[] = [];
  readonly #unsubscribe: () => void;

  constructor(server: TwinspaceServer) {
    const { engine, storage } = server;
    this.#unsubscribe = engine.subscribe((events: readonly TwinEvent[]) => {
      const now = Date.now();
      for (const event of events) {
        if (event.type !== 'readings' || event.readings.length === 0) continue;
        const n = event.readings.length;
        this.applied += n;
        let stamps: number[] | undefined;
        if (this.recordLatency) {
          stamps = event.readings.map((r) => r.t);
          for (const t of stamps) this.appliedLatency.push(now - t);
        }
        void storage.whenDurable(event.seq).then(() => {
          const at = Date.now();
          this.durable += n;
          this.lastDurableAt = at;
          if (stamps) for (const t of stamps) this.durableLatency.push(at - t);
        });
      }
    });
  }

  reset(): void {
    this.applied = 0;
    this.durable = 0;
    this.lastDurableAt = 0;
    this.appliedLatency.length = 0;
    this.durableLatency.length = 0;
  }

  stop(): void {
    this.#unsubscribe();
  }
}

/** Publishes `job` to the server's topics and waits until every reading is durable. */
async function serverIngest(
  broker: TestBroker,
  tracker: IngestTracker,
  job: Omit<PublishJob, 'url' | 'version'>,
  readingsPerMessage: number,
  birthReadings = 0,
): Promise<Throughput & { stalled: boolean }> {
  tracker.reset();
  const expected = job.count * readingsPerMessage + birthReadings;
  const cpu = process.cpuUsage();
  const { start } = await publish({ ...job, url: broker.url, version: broker.protocolVersion });
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  while (tracker.durable < expected && Date.now() < deadline) await sleep(5);
  const cpuUs = cpuSince(cpu);
  await sleep(200);
  const seconds = (tracker.lastDurableAt - start) / 1000;
  // Sparkplug births carry readings too; only the data messages' readings count.
  const readings = Math.min(tracker.durable, expected) - birthReadings;
  return {
    readingsPerS: readings / seconds,
    messagesPerS: readings / readingsPerMessage / seconds,
    readings: tracker.durable,
    cpuUsPerMessage: cpuUs / job.count,
    stalled: tracker.durable < expected,
  };
}

function startProbe(wsUrl: string): Promise<ChildProcess> {
  const child = fork(PROBE, [wsUrl], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m: FromProbe) => (m.type === 'joined' ? resolve(child) : undefined));
    child.once('exit', (code) => reject(new Error(`bench client exited with ${String(code)}`)));
  });
}

function probeLatencies(child: ChildProcess): Promise<number[]> {
  return new Promise((resolve) => {
    const onMessage = (m: FromProbe): void => {
      if (m.type !== 'latencies') return;
      child.off('message', onMessage);
      resolve(m.latencies);
    };
    child.on('message', onMessage);
    child.send({ type: 'stop' } satisfies ToProbe);
  });
}

interface Latency {
  applied: number[];
  durable: number[];
  client: number[];
}

/** A steady LATENCY_RATE readings/s for LATENCY_SECONDS; latencies after the first second. */
async function latencyAt(
  broker: TestBroker,
  tracker: IngestTracker,
  probe: ChildProcess,
  job: Omit<PublishJob, 'url' | 'version'>,
): Promise<Latency> {
  tracker.reset();
  let onStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  const done = publish({ ...job, url: broker.url, version: broker.protocolVersion }, onStart);
  await Promise.race([started, done]);
  await sleep(1_000);
  tracker.recordLatency = true;
  probe.send({ type: 'measure' } satisfies ToProbe);
  await done;
  await sleep(500);
  tracker.recordLatency = false;
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  while (tracker.durable < tracker.applied && Date.now() < deadline) await sleep(10);
  const client = await probeLatencies(probe);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  return {
    applied: sorted(tracker.appliedLatency),
    durable: sorted(tracker.durableLatency),
    client: sorted(client),
  };
}

function latencyFigures(figures: Figures, label: string, latency: Latency): void {
  for (const [what, values] of [
    ['twin applied', latency.applied],
    ['durable', latency.durable],
    ['colyseus.js client', latency.client],
  ] as const) {
    figures[`${label}: publish → ${what} p50 / p99 / max (ms)`] =
      `${percentile(values, 0.5)} / ${percentile(values, 0.99)} / ${values.at(-1) ?? Number.NaN}  (${values.length} samples)`;
  }
}

/** Rows in the readings table for the given sensors (bucketed counts over all time). */
async function storedReadings(
  server: TwinspaceServer,
  sensorIds: readonly string[],
): Promise<number> {
  let total = 0;
  const to = Date.now() + 3_600_000;
  for (const sensorId of sensorIds) {
    const result = await server.storage.readings({ sensorId, from: 0, to, bucketMs: to });
    if (result.kind === 'buckets') for (const b of result.buckets) total += b.count;
  }
  return total;
}

const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(0)} %`;
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** The `ingest` section of `npm run bench`. */
export async function benchIngest(): Promise<Figures> {
  const figures: Figures = { 'load average 1/5/15 min at start (2 cores, shared)': load() };
  const tag = randomUUID().slice(0, 8);
  const prefix = `ib${tag}`;
  const group = `g${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'twinspace-ingest-bench-'));
  const broker = await startBroker();
  const database = await benchDatabase();
  let server: TwinspaceServer | undefined;
  let probe: ChildProcess | undefined;
  let tracker: IngestTracker | undefined;
  try {
    const plantPath = writeBenchPlant(dir, {
      prefix,
      group,
      jsonSensors: JSON_SENSORS,
      devices: DEVICES,
      metricsPerDevice: METRICS_PER_DEVICE,
    });
    const config = loadConfig(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: join(dir, 'data'),
        PLANT: plantPath,
        TIME_SCALE: '1',
        PATCH_RATE_MS: String(PATCH_RATE_MS),
        LOG_LEVEL: 'silent',
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        MQTT_URL: broker.url,
        MQTT_CLIENT_ID: `twinspace-bench-${tag}`,
        MQTT_PROTOCOL_VERSION: String(broker.protocolVersion),
        ...database.env,
      },
      ROOT,
    );
    server = await createServer(config);
    // The client process (forked, so it inherits the environment) joins with this token.
    process.env['TWINSPACE_BENCH_TOKEN'] = await tokenFor(`http://127.0.0.1:${server.port}`);
    tracker = new IngestTracker(server);
    figures.broker = `${broker.kind} (private, MQTT ${broker.protocolVersion === 5 ? '5' : '3.1.1'})`;
    figures.storage = database.label;
    figures['server'] = `in this process; publisher, broker and client in their own`;

    const jsonJob = {
      kind: 'json' as const,
      count: JSON_MESSAGES,
      rate: 0,
      sensors: JSON_SENSORS,
      metrics: 1,
      stamp: 'unique' as const,
      window: PUBLISH_WINDOW,
    };
    const sparkplugJob = {
      kind: 'sparkplug' as const,
      count: SPARKPLUG_MESSAGES,
      rate: 0,
      sensors: DEVICES,
      metrics: METRICS_PER_DEVICE,
      stamp: 'unique' as const,
      window: PUBLISH_WINDOW,
    };

    // Each shape: raw, server, raw again. Other work on this machine comes and goes, so the
    // baseline is the faster of the two raw runs around the server's (the ratio errs low).
    const rawJsonJob = { ...jsonJob, prefix: `raw${tag}` };
    const rawJson1 = await rawSubscribe(broker, rawJsonJob, `raw${tag}/#`, 1);
    const json = await serverIngest(broker, tracker, { ...jsonJob, prefix }, 1);
    const rawJson2 = await rawSubscribe(broker, rawJsonJob, `raw${tag}/#`, 1);
    const rawJson = faster(rawJson1, rawJson2);
    figures['JSON: messages (1 reading each)'] = JSON_MESSAGES;
    figures['JSON: raw mqtt.js QoS 1 subscribe, before / after (msg/s = readings/s)'] =
      `${Math.round(rawJson1.messagesPerS)} / ${Math.round(rawJson2.messagesPerS)}`;
    figures['JSON: server broker → durable (readings/s)'] = json.readingsPerS;
    figures['JSON: server / faster raw'] = pct(json.readingsPerS, rawJson.readingsPerS);
    figures['JSON: CPU µs per message in this process, raw / server'] =
      `${rawJson.cpuUsPerMessage.toFixed(1)} / ${json.cpuUsPerMessage.toFixed(1)}`;
    if (json.stalled) figures['JSON: durable before timeout'] = json.readings;

    const rawSpJob = { ...sparkplugJob, prefix: `raw${tag}` };
    const rawSp1 = await rawSubscribe(broker, rawSpJob, `spBv1.0/raw${tag}/#`, METRICS_PER_DEVICE);
    const sp = await serverIngest(
      broker,
      tracker,
      { ...sparkplugJob, prefix: group },
      METRICS_PER_DEVICE,
      DEVICES * METRICS_PER_DEVICE,
    );
    const rawSp2 = await rawSubscribe(broker, rawSpJob, `spBv1.0/raw${tag}/#`, METRICS_PER_DEVICE);
    const rawSp = faster(rawSp1, rawSp2);
    figures[`Sparkplug: DDATA messages (${METRICS_PER_DEVICE} metrics each)`] = SPARKPLUG_MESSAGES;
    figures['Sparkplug: raw mqtt.js QoS 1 subscribe, before / after (msg/s)'] =
      `${Math.round(rawSp1.messagesPerS)} / ${Math.round(rawSp2.messagesPerS)}`;
    figures['Sparkplug: faster raw (readings/s)'] = rawSp.readingsPerS;
    figures['Sparkplug: server broker → durable (msg/s)'] = sp.messagesPerS;
    figures['Sparkplug: server broker → durable (readings/s)'] = sp.readingsPerS;
    figures['Sparkplug: server / faster raw'] = pct(sp.readingsPerS, rawSp.readingsPerS);
    figures['Sparkplug: CPU µs per message in this process, raw / server'] =
      `${rawSp.cpuUsPerMessage.toFixed(1)} / ${sp.cpuUsPerMessage.toFixed(1)}`;
    if (sp.stalled) figures['Sparkplug: durable before timeout'] = sp.readings;

    // Latency at a steady LATENCY_RATE readings/s.
    probe = await startProbe(`ws://127.0.0.1:${server.port}`);
    figures['latency'] =
      `steady ${LATENCY_RATE} readings/s for ${LATENCY_SECONDS - 1} s after 1 s warm-up; client patches every ${PATCH_RATE_MS} ms`;
    const jsonLatency = await latencyAt(broker, tracker, probe, {
      ...jsonJob,
      prefix,
      count: LATENCY_RATE * LATENCY_SECONDS,
      rate: LATENCY_RATE,
      stamp: 'now',
    });
    latencyFigures(figures, 'JSON', jsonLatency);
    const rate = LATENCY_RATE / METRICS_PER_DEVICE;
    const spLatency = await latencyAt(broker, tracker, probe, {
      ...sparkplugJob,
      prefix: group,
      count: rate * LATENCY_SECONDS,
      rate,
      stamp: 'now',
    });
    latencyFigures(figures, 'Sparkplug', spLatency);

    // Every reading published to the server is in the database, once.
    await server.storage.flush();
    const ids: string[] = [];
    for (let n = 0; n < JSON_SENSORS; n += 1) ids.push(jsonSensorId(n));
    for (let d = 0; d < DEVICES; d += 1)
      for (let i = 0; i < METRICS_PER_DEVICE; i += 1) ids.push(sparkplugSensorId(d, i));
    const published =
      JSON_MESSAGES +
      LATENCY_RATE * LATENCY_SECONDS +
      // Each DBIRTH carries one reading per metric; sent twice (throughput and latency runs).
      2 * DEVICES * METRICS_PER_DEVICE +
      (SPARKPLUG_MESSAGES + rate * LATENCY_SECONDS) * METRICS_PER_DEVICE;
    const stored = await storedReadings(server, ids);
    figures['readings published to the server / stored rows'] = `${published} / ${stored}`;
    figures['load average 1/5/15 min at end'] = load();
    return figures;
  } finally {
    tracker?.stop();
    probe?.disconnect();
    await server?.close();
    await broker.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
