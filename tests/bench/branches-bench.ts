/**
 * What-if branches: one hour of the demo plant computed as a branch (pure `computeBranch`, in this
 * process) in seconds and as × real time, beside the bare simulator's steps/s in the same run;
 * then a real server (full demo plant, 10× real time, PGlite) with a colyseus.js client measuring
 * live patch latency p50/p99 with no branch and while a one-hour branch computes in the worker
 * thread; and the process's extra memory while that branch runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, getStateCallbacks } from 'colyseus.js';
import {
  advance,
  compilePlant,
  computeBranch,
  createRun,
  createSimulator,
  encodeRun,
  stepSimulator,
  validatePlant,
  validateScenario,
} from '../../digital-twin/index.js';
import type { CompiledPlant, TwinEvent } from '../../digital-twin/index.js';
import { loadConfig } from '../../sim-server/config.js';
import { createServer } from '../../sim-server/server.js';
import {
  httpBase,
  postJson,
  TEST_ADMIN_PASSWORD,
  tokenFor,
} from '../integration/server/helpers.js';
import { percentile } from './percentile.js';
import { readFileSync } from 'node:fs';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const HOUR = 3_600_000;
const STEP = 100;
const SENSOR = 'R-101.TT-01';
const PATCH_RATE_MS = 50;
const MEASURE_MS = 8000;

type Figures = Record<string, number | string>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.timeOrigin + performance.now();

function demoPlant(): CompiledPlant {
  const result = validatePlant(
    JSON.parse(readFileSync(join(ROOT, 'assets/plants/demo-reactor.json'), 'utf8')),
  );
  if (!result.ok) throw new Error('demo plant is invalid');
  return compilePlant(result.plant);
}

/** Pure: a two-minute recording, forked at one minute, computed one hour ahead. */
function benchPure(figures: Figures): void {
  const plant = demoPlant();
  const scenario = validateScenario(
    JSON.parse(readFileSync(join(ROOT, 'assets/scenarios/cooling-pump-trip.json'), 'utf8')),
    plant.plant,
  );
  if (!scenario.ok) throw new Error('scenario is invalid');
  const t0 = Date.UTC(2026, 0, 1);
  const run = createRun({ plant, seed: 1, t0, stepMs: STEP, scenario: scenario.scenario });
  const recorded: TwinEvent[] = [];
  let snapshot = { seq: 0, t: t0, bytes: encodeRun(run) };
  while (run.sim.t < t0 + 120_000) {
    recorded.push(...advance(run));
    if (run.sim.t === t0 + 60_000)
      snapshot = { seq: run.twin.seq, t: run.sim.t, bytes: encodeRun(run) };
  }
  const after = recorded.filter((e) => e.seq > snapshot.seq);

  // The bare simulator, the same number of steps.
  const steps = HOUR / STEP;
  const sim = createSimulator(plant, { seed: 1, t0, stepMs: STEP });
  let started = performance.now();
  for (let i = 0; i < steps; i++) stepSimulator(sim);
  const bareMs = performance.now() - started;

  started = performance.now();
  const gen = computeBranch({
    plant,
    definition: {
      parentMissionId: 'bench',
      forkT: t0 + 60_000,
      horizonMs: HOUR,
      modifications: [
        {
          kind: 'command',
          atMs: 60_000,
          command: { type: 'pump.start', commandId: 'b', actuatorId: 'P-202.RUN' },
        },
      ],
    },
    snapshot,
    recorded: after,
    baselineSource: 'simulated',
  });
  let events = 0;
  for (let next = gen.next(); next.done !== true; next = gen.next()) {
    if (next.value.type === 'chunk') events += next.value.events.length;
  }
  const branchMs = performance.now() - started;
  figures['plant sensors'] = plant.sensors.length;
  figures['bare simulator: steps/s'] = steps / (bareMs / 1000);
  figures['bare simulator: 1 h (s)'] = bareMs / 1000;
  figures['branch, pure: 1 h of plant time (s)'] = branchMs / 1000;
  figures['branch, pure: × real time'] = HOUR / branchMs;
  figures['branch, pure: steps/s'] = steps / (branchMs / 1000);
  figures['branch steps/s vs bare simulator'] = bareMs / branchMs;
  figures['branch events'] = events;
  figures['goal (× real time)'] = 1000;
}

async function benchServer(figures: Figures): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinspace-bench-branches-'));
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TIME_SCALE: '10',
      SCENARIO: 'cooling-pump-trip',
      PATCH_RATE_MS: String(PATCH_RATE_MS),
      SNAPSHOT_EVERY_S: '30',
      LOG_LEVEL: 'silent',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    },
    ROOT,
  );
  const server = await createServer(config);
  const base = server.url;
  const wsUrl = `ws://127.0.0.1:${server.port}`;
  const appliedAt = new Map<number, number>();
  server.engine.subscribe((events) => {
    const at = now();
    for (const event of events) {
      if (event.type === 'readings' && event.readings.some((r) => r.sensorId === SENSOR))
        appliedAt.set(event.t, at);
    }
  });
  const token = await tokenFor(httpBase(wsUrl));
  const room = await new Client(wsUrl).joinOrCreate<{ sensors: Map<string, { t: number }> }>(
    'plant',
    { name: 'bench', token },
  );
  let samples: [number, number][] | null = null;
  const $ = getStateCallbacks(room);
  $(room.state).sensors.onAdd((sensor, id) => {
    if (id !== SENSOR) return;
    $(sensor).listen('t', (t: number) => samples?.push([t, now()]));
  });
  const measure = async (until: () => boolean): Promise<number[]> => {
    appliedAt.clear();
    samples = [];
    const started = Date.now();
    while (Date.now() - started < MEASURE_MS || !until()) await sleep(100);
    const latencies = samples.flatMap(([t, seen]) => {
      const applied = appliedAt.get(t);
      return applied === undefined ? [] : [seen - applied];
    });
    samples = null;
    return latencies.sort((a, b) => a - b);
  };
  try {
    figures['load average at start (1 min)'] = loadavg()[0] ?? NaN;
    // 12 s at 10× is two minutes of plant time to fork from.
    await sleep(12_000);
    const quiet = await measure(() => true);
    const mission = await postJson(base, '/api/v1/missions', { title: 'bench', lastMinutes: 5 });
    const parent = mission.body['mission'] as { id: string; fromT: number };
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);
    const started = performance.now();
    const reply = await postJson(base, `/api/v1/missions/${parent.id}/branches`, {
      forkT: parent.fromT + 60_000,
      horizonMs: HOUR,
      modifications: [],
    });
    if (reply.status !== 202) throw new Error(`branch refused: ${JSON.stringify(reply.body)}`);
    let done = false;
    void server.branches.idle().then(() => {
      done = true;
    });
    const busy = await measure(() => done);
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    const job = await server.branches.get((reply.body['mission'] as { id: string }).id);
    figures['live patch p50, no branch (ms)'] = percentile(quiet, 0.5);
    figures['live patch p99, no branch (ms)'] = percentile(quiet, 0.99);
    figures['live patch p50, branch computing (ms)'] = percentile(busy, 0.5);
    figures['live patch p99, branch computing (ms)'] = percentile(busy, 0.99);
    figures['live patch p99 ratio (computing / none)'] =
      percentile(busy, 0.99) / percentile(quiet, 0.99);
    figures['samples (none / computing)'] = `${quiet.length} / ${busy.length}`;
    figures['branch 1 h via server: reading the recorded log (s)'] =
      (job?.result?.readMs ?? NaN) / 1000;
    figures['recorded events read'] = job?.result?.recordedEvents ?? NaN;
    figures['branch 1 h via server: compute (s)'] = (job?.result?.computeMs ?? NaN) / 1000;
    figures['branch 1 h via server: request → done (s)'] = wallMs / 1000;
    figures['memory while a branch runs: peak RSS growth (MiB)'] = (rssPeak - rssBefore) / 2 ** 20;
  } finally {
    await room.leave(true).catch(() => undefined);
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchBranches(): Promise<Figures> {
  const figures: Figures = {};
  benchPure(figures);
  await benchServer(figures);
  return figures;
}
