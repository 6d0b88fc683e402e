// The OPC-UA source: subscriptions per endpoint, status → quality, session recovery, writes.
export { OpcuaSource } from './opcua-source.js';
export type { OpcuaSourceStats } from './opcua-source.js';
export {
  OPCUA_SECURITY_MODES,
  OPCUA_SECURITY_POLICIES,
  OPCUA_SOURCE_DEFAULTS,
  opcuaSourceOptionsFromEnv,
} from './opcua-source-options.js';
export type {
  OpcuaConnectionOptions,
  OpcuaSecurityMode,
  OpcuaSecurityPolicy,
  OpcuaSourceOptions,
} from './opcua-source-options.js';
export { dataValueToCandidate, qualityOfStatus } from './data-value-reading.js';
export type { DataValueLike, DataValueResult } from './data-value-reading.js';
