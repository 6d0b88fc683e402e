/**
 * The tables as kysely sees them. Times are ms since the epoch in `bigint` columns; both drivers
 * are set to return them as JS numbers (safe up to year 287,396).
 */
import type { Generated, JSONColumnType } from 'kysely';

/** One row per event, readings events included (their readings live in `readings`). */
export interface EventsTable {
  seq: number;
  t: number;
  type: string;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
}

export interface ReadingsTable {
  sensor_id: string;
  t: number;
  /** NaN for bad readings: double precision holds it. */
  value: number;
  quality: string;
  /** The readings event this sample arrived in, and its position there. */
  seq: number;
  idx: number;
}

/** The capsules projection: the current capsule as JSON plus the columns the API filters on. */
export interface CapsulesTable {
  id: string;
  zone: string | null;
  state: string;
  severity: string;
  priority: number;
  title: string;
  description: string;
  equipment_id: string;
  sensor_id: string | null;
  raised_at: number;
  updated_at: number;
  /** The last event folded in; replays of older events are skipped, which keeps retries idempotent. */
  seq: number;
  data: JSONColumnType<Record<string, unknown>, string, string>;
}

export interface SnapshotsTable {
  seq: number;
  t: number;
  bytes: Uint8Array;
}

export interface CommandsTable {
  seq: number;
  command_id: string;
  t: number;
  actor: JSONColumnType<Record<string, unknown>, string, string>;
  type: string;
  capsule_id: string | null;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  status: string;
  code: string | null;
  reason: string | null;
}

export interface RejectsTable {
  id: Generated<number>;
  t: number;
  source: string;
  reason: string;
  detail: string;
  raw: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** A mission: the columns the API filters and sorts on, and the whole mission as JSON. */
export interface MissionsTable {
  num: number;
  id: string;
  kind: string;
  state: string;
  from_t: number;
  to_t: number;
  created_at: number;
  updated_at: number;
  source_capsule_id: string | null;
  parent_mission_id: string | null;
  data: JSONColumnType<Record<string, unknown>, string, string>;
}

/** An event a mission adds of its own (an annotation during a replay), in order per mission. */
export interface MissionEventsTable {
  mission_id: string;
  idx: number;
  t: number;
  type: string;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
}

/** A what-if branch's job: its definition, progress and, once computed, its result. */
export interface BranchesTable {
  mission_id: string;
  parent_mission_id: string;
  definition: JSONColumnType<Record<string, unknown>, string, string>;
  status: string;
  progress: number;
  result: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** A branch's events as a chunk: a snapshot of its run and what it computes again from, to to_t. */
export interface BranchChunksTable {
  mission_id: string;
  idx: number;
  seq: number;
  t: number;
  last_seq: number;
  to_t: number;
  snapshot: Uint8Array;
  /** BranchChunkInputs as exact JSON. */
  inputs: JSONColumnType<Record<string, unknown>, string, string>;
  capsule_events: JSONColumnType<{ events: unknown[] }, string, string>;
}

export interface UsersTable {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: boolean;
  token_version: number;
  created_at: number;
  updated_at: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor_id: string | null;
  actor_name: string | null;
  role: string | null;
  action: string;
  target: string | null;
  result: string;
  reason: string | null;
  source: string | null;
  detail: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
}

export interface Database {
  users: UsersTable;
  audit: AuditTable;
  missions: MissionsTable;
  mission_events: MissionEventsTable;
  branches: BranchesTable;
  branch_chunks: BranchChunksTable;
  events: EventsTable;
  readings: ReadingsTable;
  capsules: CapsulesTable;
  snapshots: SnapshotsTable;
  commands: CommandsTable;
  rejects: RejectsTable;
  meta: MetaTable;
}
