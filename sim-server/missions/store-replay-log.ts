/** The replay's view of the stored log: snapshots of a mission's span and the events between them. */
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
