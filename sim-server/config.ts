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
    const shown = name === 'DATABASE_URL' && input !== undefined ? redact(input) : input;
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
    `mqtt       ${config.mqtt === null ? '(none: MQTT-bound sensors simulated)' : redact(config.mqtt.url)}`,
    `opcua      ${config.opcua === null ? '(none: OPC-UA-bound sensors simulated)' : (config.opcua.endpoints ?? []).join(', ')}`,
  ];
}
