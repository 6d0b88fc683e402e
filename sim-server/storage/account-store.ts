/**
 * Users and the audit trail. Users are written at once (sign-in, admin actions answer a person);
 * audit rows are inserted one by one, in order, and never changed: the table's trigger refuses
 * UPDATE and DELETE, and this module offers neither.
 */
import type { Kysely } from 'kysely';
import type { UserRole } from '../../digital-twin/index.js';
import { decodeSeqCursor, encodeSeqCursor } from './cursor.js';
import type { Database } from './database.js';

export interface UserRecord {
  id: string;
  name: string;
  role: UserRole;
  passwordHash: string;
  disabled: boolean;
  /** Bumped on sign-out, disable and role change: tokens carrying an older version are revoked. */
  tokenVersion: number;
  createdAt: number;
  updatedAt: number;
}

/** A user as the API shows them: never the hash. */
export type PublicUser = Omit<UserRecord, 'passwordHash'>;

export function publicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    tokenVersion: user.tokenVersion,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

export interface AuditEntry {
  at: number;
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  /** What was attempted: a command type, `sign-in`, `user.create`, `user.role`, … */
  action: string;
  target: string | null;
  result: 'accepted' | 'rejected' | 'ok' | 'failed';
  reason: string | null;
  /** The address the request came from. */
  source: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  result?: string;
  from?: number;
  to?: number;
  cursor?: string;
  limit: number;
}

export interface AccountStore {
  countUsers(): Promise<number>;
  insertUser(user: UserRecord): Promise<void>;
  userById(id: string): Promise<UserRecord | null>;
  userByName(name: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(
    id: string,
    patch: Partial<Pick<UserRecord, 'role' | 'disabled' | 'tokenVersion' | 'passwordHash'>>,
    at: number,
  ): Promise<UserRecord | null>;
  appendAudit(entry: AuditEntry): Promise<AuditRecord>;
  /** Newest first. */
  listAudit(query: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }>;
}

type UserRow = Database['users'];

function fromRow(row: {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: boolean;
  token_version: number;
  created_at: number;
  updated_at: number;
}): UserRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as UserRole,
    passwordHash: row.password_hash,
    disabled: row.disabled,
    tokenVersion: Number(row.token_version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function accountStore(db: Kysely<Database>): AccountStore {
  const selectUser = () =>
    db
      .selectFrom('users')
      .select([
        'id',
        'name',
        'role',
        'password_hash',
        'disabled',
        'token_version',
        'created_at',
        'updated_at',
      ]);
  return {
    async countUsers() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async insertUser(user) {
      const row: UserRow = {
        id: user.id,
        name: user.name,
        role: user.role,
        password_hash: user.passwordHash,
        disabled: user.disabled,
        token_version: user.tokenVersion,
        created_at: user.createdAt,
        updated_at: user.updatedAt,
      };
      await db.insertInto('users').values(row).execute();
    },
    async userById(id) {
      const row = await selectUser().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },
    async userByName(name) {
      const row = await selectUser().where('name', '=', name).executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },
    async listUsers() {
      return (await selectUser().orderBy('created_at').orderBy('id').execute()).map(fromRow);
    },
    async updateUser(id, patch, at) {
      const set: Partial<UserRow> = { updated_at: at };
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.disabled !== undefined) set.disabled = patch.disabled;
      if (patch.tokenVersion !== undefined) set.token_version = patch.tokenVersion;
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      await db.updateTable('users').set(set).where('id', '=', id).execute();
      const row = await selectUser().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },
    async appendAudit(entry) {
      const row = await db
        .insertInto('audit')
        .values({
          at: entry.at,
          actor_id: entry.actorId,
          actor_name: entry.actorName,
          role: entry.role,
          action: entry.action,
          target: entry.target,
          result: entry.result,
          reason: entry.reason,
          source: entry.source,
          detail: entry.detail == null ? null : JSON.stringify(entry.detail),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...entry, detail: entry.detail ?? null, id: Number(row.id) };
    },
    async listAudit(query) {
      const before = query.cursor === undefined ? null : decodeSeqCursor(query.cursor, 'audit');
      let select = db
        .selectFrom('audit')
        .select([
          'id',
          'at',
          'actor_id',
          'actor_name',
          'role',
          'action',
          'target',
          'result',
          'reason',
          'source',
          'detail',
        ]);
      if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId);
      if (query.action !== undefined) select = select.where('action', '=', query.action);
      if (query.result !== undefined) select = select.where('result', '=', query.result);
      if (query.from !== undefined) select = select.where('at', '>=', query.from);
      if (query.to !== undefined) select = select.where('at', '<', query.to);
      if (before !== null) select = select.where('id', '<', before);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row): AuditRecord => ({
          id: Number(row.id),
          at: Number(row.at),
          actorId: row.actor_id,
          actorName: row.actor_name,
          role: row.role,
          action: row.action,
          target: row.target,
          result: row.result as AuditRecord['result'],
          reason: row.reason,
          source: row.source,
          detail: row.detail,
        })),
        nextCursor:
          rows.length > query.limit && last !== undefined
            ? encodeSeqCursor('audit', Number(last.id))
            : null,
      };
    },
  };
}
