// The event store's public surface; the rest of the server imports only from here.
export { openStorage, StorageQueryError } from './storage.js';
export type {
  CapsuleQuery,
  CommandQuery,
  CommandRecord,
  Page,
  ReadingBucket,
  ReadingsQuery,
  ReadingsResult,
  RecoveryData,
  RejectRecord,
  Storage,
  StorageOptions,
  StorageStats,
  StoredCapsule,
  StoredSnapshot,
} from './storage.js';
export type { MissionEventRecord, MissionQuery, SnapshotRef } from './mission-store.js';
export { BRANCH_STATUSES } from './branch-store.js';
export type {
  BranchChunk,
  BranchJob,
  BranchOutcome,
  BranchStatus,
  BranchStore,
} from './branch-store.js';
