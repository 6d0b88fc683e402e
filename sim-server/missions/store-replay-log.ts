/** The replay's view of the stored log: snapshots of a mission's span and the events between them. */
import { branchChunkEvents } from '../../digital-twin/index.js';
import type { CompiledPlant, TwinEvent } from '../../digital-twin/index.js';
import type { Storage } from '../storage/index.js';
import type { ReplayLog } from './replay-cursor.js';

/** A ReplayLog over the event store for the span [fromT, toT]. */
export async function storeReplayLog(
  storage: Storage,
  fromT: number,
  toT: number,
): Promise<ReplayLog> {
  const snapshots = await storage.snapshotsForSpan(fromT, toT);
  return {
    snapshots,
    async snapshotBytes(seq) {
      const bytes = await storage.snapshotBytes(seq);
      if (bytes === null) throw new Error(`snapshot at seq ${seq} is gone from the log`);
      return bytes;
    },
    events: (afterSeq, untilT) => storage.readEvents(afterSeq, untilT),
  };
}

/**
 * A ReplayLog over a computed branch: its chunks' snapshots, and each chunk's events computed
 * again from its snapshot and inputs (SPEC B-8; ~50 ms a minute of the demo plant).
 */
export async function branchReplayLog(
  storage: Storage,
  missionId: string,
  plant: CompiledPlant,
): Promise<ReplayLog> {
  const store = storage.branches;
  const snapshots = (await store.chunkRefs(missionId)).map(({ seq, t }) => ({ seq, t }));
  return {
    snapshots,
    async snapshotBytes(seq) {
      const bytes = await store.chunkSnapshot(missionId, seq);
      if (bytes === null) throw new Error(`branch ${missionId} has no snapshot at seq ${seq}`);
      return bytes;
    },
    async events(afterSeq, untilT) {
      const out: TwinEvent[] = [];
      for (const chunk of await store.chunks(missionId, afterSeq, untilT)) {
        for (const event of branchChunkEvents(plant, chunk))
          if (event.seq > afterSeq && event.t <= untilT) out.push(event);
      }
      return out;
    },
  };
}
