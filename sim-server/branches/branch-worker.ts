/**
 * The branch worker: one `computeBranch` per message, off the live server's event loop. It
 * imports only the pure core — no storage, no sockets, no source or writer — so a branch
 * cannot reach the plant (issue: "never touches the plant"; see branch-worker.test.ts).
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { compilePlant, computeBranch } from '../../digital-twin/index.js';
import type {
  BranchChunkInputs,
  BranchDefinition,
  Plant,
  TwinEvent,
} from '../../digital-twin/index.js';

export interface BranchWorkRequest {
  plant: Plant;
  definition: BranchDefinition;
  snapshot: { seq: number; t: number; bytes: Uint8Array };
  recorded: TwinEvent[];
  baselineSource: 'simulated' | 'recorded from live sensors';
}

export type BranchWorkMessage =
  | { type: 'progress'; percent: number; t: number }
  | {
      type: 'chunk';
      idx: number;
      seq: number;
      t: number;
      lastSeq: number;
      snapshot: Uint8Array;
      toT: number;
      /** What the chunk's events are computed again from: a minute of readings never crosses threads. */
      inputs: BranchChunkInputs;
      capsuleEvents: TwinEvent[];
    }
  | {
      type: 'done';
      result: { hash: string; seq: number; events: number; endT: number; predictions: unknown };
    }
  | { type: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('branch-worker.ts runs as a worker thread');
// On Linux the nice value is per thread and 0 names the calling one: at nice 10 this worker gets
// about a tenth of a core the live loop (and PGlite, which runs on it) also wants, so live keeps
// its pace and a branch still finishes on a busy machine (at 19 it all but stops there).
try {
  setPriority(0, 10);
} catch {
  // Not permitted or not supported here: the branch still runs, at normal priority.
}

port.on('message', (request: BranchWorkRequest) => {
  try {
    const plant = compilePlant(request.plant);
    const gen = computeBranch({
      plant,
      definition: request.definition,
      snapshot: request.snapshot,
      recorded: request.recorded,
      baselineSource: request.baselineSource,
    });
    for (;;) {
      const next = gen.next();
      if (next.done === true) {
        port.postMessage({ type: 'done', result: next.value } satisfies BranchWorkMessage);
        return;
      }
      const out = next.value;
      if (out.type === 'progress') port.postMessage(out satisfies BranchWorkMessage);
      else {
        const last = out.events[out.events.length - 1];
        const message: BranchWorkMessage = {
          type: 'chunk',
          idx: out.index,
          seq: out.seq,
          t: out.t,
          lastSeq: last?.seq ?? out.seq,
          toT: out.toT,
          snapshot: out.snapshot,
          inputs: out.inputs,
          capsuleEvents: out.events.filter(
            (e) => e.type === 'capsule.raised' || e.type === 'capsule.changed',
          ),
        };
        port.postMessage(message);
      }
    }
  } catch (error) {
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    } satisfies BranchWorkMessage);
  }
});
