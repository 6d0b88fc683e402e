import {
  AttributeIds,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
} from 'node-opcua';
import type {
  ClientSession,
  ClientSubscription,
  DataValue,
  OPCUACertificateManager,
  UserIdentityInfo,
} from 'node-opcua';
import type { Sensor } from '../../../digital-twin/index.js';
import type { SourceLog } from '../mqtt/index.js';
import { backoffDelay } from '../mqtt/index.js';
import type { OpcuaSourceOptions } from './opcua-source-options.js';
import { OPCUA_SOURCE_DEFAULTS } from './opcua-source-options.js';

/** One OPC-UA-bound sensor as the connection monitors it. */
export interface MonitoredSensor {
  sensor: Sensor;
  nodeId: string;
  samplingIntervalMs: number;
  deadband: number;
}

export interface EndpointEvents {
  /** A data change (or a status change) of one monitored sensor. */
  changed(sensor: Sensor, dataValue: DataValue): void;
  /** A node the server refused to monitor. */
  refused(item: MonitoredSensor, status: string): void;
}

const RECONNECT_BACKOFF = Object.freeze({ initialMs: 250, maxMs: 10_000 });

/**
 * One endpoint: client, session, subscription and its monitored items. node-opcua's own
 * reconnection restores sessions after a network blip but not reliably after a server restart
 * (the session and subscriptions are gone there), so this connection owns recovery: a watchdog
 * notices missing keep-alives (or a lost connection) and rebuilds everything from scratch, with
 * backoff, restoring every monitored item without operator action.
 */
export class EndpointConnection {
  readonly endpoint: string;
  readonly #items: readonly MonitoredSensor[];
  readonly #options: OpcuaSourceOptions;
  readonly #certificates: OPCUACertificateManager;
  readonly #events: EndpointEvents;
  readonly #log: SourceLog;
  readonly #now: () => number;
  #client: OPCUAClient | undefined;
  #session: ClientSession | undefined;
  #subscription: ClientSubscription | undefined;
  #generation = 0;
  #lastAlive = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #stopped = false;
  #rebuilding: Promise<void> | undefined;
  /** How many times the session was built (1 after the first connect). */
  sessions = 0;

  constructor(
    endpoint: string,
    items: readonly MonitoredSensor[],
    options: OpcuaSourceOptions,
    certificates: OPCUACertificateManager,
    events: EndpointEvents,
  ) {
    this.endpoint = endpoint;
    this.#items = items;
    this.#options = options;
    this.#certificates = certificates;
    this.#events = events;
    this.#log = options.log ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  get connected(): boolean {
    return this.#session !== undefined;
  }

  /** Connects (retrying with backoff in the background); resolves once the first session is up. */
  start(): Promise<void> {
    this.#stopped = false;
    const aliveTimeout = this.#options.aliveTimeoutMs ?? OPCUA_SOURCE_DEFAULTS.aliveTimeoutMs;
    this.#watchdog = setInterval(
      () => {
        if (this.#session && this.#now() - this.#lastAlive > aliveTimeout) {
          this.#log(
            'warn',
            `opcua: no keep-alive from ${this.endpoint} for ${aliveTimeout} ms; rebuilding the session`,
          );
          this.#rebuild();
        }
      },
      Math.max(250, aliveTimeout / 5),
    );
    this.#rebuild();
    return this.#rebuilding ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    await this.#teardown();
  }

  /** Writes a number to a node, in the node's own data type; resolves with the server's StatusCode. */
  async write(
    nodeId: string,
    value: number,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const session = this.#session;
    if (!session) return { ok: false, reason: `not connected to ${this.endpoint}` };
    try {
      const current = await session.read({ nodeId, attributeId: AttributeIds.Value });
      if (current.statusCode.isNotGood()) {
        return {
          ok: false,
          reason: `reading ${nodeId} before writing returned ${current.statusCode.name}`,
        };
      }
      const dataType = current.value.dataType;
      const status = await session.write({
        nodeId,
        attributeId: AttributeIds.Value,
        value: { value: { dataType, value: coerceFor(dataType, value) } },
      });
      return status.isGood()
        ? { ok: true }
        : { ok: false, reason: `OPC-UA write to ${nodeId} returned ${status.name}` };
    } catch (error) {
      return {
        ok: false,
        reason: `OPC-UA write to ${nodeId} failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /** Starts one rebuild unless one is already running. */
  #rebuild(): void {
    if (this.#rebuilding || this.#stopped) return;
    this.#rebuilding = this.#rebuildLoop().finally(() => {
      this.#rebuilding = undefined;
    });
  }

  async #rebuildLoop(): Promise<void> {
    for (let attempt = 0; !this.#stopped; attempt += 1) {
      await this.#teardown();
      try {
        await this.#build();
        return;
      } catch (error) {
        const delay = backoffDelay(attempt, RECONNECT_BACKOFF, Math.random());
        this.#log(
          'warn',
          `opcua: ${this.endpoint}: ${error instanceof Error ? error.message : String(error)}; retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async #build(): Promise<void> {
    const generation = ++this.#generation;
    const o = this.#options;
    const client = OPCUAClient.create({
      applicationName: 'Twinspace',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[o.securityMode ?? 'None'],
      securityPolicy: SecurityPolicy[o.securityPolicy ?? 'None'],
      clientCertificateManager: this.#certificates,
      // One quick try: our rebuild loop does the retrying, with backoff and from scratch.
      connectionStrategy: { maxRetry: 0, initialDelay: 250, maxDelay: 1_000 },
      requestedSessionTimeout: 60_000,
      transportTimeout: 10_000,
    });
    this.#client = client;
    const lost = () => {
      if (generation !== this.#generation || this.#stopped) return;
      this.#log('warn', `opcua: connection to ${this.endpoint} lost; rebuilding`);
      this.#session = undefined;
      this.#rebuild();
    };
    client.on('connection_lost', lost);
    client.on('close', lost);
    await client.connect(this.endpoint);
    const identity: UserIdentityInfo = o.user
      ? { type: UserTokenType.UserName, userName: o.user.userName, password: o.user.password }
      : { type: UserTokenType.Anonymous };
    const session = await client.createSession(identity);
    const subscription = await session.createSubscription2({
      requestedPublishingInterval:
        o.publishingIntervalMs ?? OPCUA_SOURCE_DEFAULTS.publishingIntervalMs,
      requestedMaxKeepAliveCount: OPCUA_SOURCE_DEFAULTS.maxKeepAliveCount,
      requestedLifetimeCount: OPCUA_SOURCE_DEFAULTS.maxKeepAliveCount * 6,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 1,
    });
    this.#lastAlive = this.#now();
    subscription.on('keepalive', () => {
      this.#lastAlive = this.#now();
    });
    subscription.on('terminated', lost);
    // One group per (sampling interval, deadband): a group shares its monitoring parameters.
    const byParameters = new Map<string, MonitoredSensor[]>();
    for (const item of this.#items) {
      const key = `${item.samplingIntervalMs}/${item.deadband}`;
      const list = byParameters.get(key) ?? [];
      list.push(item);
      byParameters.set(key, list);
    }
    for (const items of byParameters.values()) {
      const first = items[0];
      if (!first) continue;
      const group = await subscription.monitorItems(
        items.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
        {
          samplingInterval: first.samplingIntervalMs,
          discardOldest: true,
          queueSize: 10,
          ...(first.deadband > 0
            ? {
                filter: new DataChangeFilter({
                  trigger: DataChangeTrigger.StatusValue,
                  deadbandType: DeadbandType.Absolute,
                  deadbandValue: first.deadband,
                }),
              }
            : {}),
        },
        TimestampsToReturn.Both,
      );
      group.on('changed', (_item, dataValue, index) => {
        this.#lastAlive = this.#now();
        const monitored = items[index];
        if (monitored && generation === this.#generation)
          this.#events.changed(monitored.sensor, dataValue);
      });
      group.monitoredItems.forEach((monitoredItem, index) => {
        const item = items[index];
        if (item && monitoredItem.statusCode.isNotGood())
          this.#events.refused(item, monitoredItem.statusCode.name);
      });
    }
    if (generation !== this.#generation || this.#stopped) {
      throw new Error('superseded while connecting');
    }
    this.#session = session;
    this.#subscription = subscription;
    this.sessions += 1;
    this.#log('info', `opcua: monitoring ${this.#items.length} nodes on ${this.endpoint}`);
  }

  async #teardown(): Promise<void> {
    const client = this.#client;
    const session = this.#session;
    const subscription = this.#subscription;
    this.#client = undefined;
    this.#session = undefined;
    this.#subscription = undefined;
    this.#generation += 1;
    if (!client) return;
    // Best effort: after a server restart these calls fail or hang, so none may block recovery.
    const bounded = (p: Promise<unknown>) =>
      Promise.race([
        p.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2_000)),
      ]);
    if (subscription) await bounded(subscription.terminate());
    if (session) await bounded(session.close());
    await bounded(client.disconnect());
  }
}

/** Integer node types refuse a fractional Double; round for them. */
function coerceFor(dataType: number, value: number): number | boolean {
  // DataType ids (Part 6): Boolean 1, SByte 2 … UInt32 7 are integers; Float 10, Double 11.
  if (dataType === 1) return value !== 0;
  if (dataType >= 2 && dataType <= 7) return Math.round(value);
  return value;
}
