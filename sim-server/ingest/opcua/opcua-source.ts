import { mkdirSync } from 'node:fs';
import { OPCUACertificateManager } from 'node-opcua';
import type { DataValue } from 'node-opcua';
import type { Reading, Sensor } from '../../../digital-twin/index.js';
import { checkCandidate, DEFAULT_READING_LIMITS } from '../payload/index.js';
import type { ReadingLimits } from '../payload/index.js';
import type { SourceLog } from '../mqtt/index.js';
import { backoffDelay } from '../mqtt/index.js';
import type { LiveSource, ReadingSink, SourceWriteResult } from '../source.js';
import { dataValueToCandidate } from './data-value-reading.js';
import { EndpointConnection } from './endpoint-connection.js';
import type { MonitoredSensor } from './endpoint-connection.js';
import { OPCUA_SOURCE_DEFAULTS } from './opcua-source-options.js';
import type { OpcuaSourceOptions } from './opcua-source-options.js';

export interface OpcuaSourceStats {
  endpoints: { endpoint: string; connected: boolean; sessions: number }[];
  readings: number;
  rejected: number;
  /** Readings decoded but not yet stored: the ingest queue depth. */
  pending: number;
}

const STORE_RETRY = Object.freeze({ initialMs: 100, maxMs: 5_000 });

/**
 * The plant's OPC-UA sensors and actuators: one connection per endpoint with a subscription
 * whose monitored items follow the bindings (sampling interval, absolute deadband), status codes
 * mapped to quality, source timestamps kept, and actuator writes whose StatusCode is the answer.
 */
export class OpcuaSource implements LiveSource {
  readonly name = 'opcua';
  readonly #options: OpcuaSourceOptions;
  readonly #limits: ReadingLimits;
  readonly #now: () => number;
  readonly #log: SourceLog;
  readonly #connections = new Map<string, EndpointConnection>();
  readonly #actuators = new Map<
    string,
    { endpoint: string; nodeId: string; min: number; max: number }
  >();
  #sink: ReadingSink | undefined;
  #batch: Reading[] = [];
  #flushScheduled = false;
  #pending = 0;
  #running = false;
  #stats = { readings: 0, rejected: 0 };

  constructor(options: OpcuaSourceOptions) {
    this.#options = Object.freeze({ ...options });
    this.#limits = options.limits ?? DEFAULT_READING_LIMITS;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
    const allowed = options.endpoints ? new Set(options.endpoints) : undefined;
    for (const actuator of options.plant.actuators) {
      const b = actuator.binding;
      if (b.source !== 'opcua') continue;
      this.#actuators.set(actuator.id, {
        endpoint: b.endpoint,
        nodeId: b.nodeId,
        ...actuator.range,
      });
    }
    this.#allowed = allowed;
  }

  readonly #allowed: ReadonlySet<string> | undefined;

  get running(): boolean {
    return this.#running;
  }

  get stats(): OpcuaSourceStats {
    return {
      endpoints: [...this.#connections.values()].map((c) => ({
        endpoint: c.endpoint,
        connected: c.connected,
        sessions: c.sessions,
      })),
      ...this.#stats,
      pending: this.#pending + this.#batch.length,
    };
  }

  handles(actuatorId: string): boolean {
    const binding = this.#actuators.get(actuatorId);
    return (
      binding !== undefined && (this.#allowed === undefined || this.#allowed.has(binding.endpoint))
    );
  }

  /** Connects to every endpoint; resolves once all are monitoring, or after `startTimeoutMs`. */
  async start(sink: ReadingSink): Promise<void> {
    if (this.#running) throw new Error('Invariant: OpcuaSource.start called twice');
    this.#sink = sink;
    this.#running = true;
    const o = this.#options;
    mkdirSync(o.pkiDir, { recursive: true });
    const certificates = new OPCUACertificateManager({
      rootFolder: o.pkiDir,
      automaticallyAcceptUnknownCertificate: o.trustUnknownServerCertificates ?? false,
    });
    await certificates.initialize();
    const byEndpoint = new Map<string, MonitoredSensor[]>();
    for (const sensor of o.plant.sensors) {
      const b = sensor.binding;
      if (b.source !== 'opcua') continue;
      if (this.#allowed && !this.#allowed.has(b.endpoint)) {
        this.#log(
          'warn',
          `opcua: ${sensor.id} is bound to ${b.endpoint}, which is not in OPCUA_ENDPOINTS; skipped`,
        );
        continue;
      }
      const list = byEndpoint.get(b.endpoint) ?? [];
      list.push({
        sensor,
        nodeId: b.nodeId,
        samplingIntervalMs:
          b.samplingIntervalMs ??
          o.defaultSamplingIntervalMs ??
          OPCUA_SOURCE_DEFAULTS.defaultSamplingIntervalMs,
        deadband: b.deadband ?? 0,
      });
      byEndpoint.set(b.endpoint, list);
    }
    for (const { endpoint } of this.#actuators.values()) {
      if (!byEndpoint.has(endpoint) && (!this.#allowed || this.#allowed.has(endpoint)))
        byEndpoint.set(endpoint, []);
    }
    for (const [endpoint, items] of byEndpoint) {
      this.#connections.set(
        endpoint,
        new EndpointConnection(endpoint, items, o, certificates, {
          changed: (sensor, dataValue) => this.#changed(endpoint, sensor, dataValue),
          refused: (item, status) => {
            this.#stats.rejected += 1;
            this.#sink?.reject({
              reason: 'unknown_node',
              message: `nodeId: ${endpoint} refused to monitor ${item.nodeId} for ${item.sensor.id} (${status})`,
              origin: `${endpoint} ${item.nodeId}`,
              raw: '',
            });
          },
        }),
      );
    }
    const timeoutMs = o.startTimeoutMs ?? OPCUA_SOURCE_DEFAULTS.startTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.#connections.values()].map((c) => c.start())),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.#log(
            'warn',
            `opcua: not every endpoint answered within ${timeoutMs} ms; still trying`,
          );
          resolve();
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all([...this.#connections.values()].map((c) => c.stop()));
    this.#connections.clear();
    this.#flush();
  }

  /** Writes the actuator's node; the server's StatusCode decides the result. */
  async write(actuatorId: string, value: number): Promise<SourceWriteResult> {
    const binding = this.#actuators.get(actuatorId);
    if (!binding) return { ok: false, reason: `actuator ${actuatorId} is not bound to OPC-UA` };
    if (!Number.isFinite(value) || value < binding.min || value > binding.max) {
      return {
        ok: false,
        reason: `value ${value} is outside ${actuatorId}'s range ${binding.min}…${binding.max}`,
      };
    }
    const connection = this.#connections.get(binding.endpoint);
    if (!connection) return { ok: false, reason: `no connection to ${binding.endpoint}` };
    return connection.write(binding.nodeId, value);
  }

  #changed(endpoint: string, sensor: Sensor, dataValue: DataValue): void {
    const receivedAt = this.#now();
    const decoded = dataValueToCandidate(dataValue, receivedAt);
    const origin = `${endpoint} ${sensor.binding.source === 'opcua' ? sensor.binding.nodeId : sensor.id}`;
    const check = decoded.ok
      ? checkCandidate(sensor, decoded.candidate, receivedAt, this.#limits)
      : ({ ok: false, reason: 'opcua_value', message: decoded.message } as const);
    if (!check.ok) {
      this.#stats.rejected += 1;
      this.#sink?.reject({
        reason: check.reason,
        message: check.message,
        origin,
        raw: String(dataValue.value?.value).slice(0, 200),
      });
      return;
    }
    this.#stats.readings += 1;
    this.#batch.push(check.reading);
    // Notifications of one publish cycle arrive together: store them as one batch.
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#pending += batch.length;
    void this.#store(batch).finally(() => {
      this.#pending -= batch.length;
    });
  }

  /** OPC-UA has no redelivery, so a failed store is retried until it works or the source stops. */
  async #store(readings: Reading[]): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const sink = this.#sink;
      if (!sink) return;
      try {
        await sink.accept(readings, 'opcua');
        return;
      } catch (error) {
        if (!this.#running) return;
        this.#log(
          'warn',
          `opcua: storing ${readings.length} readings failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
        await new Promise((resolve) =>
          setTimeout(resolve, backoffDelay(attempt, STORE_RETRY, Math.random())),
        );
      }
    }
  }
}
