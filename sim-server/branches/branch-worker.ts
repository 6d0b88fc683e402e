/**
 * The branch worker: one `computeBranch` (or a command's dry run) per message, off the live
 * server's event loop. It
 * imports only the pure core — no storage, no sockets, no source or writer — so a branch
 * cannot reach the plant (issue: "never touches the plant"; see branch-worker.test.ts).
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { compilePlant, computeBranch, dryRun } from '../../digital-twin/index.js';
import type {
  Actor,
  BaselineSource,
  BranchChunkInputs,
  BranchDefinition,
  Command,
  CompiledPlant,
  Plant,
  Scenario,
  TwinEvent,
} from '../../digital-twin/index.js';

export interface BranchWorkRequest {
  type: 'branch';
  plant: Plant;
  definition: BranchDefinition;
  snapshot: { seq: number; t: number; bytes: Uint8Array };
  recorded: TwinEvent[];
  baselineSource: BaselineSource;
}

/** A dry run of one command (SPEC D-11), answered with `dryRun.done` or `error` of its id. */
export interface DryRunRequest {
  type: 'dryRun';
  id: number;
  plant: Plant;
  run: { bytes: Uint8Array; t0: number; scenario: Scenario | null };
  command: Command;
  actor: Actor;
  horizonMs: number;
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
  | { type: 'dryRun.done'; id: number; result: ReturnType<typeof dryRun> }
  | { type: 'error'; message: string; id?: number };

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

/** Plants compiled once per worker (the server sends the same plant every time). */
let compiled: { plant: Plant; compiled: CompiledPlant } | null = null;
function compile(plant: Plant): CompiledPlant {
  if (compiled?.plant.id !== plant.id) compiled = { plant, compiled: compilePlant(plant) };
  return compiled.compiled;
}

port.on('message', (request: BranchWorkRequest | DryRunRequest) => {
  if (request.type === 'dryRun') {
    try {
      const result = dryRun({ ...request, plant: compile(request.plant) });
      port.postMessage({ type: 'dryRun.done', id: request.id, result } satisfies BranchWorkMessage);
    } catch (error) {
      port.postMessage({
        type: 'error',
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      } satisfies BranchWorkMessage);
    }
    return;
  }
  try {
    const plant = compile(request.plant);
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
