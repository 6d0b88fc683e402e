/**
 * Shared pieces of the live-server integration tests: an in-process server on a free port with
 * PGlite in a temp folder, the server as a child process, colyseus.js clients that record every
 * message, and polling helpers.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'colyseus.js';
import type { Room } from 'colyseus.js';
import { loadConfig } from '../../../sim-server/config.js';
import { createServer } from '../../../sim-server/server.js';
import type { CreateServerOptions, TwinspaceServer } from '../../../sim-server/server.js';
import type { UserRole } from '../../../digital-twin/index.js';

export const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** What a client sees of the room state (colyseus.js decodes it without our classes). */
export interface SeenCapsule {
  id: string;
  severity: string;
  state: string;
  equipmentId: string;
  sensorId: string;
  acknowledgedBy: string;
  lastActor: string;
  lastAction: string;
  x: number;
  y: number;
  z: number;
}
export interface SeenMap<T> {
  get(key: string): T | undefined;
  forEach(callback: (value: T, key: string) => void): void;
  size: number;
}
export interface SeenState {
  plantId: string;
  t: number;
  seq: number;
  durableSeq: number;
  sourceRunning: boolean;
  sensors: SeenMap<{ value: number; quality: string; t: number }>;
  actuators: SeenMap<{ value: number }>;
  equipment: SeenMap<{ status: string; openCapsules: number }>;
  capsules: SeenMap<SeenCapsule>;
  presence: SeenMap<{
    name: string;
    role: string;
    connected: boolean;
    hasHead: boolean;
    headX: number;
  }>;
  mode: string;
  mission: {
    id: string;
    state: string;
    fromT: number;
    toT: number;
    t: number;
    speed: number;
    playing: boolean;
  };
  annotations: SeenMap<{ text: string; author: string; capsuleId: string; t: number }>;
}

/** The answer to a replay room `control` message. */
export interface ControlAck {
  requestId: string | null;
  ok: boolean;
  state?: string;
  t?: number;
  code?: string;
  field?: string;
  reason?: string;
  allowed?: string[];
}

/** What the plant room answers a plant-writing command with before anything moves. */
export interface ConfirmRequest {
  commandId: string;
  summary: string;
  interlocks: { ok: boolean; checked: string[]; interlockId?: string; reason?: string };
  expiresAt: number;
  timeoutS: number;
}

export interface Ack {
  commandId: string | null;
  status: 'accepted' | 'rejected';
  reason?: string;
  code?: string;
}

export interface TestServer {
  server: TwinspaceServer;
  dataDir: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Equipment whose sensors the test plant keeps: the reactor and its two cooling-water pumps. */
const KEPT_SENSORS_OF = new Set(['R-101', 'P-201', 'P-202']);

/**
 * The demo plant with every sensor removed except those of R-101, P-201 and P-202, written to
 * `dir`. Equipment, actuators and physics are untouched, so cooling-pump-trip runs exactly as on
 * the full plant; with 21 sensors instead of 301 a test stores 14× fewer readings and reaches the
 * critical alarm (about 300 s of plant time) in seconds even with PGlite on a busy machine.
 */
export function writeTestPlant(dir: string): string {
  const plant = JSON.parse(
    readFileSync(join(ROOT, 'assets/plants/demo-reactor.json'), 'utf8'),
  ) as PlantJson;
  keepSensorsOf(plant, KEPT_SENSORS_OF);
  const path = join(dir, 'demo-reactor-trimmed.json');
  writeFileSync(path, JSON.stringify(plant));
  return path;
}

/** The parts of a plant file that trimming touches. */
export interface PlantJson {
  id: string;
  interlocks?: { while: { sensorId?: string } }[];
  equipment: {
    id: string;
    sensors: unknown[];
    actuators?: { binding: { confirmSensor?: string } }[];
  }[];
}

/**
 * Removes every sensor except those of `keep`'s equipment. An actuator whose confirming sensor
 * went with them is then confirmed by its broker taking the command.
 */
export function keepSensorsOf(plant: PlantJson, keep: ReadonlySet<string>): void {
  for (const equipment of plant.equipment) {
    if (keep.has(equipment.id)) continue;
    equipment.sensors = [];
    for (const actuator of equipment.actuators ?? []) delete actuator.binding.confirmSensor;
  }
  // An interlock on a removed sensor cannot be checked; the trimmed plant drops it.
  const kept = new Set(
    plant.equipment.flatMap((e) => e.sensors.map((sensor) => (sensor as { id: string }).id)),
  );
  if (plant.interlocks !== undefined)
    plant.interlocks = plant.interlocks.filter(
      (interlock) => interlock.while.sensorId === undefined || kept.has(interlock.while.sensorId),
    );
}

/** Starts a server in-process: PGlite in a temp DATA_DIR, a free port, plant time sped up. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: CreateServerOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinspace-server-'));
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PLANT: writeTestPlant(dataDir),
      SCENARIO: 'cooling-pump-trip',
      TIME_SCALE: '100',
      PATCH_RATE_MS: '50',
      SNAPSHOT_EVERY_S: '30',
      LOG_LEVEL: 'silent',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
    },
    ROOT,
  );
  const server = await createServer(config, options);
  return {
    server,
    dataDir,
    wsUrl: `ws://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A joined colyseus.js client that keeps every message it received. */
export interface TestClient {
  room: Room<SeenState>;
  acks: Ack[];
  messages: { type: string; body: unknown }[];
  state(): SeenState;
  /**
   * Sends a command and resolves with its ack (the first ack naming its commandId); a
   * plant-writing command's confirmation request is confirmed at once.
   */
  command(body: Record<string, unknown>): Promise<Ack>;
  /** Sends a command and resolves with its first answer: a confirmation request or an ack. */
  request(body: Record<string, unknown>): Promise<{ confirm?: ConfirmRequest; ack?: Ack }>;
  /** Sends `confirm` (or `cancel`) for a pending command and resolves with its ack. */
  confirm(commandId: string, cancel?: boolean): Promise<Ack>;
  /** Resolves with the close code once the server closed the connection. */
  closed(): Promise<number>;
  /** Sends a replay `control` and resolves with its answer (matched by a fresh requestId). */
  control(body: Record<string, unknown>): Promise<ControlAck>;
  leave(): Promise<void>;
}

/**
 * Joins the plant room signed in as `name` (created with `role` through the admin API the first
 * time). Plant-writing commands sent with `command()` are confirmed automatically.
 */
export async function joinPlant(
  wsUrl: string,
  name: string,
  role: UserRole = 'operator',
): Promise<TestClient> {
  const token = await tokenFor(httpBase(wsUrl), name, role);
  return joinRoom(wsUrl, 'plant', { name, token });
}

/** Joins (or opens) the replay room of one mission, signed in as `name`. */
export async function joinReplay(
  wsUrl: string,
  missionId: string,
  name: string,
  role: UserRole = 'operator',
): Promise<TestClient> {
  const token = await tokenFor(httpBase(wsUrl), name, role);
  return joinRoom(wsUrl, 'replay', { missionId, name, token });
}

// ---- sign-in: every test goes through the same API a person does ----

/** The first admin's password on every test server (startTestServer and spawnServer set it). */
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

/** The password the helpers give a test user: their name, padded. */
export function passwordOf(name: string): string {
  return `${name}-password`;
}

/** `http://<host>:<port>` for a ws:// or http:// URL of a test server. */
export function httpBase(url: string): string {
  const parsed = new URL(url);
  return `http://${parsed.hostname}:${parsed.port}`;
}

/** Access tokens per server (by port) and user name. */
const tokens = new Map<string, string>();

/** Signs in through the API; the session body (tokens, user, permissions) or the error reply. */
export async function signIn(base: string, name: string, password: string): Promise<JsonReply> {
  return postJson(base, '/api/v1/auth/sign-in', { name, password }, { token: null });
}

/**
 * An access token for `name` on the server at `base`: admin signs in with TEST_ADMIN_PASSWORD;
 * anyone else is created by admin with `role` the first time, then signs in.
 */
export async function tokenFor(
  base: string,
  name = 'admin',
  role: UserRole = 'operator',
): Promise<string> {
  const key = `${new URL(base).port} ${name}`;
  const held = tokens.get(key);
  if (held !== undefined) return held;
  if (name !== 'admin') {
    const created = await postJson(base, '/api/v1/users', {
      name,
      password: passwordOf(name),
      role,
    });
    if (created.status !== 201 && created.body.error?.code !== 'name_taken')
      throw new Error(
        `creating user ${name} failed: ${created.status} ${JSON.stringify(created.body)}`,
      );
  }
  const reply = await signIn(base, name, name === 'admin' ? TEST_ADMIN_PASSWORD : passwordOf(name));
  const token = reply.body['accessToken'];
  if (reply.status !== 200 || typeof token !== 'string')
    throw new Error(`signing in as ${name} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  tokens.set(key, token);
  return token;
}

/** Forgets the cached tokens of a server (after it restarted with a new signing key). */
export function forgetTokens(base: string): void {
  const port = new URL(base).port;
  for (const key of [...tokens.keys()]) if (key.startsWith(`${port} `)) tokens.delete(key);
}

let requests = 0;

async function joinRoom(
  wsUrl: string,
  roomName: string,
  options: Record<string, unknown>,
): Promise<TestClient> {
  const client = new Client(wsUrl);
  const room = await client.joinOrCreate<SeenState>(roomName, options);
  const acks: Ack[] = [];
  const controls: ControlAck[] = [];
  const confirms: ConfirmRequest[] = [];
  const messages: { type: string; body: unknown }[] = [];
  let closeCode: number | undefined;
  room.onLeave((code) => (closeCode = code));
  room.onMessage('ack', (ack: Ack) => acks.push(ack));
  room.onMessage('confirm.request', (request: ConfirmRequest) => confirms.push(request));
  room.onMessage('control', (ack: ControlAck) => controls.push(ack));
  room.onMessage('*', (type, body) => messages.push({ type: String(type), body }));
  // The first full state arrives right after joining.
  await waitFor(
    () => room.state.sensors !== undefined && room.state.plantId !== '',
    'the first full state',
  );
  return {
    room,
    acks,
    messages,
    state: () => room.state,
    command: async (body) => {
      const before = acks.length;
      const confirmsBefore = confirms.length;
      room.send('command', body);
      const id = typeof body['commandId'] === 'string' ? body['commandId'] : null;
      let confirmed = false;
      return waitFor(
        () => {
          if (!confirmed && confirms.slice(confirmsBefore).some((c) => c.commandId === id)) {
            confirmed = true;
            room.send('confirm', { commandId: id });
          }
          return acks.slice(before).find((ack) => ack.commandId === id);
        },
        `the ack of ${JSON.stringify(body)}`,
      );
    },
    request: async (body) => {
      const before = acks.length;
      const confirmsBefore = confirms.length;
      room.send('command', body);
      const id = typeof body['commandId'] === 'string' ? body['commandId'] : null;
      return waitFor(
        () => {
          const confirm = confirms.slice(confirmsBefore).find((c) => c.commandId === id);
          if (confirm !== undefined) return { confirm };
          const ack = acks.slice(before).find((a) => a.commandId === id);
          return ack === undefined ? undefined : { ack };
        },
        `the answer to ${JSON.stringify(body)}`,
      );
    },
    confirm: async (commandId, cancel = false) => {
      const before = acks.length;
      room.send(cancel ? 'cancel' : 'confirm', { commandId });
      return waitFor(
        () => acks.slice(before).find((ack) => ack.commandId === commandId),
        `the ack after confirming ${commandId}`,
      );
    },
    closed: () => waitFor(() => closeCode, 'the server to close the connection'),
    control: async (body) => {
      requests += 1;
      const requestId = `r${requests}`;
      room.send('control', { ...body, requestId });
      return waitFor(
        () => controls.find((ack) => ack.requestId === requestId),
        `the answer to control ${JSON.stringify(body)}`,
      );
    },
    leave: async () => {
      // leave() never settles on a connection that is already closed; do not wait for ever.
      await Promise.race([room.leave(true), new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}

/** Polls until `probe` returns something other than undefined/false, or fails naming `what`. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The open critical capsule on R-101 a client sees, if any. */
export function criticalOnReactor(state: SeenState): SeenCapsule | undefined {
  let found: SeenCapsule | undefined;
  state.capsules.forEach((capsule) => {
    if (capsule.equipmentId === 'R-101' && capsule.severity === 'critical') found ??= capsule;
  });
  return found;
}

export interface JsonReply {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; message: string; field?: string; allowed?: string[] };
  };
}

/** Who a helper request acts as: a token, a user name (signed in as needed), or null for none. */
export interface AsWho {
  token?: string | null;
  as?: string;
}

async function authHeaders(base: string, who: AsWho): Promise<Record<string, string>> {
  if (who.token === null) return {};
  const token = who.token ?? (await tokenFor(base, who.as ?? 'admin'));
  return { authorization: `Bearer ${token}` };
}

/** GETs `path` (as admin unless told otherwise) and returns the status and parsed answer. */
export async function getJson(base: string, path: string, who: AsWho = {}): Promise<JsonReply> {
  const response = await fetch(new URL(path, base), { headers: await authHeaders(base, who) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** POSTs `body` as JSON (as admin unless told otherwise) and returns the status and answer. */
export async function postJson(
  base: string,
  path: string,
  body: unknown = {},
  who: AsWho = {},
): Promise<JsonReply> {
  return sendJson('POST', base, path, body, who);
}

export async function patchJson(
  base: string,
  path: string,
  body: unknown,
  who: AsWho = {},
): Promise<JsonReply> {
  return sendJson('PATCH', base, path, body, who);
}

async function sendJson(
  method: string,
  base: string,
  path: string,
  body: unknown,
  who: AsWho,
): Promise<JsonReply> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { 'content-type': 'application/json', ...(await authHeaders(base, who)) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A Twinspace server running as `tsx sim-server/main.ts` in a child process. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Starts `tsx sim-server/main.ts` with `env` (PORT 0, HOST 127.0.0.1 unless given) and resolves
 * with its port once it says where to point a browser; fails with its output if it exits first.
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim-server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  try {
    const port = await waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`server exited with ${child.exitCode}:\n${text}`);
        const match = /open http:\/\/localhost:(\d+)\//.exec(text);
        return match === null ? undefined : Number(match[1]);
      },
      'the server to say where it listens',
      90_000,
    );
    return { child, port, output: () => text };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Resolves once the child has exited (after a signal it was sent). */
export async function exited(child: ChildProcess, what: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, what, timeoutMs);
}
