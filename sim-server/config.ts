/**
 * Server configuration from environment variables, validated once at startup with zod. Every
 * error names the variable, the value it got and what a valid value looks like, so a typo fails
 * the start rather than running something nobody chose.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { mqttSourceOptionsFromEnv } from './ingest/mqtt/mqtt-env.js';
import type { MqttConnectionOptions } from './ingest/mqtt/mqtt-env.js';
import { opcuaSourceOptionsFromEnv } from './ingest/opcua/opcua-source-options.js';
import type { OpcuaConnectionOptions } from './ingest/opcua/opcua-source-options.js';

/** Where events and readings are stored. */
export type DatabaseConfig =
  { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  readonly port: number;
  /** Interface to listen on; `0.0.0.0` reaches every interface. */
  readonly host: string;
  readonly database: DatabaseConfig;
  /** Folder for local data (PGlite's files); kept even with PostgreSQL for logs of choices. */
  readonly dataDir: string;
  /** Absolute path of the plant file. */
  readonly plantPath: string;
  /** Absolute path of the scenario file; null runs the plant undisturbed. */
  readonly scenarioPath: string | null;
  /** Simulator PRNG seed. */
  readonly seed: number;
  /** Plant milliseconds per wall-clock millisecond (tests and demos run faster than real time). */
  readonly timeScale: number;
  /** Plant seconds between snapshots. */
  readonly snapshotEveryS: number;
  /** Milliseconds between state patches to clients. */
  readonly patchRateMs: number;
  /** `critical`: a critical capsule opens a draft replay mission around itself (`AUTO_CAPTURE`). */
  readonly autoCapture: 'off' | 'critical';
  readonly logLevel: LogLevel;
  /** Folder of the built browser client. */
  readonly clientDir: string;
  /** Repository root that relative paths and asset ids resolve against. */
  readonly rootDir: string;
  /** The MQTT broker (`MQTT_URL` and friends); null: MQTT-bound sensors are simulated. */
  readonly mqtt: MqttConnectionOptions | null;
  /** The OPC-UA servers (`OPCUA_ENDPOINTS` and friends); null: OPC-UA-bound sensors are simulated. */
  readonly opcua: OpcuaConnectionOptions | null;
  /** Sign-in, tokens, confirmation and rate limits. */
  readonly auth: AuthConfig;
}

export interface AuthConfig {
  /** HMAC key for tokens (`AUTH_SECRET`, ≥ 32 characters); null: a random key per start. */
  readonly secret: string | null;
  /** The first admin's password on a database with no users (`ADMIN_PASSWORD`); null: random. */
  readonly adminPassword: string | null;
  /** Lifetime of an access token, seconds (`ACCESS_TOKEN_TTL_S`). */
  readonly accessTtlS: number;
  /** Lifetime of a refresh token, seconds (`REFRESH_TOKEN_TTL_S`). */
  readonly refreshTtlS: number;
  /** Failed sign-ins per name and address before the lock (`SIGN_IN_FAILURES`). */
  readonly signInFailures: number;
  /** How long a sign-in lock lasts, seconds (`SIGN_IN_LOCK_S`). */
  readonly signInLockS: number;
  /** HTTP requests per minute per user or address (`HTTP_REQUESTS_PER_MIN`). */
  readonly httpRequestsPerMin: number;
  /** Room messages per second per connection before it is closed (`ROOM_MESSAGES_PER_S`). */
  readonly roomMessagesPerS: number;
  /** Seconds a plant-writing command waits for its confirmation (`CONFIRM_TIMEOUT_S`). */
  readonly confirmTimeoutS: number;
}

/** A configuration value that cannot be used; `variable` is the environment variable to fix. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export const DEFAULT_PORT = 2567;
// 10 patches/s: the simulator steps at 10 Hz, so faster patches would mostly carry nothing new.
export const DEFAULT_PATCH_RATE_MS = 100;
export const DEFAULT_SNAPSHOT_EVERY_S = 60;
export const DEFAULT_PLANT = 'assets/plants/demo-reactor.json';

type Env = Readonly<Record<string, string | undefined>>;

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `expected a whole number from ${min} to ${max}`)
        .max(max, `expected a whole number from ${min} to ${max}`),
    );

const positiveNumber = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?([eE][+-]?\d+)?$/, `expected a number > 0 and ≤ ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .gt(0, `expected a number > 0 and ≤ ${max}`)
        .max(max, `expected a number > 0 and ≤ ${max}`),
    );

/** One schema per variable, so an error names exactly one of them. */
const ENV_SCHEMA = {
  PORT: wholeNumber(0, 65_535).default(DEFAULT_PORT),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected postgres://user:password@host:port/database')
    .optional(),
  PLANT: z.string().default(DEFAULT_PLANT),
  SCENARIO: z.string().optional(),
  SEED: wholeNumber(0, 2 ** 32 - 1).default(1),
  // Beyond ~1000× a 100 ms simulator step cannot keep up in one process on two cores.
  TIME_SCALE: positiveNumber(1000).default(1),
  SNAPSHOT_EVERY_S: positiveNumber(86_400).default(DEFAULT_SNAPSHOT_EVERY_S),
  PATCH_RATE_MS: wholeNumber(10, 10_000).default(DEFAULT_PATCH_RATE_MS),
  AUTO_CAPTURE: z.enum(['off', 'critical'], 'expected off or critical').default('off'),
  LOG_LEVEL: z.enum(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(', ')}`).default('info'),
  CLIENT_DIR: z.string().default('dist/client'),
  TWINSPACE_ROOT: z.string().optional(),
  AUTH_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  ADMIN_PASSWORD: z.string().min(8, 'expected at least 8 characters').optional(),
  ACCESS_TOKEN_TTL_S: wholeNumber(5, 86_400).default(900),
  REFRESH_TOKEN_TTL_S: wholeNumber(60, 90 * 86_400).default(7 * 86_400),
  SIGN_IN_FAILURES: wholeNumber(1, 1000).default(5),
  SIGN_IN_LOCK_S: wholeNumber(1, 86_400).default(300),
  HTTP_REQUESTS_PER_MIN: wholeNumber(1, 1_000_000).default(1200),
  ROOM_MESSAGES_PER_S: wholeNumber(1, 10_000).default(60),
  CONFIRM_TIMEOUT_S: wholeNumber(1, 3600).default(30),
} as const;

type EnvKey = keyof typeof ENV_SCHEMA;
type Parsed = { [K in EnvKey]: z.output<(typeof ENV_SCHEMA)[K]> };

function parseVariable<K extends EnvKey>(env: Env, name: K): Parsed[K] {
  const raw = env[name]?.trim();
  const input = raw === '' ? undefined : raw;
  const schema = ENV_SCHEMA[name] as unknown as z.ZodType<Parsed[K]>;
  const result = schema.safeParse(input);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? 'invalid value';
    const secret = name === 'AUTH_SECRET' || name === 'ADMIN_PASSWORD';
    const shown = secret
      ? '***'
      : name === 'DATABASE_URL' && input !== undefined
        ? redact(input)
        : input;
    throw new ConfigError(name, `${message}, got "${shown ?? ''}"`);
  }
  return result.data;
}

/**
 * Resolves a plant or scenario given as a path (has a `/` or ends in `.json`) or as an id under
 * `assets/<folder>/`; throws ConfigError when the file does not exist.
 */
function assetPath(variable: string, value: string, folder: string, rootDir: string): string {
  const isPath = value.includes('/') || value.endsWith('.json');
  const path = isPath
    ? absolute(rootDir, value)
    : resolve(rootDir, 'assets', folder, `${value}.json`);
  if (!existsSync(path)) {
    throw new ConfigError(
      variable,
      `no file at ${path} (give a path to a .json file, or an id from assets/${folder}/)`,
    );
  }
  return path;
}

/** Read and validate the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): ServerConfig {
  const root = parseVariable(env, 'TWINSPACE_ROOT');
  const rootDir = resolve(root ?? cwd);
  const dataDir = absolute(rootDir, parseVariable(env, 'DATA_DIR'));
  const url = parseVariable(env, 'DATABASE_URL');
  const database: DatabaseConfig =
    url === undefined ? { kind: 'pglite', dataDir } : { kind: 'postgres', url };
  const scenario = parseVariable(env, 'SCENARIO');

  return Object.freeze({
    port: parseVariable(env, 'PORT'),
    host: parseVariable(env, 'HOST'),
    database: Object.freeze(database),
    dataDir,
    plantPath: assetPath('PLANT', parseVariable(env, 'PLANT'), 'plants', rootDir),
    scenarioPath:
      scenario === undefined || scenario === 'none'
        ? null
        : assetPath('SCENARIO', scenario, 'scenarios', rootDir),
    seed: parseVariable(env, 'SEED'),
    timeScale: parseVariable(env, 'TIME_SCALE'),
    snapshotEveryS: parseVariable(env, 'SNAPSHOT_EVERY_S'),
    patchRateMs: parseVariable(env, 'PATCH_RATE_MS'),
    autoCapture: parseVariable(env, 'AUTO_CAPTURE'),
    logLevel: parseVariable(env, 'LOG_LEVEL'),
    clientDir: absolute(rootDir, parseVariable(env, 'CLIENT_DIR')),
    rootDir,
    mqtt: fromAdapter(() => mqttSourceOptionsFromEnv(env)) ?? null,
    opcua: fromAdapter(() => opcuaSourceOptionsFromEnv(env, dataDir)) ?? null,
    auth: Object.freeze({
      secret: parseVariable(env, 'AUTH_SECRET') ?? null,
      adminPassword: parseVariable(env, 'ADMIN_PASSWORD') ?? null,
      accessTtlS: parseVariable(env, 'ACCESS_TOKEN_TTL_S'),
      refreshTtlS: parseVariable(env, 'REFRESH_TOKEN_TTL_S'),
      signInFailures: parseVariable(env, 'SIGN_IN_FAILURES'),
      signInLockS: parseVariable(env, 'SIGN_IN_LOCK_S'),
      httpRequestsPerMin: parseVariable(env, 'HTTP_REQUESTS_PER_MIN'),
      roomMessagesPerS: parseVariable(env, 'ROOM_MESSAGES_PER_S'),
      confirmTimeoutS: parseVariable(env, 'CONFIRM_TIMEOUT_S'),
    }),
  });
}

/** Runs an adapter's own env reader, whose errors read "VARIABLE: problem", as ConfigErrors. */
function fromAdapter<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const named = /^([A-Z][A-Z0-9_]*): (.*)$/s.exec(message);
    throw named?.[1] !== undefined && named[2] !== undefined
      ? new ConfigError(named[1], named[2])
      : new ConfigError('environment', message);
  }
}

function absolute(rootDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(rootDir, path);
}

/** The URL with its password replaced, safe for logs and error messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** One line per setting, for the startup log. */
export function describeConfig(config: ServerConfig): string[] {
  return [
    `plant      ${config.plantPath}`,
    `scenario   ${config.scenarioPath ?? '(none)'}`,
    `seed       ${config.seed}`,
    `time scale ${config.timeScale}×`,
    `database   ${
      config.database.kind === 'pglite'
        ? `PGlite in ${config.database.dataDir}`
        : `PostgreSQL at ${redact(config.database.url)}`
    }`,
    `snapshots  every ${config.snapshotEveryS} s of plant time`,
    `patches    every ${config.patchRateMs} ms`,
    `missions   auto-capture ${config.autoCapture}`,
    `sign-in    tokens ${config.auth.accessTtlS} s, lock after ${config.auth.signInFailures} failures for ${config.auth.signInLockS} s, confirm within ${config.auth.confirmTimeoutS} s`,
    `mqtt       ${config.mqtt === null ? '(none: MQTT-bound sensors simulated)' : redact(config.mqtt.url)}`,
    `opcua      ${config.opcua === null ? '(none: OPC-UA-bound sensors simulated)' : (config.opcua.endpoints ?? []).join(', ')}`,
  ];
}
