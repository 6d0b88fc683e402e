import { join } from 'node:path';
import type { CompiledPlant } from '../../../digital-twin/index.js';
import type { ReadingLimits } from '../payload/index.js';
import type { SourceLog } from '../mqtt/index.js';

export const OPCUA_SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type OpcuaSecurityMode = (typeof OPCUA_SECURITY_MODES)[number];

export const OPCUA_SECURITY_POLICIES = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;
export type OpcuaSecurityPolicy = (typeof OPCUA_SECURITY_POLICIES)[number];

export interface OpcuaSourceOptions {
  plant: CompiledPlant;
  /**
   * The endpoints this server may connect to (`OPCUA_ENDPOINTS`); a binding to any other is
   * reported and skipped. Undefined: every endpoint the plant names.
   */
  endpoints?: readonly string[];
  securityMode?: OpcuaSecurityMode;
  securityPolicy?: OpcuaSecurityPolicy;
  /** Username/password identity; anonymous when absent. */
  user?: { userName: string; password: string };
  /** Our certificate and the trusted/rejected server certificates live here. */
  pkiDir: string;
  /** Trust a server certificate we have never seen (first contact on a lab network). */
  trustUnknownServerCertificates?: boolean;
  limits?: ReadingLimits;
  /** Sampling interval for bindings that name none, ms. */
  defaultSamplingIntervalMs?: number;
  /** How often the server sends us notifications (and keep-alives), ms. */
  publishingIntervalMs?: number;
  /** No keep-alive or data for this long means the session is gone: rebuild it, ms. */
  aliveTimeoutMs?: number;
  /** How long `start` waits for the first connections before returning (they keep trying), ms. */
  startTimeoutMs?: number;
  now?: () => number;
  log?: SourceLog;
}

export const OPCUA_SOURCE_DEFAULTS = Object.freeze({
  defaultSamplingIntervalMs: 500,
  // 100 ms batches notifications without adding visible latency; keep-alive every 10 cycles = 1 s.
  publishingIntervalMs: 100,
  maxKeepAliveCount: 10,
  // Five missed keep-alives: long enough for a loaded 2-core machine, short enough that values
  // flow again "within seconds" after a server restart.
  aliveTimeoutMs: 5_000,
  startTimeoutMs: 15_000,
});

export type OpcuaConnectionOptions = Omit<OpcuaSourceOptions, 'plant'>;

/**
 * Reads `OPCUA_ENDPOINTS` (comma-separated), `OPCUA_SECURITY_MODE`, `OPCUA_SECURITY_POLICY`,
 * `OPCUA_USERNAME`, `OPCUA_PASSWORD`, `OPCUA_TRUST_UNKNOWN=1`; the PKI folder is
 * `<dataDir>/pki/opcua`. Throws an Error naming the variable when one is malformed.
 */
export function opcuaSourceOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): OpcuaConnectionOptions | undefined {
  const list = env.OPCUA_ENDPOINTS?.trim();
  if (!list) return undefined;
  const endpoints = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  for (const endpoint of endpoints) {
    if (!/^opc\.tcp:\/\/\S+$/.test(endpoint)) {
      throw new Error(`OPCUA_ENDPOINTS: expected opc.tcp://host:4840 entries, got "${endpoint}"`);
    }
  }
  const securityMode = oneOf(env, 'OPCUA_SECURITY_MODE', OPCUA_SECURITY_MODES) ?? 'None';
  const securityPolicy =
    oneOf(env, 'OPCUA_SECURITY_POLICY', OPCUA_SECURITY_POLICIES) ??
    (securityMode === 'None' ? 'None' : 'Basic256Sha256');
  if ((securityMode === 'None') !== (securityPolicy === 'None')) {
    throw new Error(
      `OPCUA_SECURITY_MODE: ${securityMode} and OPCUA_SECURITY_POLICY ${securityPolicy} do not go together: use None with None, or Sign/SignAndEncrypt with a real policy`,
    );
  }
  const options: OpcuaConnectionOptions = {
    endpoints,
    securityMode,
    securityPolicy,
    pkiDir: join(dataDir, 'pki', 'opcua'),
    trustUnknownServerCertificates:
      env.OPCUA_TRUST_UNKNOWN === '1' || env.OPCUA_TRUST_UNKNOWN === 'true',
  };
  const userName = env.OPCUA_USERNAME;
  if (userName) {
    if (env.OPCUA_PASSWORD === undefined)
      throw new Error('OPCUA_PASSWORD: required when OPCUA_USERNAME is set');
    options.user = { userName, password: env.OPCUA_PASSWORD };
  }
  return options;
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw new Error(`${name}: expected one of ${values.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}
