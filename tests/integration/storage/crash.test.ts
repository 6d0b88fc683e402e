/**
 * A store killed with SIGKILL keeps everything it had reported durable: the child appends to
 * PGlite on disk, reports each durable seq, and is killed mid-stream; reopened, the log holds
 * every reported event, reading, capsule and acknowledgement.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { openStorage } from '../../../sim-server/storage/index.js';
import { PLANT_ID } from './helpers/backends.js';

const SCRIPT = fileURLToPath(new URL('./helpers/durable-appender.ts', import.meta.url));
/** Durable reports to wait for before the kill: enough batches that some are in flight. */
const REPORTS_BEFORE_KILL = 30;

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('a PGlite store killed with SIGKILL keeps every event it reported durable', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'twinspace-crash-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? code));
  });

  let reported = 0;
  let reports = 0;
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = /^durable (\d+)$/.exec(line);
    if (match === null) continue;
    reported = Math.max(reported, Number(match[1]));
    reports += 1;
    if (reports === REPORTS_BEFORE_KILL) {
      child.kill('SIGKILL');
      break;
    }
  }
  expect(await exited, `child stderr: ${stderr}`).toBe('SIGKILL');
  expect(reported).toBeGreaterThan(0);

  const storage = await openStorage({ dataDir, plantId: PLANT_ID });
  try {
    expect(storage.durableSeq()).toBeGreaterThanOrEqual(reported);
    const { events } = await storage.loadRecovery();
    // Gap-free from 1: every event up to what was reported, perhaps a few more.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBeGreaterThanOrEqual(reported);
    for (const event of events) {
      if (event.type === 'readings') expect(event.readings).toHaveLength(50);
    }
    // Each capsule's acknowledgement is the event right after its raise; both were reported.
    const raisedIds = events.flatMap((e) =>
      e.type === 'capsule.raised' && e.seq + 1 <= reported ? [e.capsule.id] : [],
    );
    expect(raisedIds.length).toBeGreaterThan(0);
    for (const id of raisedIds) {
      const stored = await storage.getCapsule(id);
      expect(stored?.state, id).toBe('acknowledged');
      expect(stored?.history.map((h) => h.actor.id)).toEqual(['system', 'u-alice']);
    }
  } finally {
    await storage.close();
  }
}, 120_000);
