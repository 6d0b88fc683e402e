/**
 * What-if branches as rows: the job of each branch mission (definition, status, progress, result)
 * and its events in chunks, each a snapshot of the branch run and what its events are computed
 * again from.
 * Written at once (a branch is a user's request, not the plant's stream).
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import { decodePayload, encodePayload } from '../../digital-twin/index.js';
import type {
  BranchChunkInputs,
  BranchDefinition,
  Predictions,
  TwinEvent,
} from '../../digital-twin/index.js';
import type { BranchesTable, Database } from './database.js';

export const BRANCH_STATUSES = ['queued', 'computing', 'done', 'failed'] as const;
export type BranchStatus = (typeof BRANCH_STATUSES)[number];

/** What a finished branch computed. */
export interface BranchOutcome {
  hash: string;
  events: number;
  endT: number;
  predictions: Predictions;
  /** Wall ms the computation took (queued → done, in the worker and storing its chunks). */
  computeMs: number;
  /** Wall ms reading the recorded log for it, before it was queued. */
  readMs: number;
  /** Recorded events it was given (the snapshot's chunk up to the horizon). */
  recordedEvents: number;
}

export interface BranchJob {
  missionId: string;
  parentMissionId: string;
  definition: BranchDefinition;
  status: BranchStatus;
  /** Percent of the horizon computed, 0…100. */
  progress: number;
  result: BranchOutcome | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface BranchChunk {
  idx: number;
  /** Seq and plant time of the chunk's snapshot. */
  seq: number;
  t: number;
  /** Plant time it runs to (the next chunk's start). */
  toT: number;
  /** Seq of its last event (the snapshot's own when it has none). */
  lastSeq: number;
  snapshot: Uint8Array;
  /** What its events are computed again from (`branchChunkEvents`). */
  inputs: BranchChunkInputs;
  /** Its capsule raises and changes, for the timeline's markers. */
  capsuleEvents: TwinEvent[];
}

export interface BranchStore {
  create(job: BranchJob): Promise<void>;
  save(job: BranchJob): Promise<void>;
  get(missionId: string): Promise<BranchJob | null>;
  /** Branches forked from a mission, oldest first. */
  ofParent(parentMissionId: string): Promise<BranchJob[]>;
  appendChunk(missionId: string, chunk: BranchChunk): Promise<void>;
  /** Snapshots of the chunks (no bytes, no events), in order. */
  chunkRefs(missionId: string): Promise<{ idx: number; seq: number; t: number }[]>;
  chunkSnapshot(missionId: string, seq: number): Promise<Uint8Array | null>;
  /** The chunks holding events after `afterSeq` up to plant time `untilT`, in order. */
  chunks(missionId: string, afterSeq: number, untilT: number): Promise<BranchChunk[]>;
  /** Every capsule raise and change of the branch, in seq order. */
  capsuleEvents(missionId: string): Promise<TwinEvent[]>;
}

type Row = Selectable<BranchesTable>;

function jobOf(row: Row): BranchJob {
  return {
    missionId: row.mission_id,
    parentMissionId: row.parent_mission_id,
    definition: decodePayload<BranchDefinition>(row.definition),
    status: row.status as BranchStatus,
    progress: Number(row.progress),
    result: row.result === null ? null : decodePayload<BranchOutcome>(row.result),
    error: row.error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function rowOf(job: BranchJob): Insertable<BranchesTable> {
  return {
    mission_id: job.missionId,
    parent_mission_id: job.parentMissionId,
    definition: encodePayload(job.definition),
    status: job.status,
    progress: job.progress,
    result: job.result === null ? null : encodePayload(job.result),
    error: job.error,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

export function branchStore(db: Kysely<Database>): BranchStore {
  return {
    async create(job) {
      await db.insertInto('branches').values(rowOf(job)).execute();
    },
    async save(job) {
      const { mission_id: id, ...row } = rowOf(job);
      await db.updateTable('branches').set(row).where('mission_id', '=', id).execute();
    },
    async get(missionId) {
      const row = await db
        .selectFrom('branches')
        .selectAll()
        .where('mission_id', '=', missionId)
        .executeTakeFirst();
      return row === undefined ? null : jobOf(row);
    },
    async ofParent(parentMissionId) {
      const rows = await db
        .selectFrom('branches')
        .selectAll()
        .where('parent_mission_id', '=', parentMissionId)
        .orderBy('created_at')
        .execute();
      return rows.map((row) => jobOf(row));
    },
    async appendChunk(missionId, chunk) {
      await db
        .insertInto('branch_chunks')
        .values({
          mission_id: missionId,
          idx: chunk.idx,
          seq: chunk.seq,
          t: chunk.t,
          last_seq: chunk.lastSeq,
          to_t: chunk.toT,
          snapshot: chunk.snapshot,
          inputs: encodePayload(chunk.inputs),
          capsule_events: encodePayload({ events: chunk.capsuleEvents }),
        })
        .execute();
    },
    async chunkRefs(missionId) {
      const rows = await db
        .selectFrom('branch_chunks')
        .select(['idx', 'seq', 't'])
        .where('mission_id', '=', missionId)
        .orderBy('idx')
        .execute();
      return rows.map((r) => ({ idx: Number(r.idx), seq: Number(r.seq), t: Number(r.t) }));
    },
    async chunkSnapshot(missionId, seq) {
      const row = await db
        .selectFrom('branch_chunks')
        .select('snapshot')
        .where('mission_id', '=', missionId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      return row === undefined ? null : row.snapshot;
    },
    async chunks(missionId, afterSeq, untilT) {
      const rows = await db
        .selectFrom('branch_chunks')
        .selectAll()
        .where('mission_id', '=', missionId)
        .where('last_seq', '>', afterSeq)
        .where('t', '<=', untilT)
        .orderBy('idx')
        .execute();
      return rows.map((row) => ({
        idx: Number(row.idx),
        seq: Number(row.seq),
        t: Number(row.t),
        toT: Number(row.to_t),
        lastSeq: Number(row.last_seq),
        snapshot: row.snapshot,
        inputs: decodePayload<BranchChunkInputs>(row.inputs),
        capsuleEvents: [],
      }));
    },
    async capsuleEvents(missionId) {
      const rows = await db
        .selectFrom('branch_chunks')
        .select('capsule_events')
        .where('mission_id', '=', missionId)
        .orderBy('idx')
        .execute();
      return rows.flatMap(
        (row) => decodePayload<{ events: TwinEvent[] }>(row.capsule_events).events,
      );
    },
  };
}
