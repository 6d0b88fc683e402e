/**
 * The one migration set, run on PGlite and on PostgreSQL alike. Migrations are append-only:
 * never edit one that has shipped, add the next instead.
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';

/** One day of plant time per TimescaleDB chunk (ms, because `t` is a bigint of epoch ms). */
const HYPERTABLE_CHUNK_MS = 86_400_000;

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table events (
        seq bigint primary key,
        t bigint not null,
        type text not null,
        payload jsonb not null
      )`.execute(db);
    // The primary key is the (sensor_id, t) btree that range queries use, and it makes a
    // re-delivered sample harmless (ON CONFLICT DO NOTHING).
    await sql`
      create table readings (
        sensor_id text not null,
        t bigint not null,
        value double precision not null,
        quality text not null,
        seq bigint not null,
        idx integer not null,
        primary key (sensor_id, t)
      )`.execute(db);
    // seq grows with insertion order, so a BRIN index finds "readings after the snapshot" for
    // recovery at a tiny fraction of a btree's write cost.
    await sql`create index readings_seq_brin on readings using brin (seq)`.execute(db);
    await sql`
      create table capsules (
        id text primary key,
        zone text,
        state text not null,
        severity text not null,
        priority integer not null,
        title text not null,
        description text not null,
        equipment_id text not null,
        sensor_id text,
        raised_at bigint not null,
        updated_at bigint not null,
        seq bigint not null,
        data jsonb not null
      )`.execute(db);
    await sql`create index capsules_newest on capsules (raised_at desc, id desc)`.execute(db);
    await sql`create index capsules_state on capsules (state, raised_at desc)`.execute(db);
    await sql`create index capsules_zone on capsules (zone, raised_at desc)`.execute(db);
    await sql`
      create table snapshots (
        seq bigint primary key,
        t bigint not null,
        bytes bytea not null
      )`.execute(db);
    await sql`
      create table commands (
        seq bigint primary key,
        command_id text not null,
        t bigint not null,
        actor jsonb not null,
        type text not null,
        capsule_id text,
        payload jsonb not null,
        status text not null,
        code text,
        reason text
      )`.execute(db);
    await sql`create index commands_command_id on commands (command_id)`.execute(db);
    await sql`create index commands_capsule on commands (capsule_id, seq desc)`.execute(db);
    await sql`
      create table rejects (
        id bigint generated always as identity primary key,
        t bigint not null,
        source text not null,
        reason text not null,
        detail text not null,
        raw text not null
      )`.execute(db);
    await sql`create table meta (key text primary key, value text not null)`.execute(db);
    await useHypertableWhenAvailable(db);
  },
};

/**
 * TimescaleDB partitions readings by time when the server has it loaded; without it the btree
 * primary key serves range queries. PGlite never has it. CREATE EXTENSION fails unless the
 * library is preloaded, and a failed statement would abort the migration, so check first.
 */
async function useHypertableWhenAvailable(db: Kysely<unknown>): Promise<void> {
  const available = await sql<{ ok: boolean }>`
    select exists (select 1 from pg_available_extensions where name = 'timescaledb')
       and coalesce(current_setting('shared_preload_libraries', true), '') like '%timescaledb%'
       as ok`.execute(db);
  if (available.rows[0]?.ok !== true) return;
  await sql`create extension if not exists timescaledb`.execute(db);
  const where = await sql<{ schema: string }>`
    select extnamespace::regnamespace::text as schema from pg_extension where extname = 'timescaledb'`.execute(
    db,
  );
  const schema = where.rows[0]?.schema;
  if (schema === undefined) return;
  await sql`select ${sql.id(schema)}.create_hypertable('readings', 't',
      chunk_time_interval => ${sql.lit(HYPERTABLE_CHUNK_MS)}::bigint, migrate_data => true)`.execute(
    db,
  );
}

/**
 * Missions (spans of the log replayed by a team) and the events a mission adds of its own
 * (annotations made during a replay), which never enter the plant's log.
 */
const missions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table missions (
        num integer primary key,
        id text not null unique,
        kind text not null,
        state text not null,
        from_t bigint not null,
        to_t bigint not null,
        created_at bigint not null,
        updated_at bigint not null,
        source_capsule_id text,
        parent_mission_id text,
        data jsonb not null
      )`.execute(db);
    await sql`create index missions_state on missions (state, num)`.execute(db);
    await sql`
      create table mission_events (
        mission_id text not null,
        idx integer not null,
        t bigint not null,
        type text not null,
        payload jsonb not null,
        primary key (mission_id, idx)
      )`.execute(db);
    // Snapshots are found by plant time when a replay seeks.
    await sql`create index snapshots_t on snapshots (t)`.execute(db);
  },
};

/**
 * People who sign in (argon2id hashes only, never a password) and the audit trail of who did
 * what. Audit rows are append-only in the database itself: a trigger refuses UPDATE and DELETE,
 * so no code path (or API) can edit or remove one.
 */
const accounts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table users (
        id text primary key,
        name text not null unique,
        role text not null,
        password_hash text not null,
        disabled boolean not null default false,
        token_version integer not null default 0,
        created_at bigint not null,
        updated_at bigint not null
      )`.execute(db);
    await sql`
      create table audit (
        id bigserial primary key,
        at bigint not null,
        actor_id text,
        actor_name text,
        role text,
        action text not null,
        target text,
        result text not null,
        reason text,
        source text,
        detail jsonb
      )`.execute(db);
    await sql`create index audit_actor on audit (actor_id, id)`.execute(db);
    await sql`create index audit_action on audit (action, id)`.execute(db);
    await sql`
      create function audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit records are append-only';
      end
      $$`.execute(db);
    await sql`
      create trigger audit_no_change before update or delete on audit
      for each row execute function audit_append_only()`.execute(db);
  },
};

/**
 * What-if branches: the job (definition, progress, result) of each branch mission, and its
 * computed events as chunks: a snapshot of the branch run every 60 s of plant time with the
 * interventions that fell inside it (SPEC B-8), from which the chunk's events are computed again
 * exactly, plus its capsule events for the timeline's markers. A minute of the demo plant's
 * readings is ~25 MB of JSON; a chunk is ~60 KB.
 */
const branches: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table branches (
        mission_id text primary key,
        parent_mission_id text not null,
        definition jsonb not null,
        status text not null,
        progress integer not null,
        result jsonb,
        error text,
        created_at bigint not null,
        updated_at bigint not null
      )`.execute(db);
    await sql`create index branches_parent on branches (parent_mission_id)`.execute(db);
    await sql`
      create table branch_chunks (
        mission_id text not null,
        idx integer not null,
        seq bigint not null,
        t bigint not null,
        to_t bigint not null,
        last_seq bigint not null,
        snapshot bytea not null,
        inputs jsonb not null,
        capsule_events jsonb not null,
        primary key (mission_id, idx)
      )`.execute(db);
  },
};

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-missions': missions,
  '0003-accounts': accounts,
  '0004-branches': branches,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};

/** Brings the schema up to date; safe to run on every start. Throws with the failing migration's name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the Migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? '?';
    throw new Error(
      `Storage migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
}
