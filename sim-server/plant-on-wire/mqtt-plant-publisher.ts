import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { Reading } from '../../digital-twin/index.js';
import {
  decodeSparkplugPayload,
  encodeSparkplugPayload,
  REBIRTH_METRIC,
  SPARKPLUG_DATATYPES,
} from '../ingest/sparkplug/index.js';
import type { SparkplugMetric } from '../ingest/sparkplug/index.js';
import type { WireBindings } from './wire-bindings.js';

/** Applies a command from the wire; returns an error message when the simulator refuses it. */
export type ApplyCommand = (actuatorId: string, value: number) => string | undefined;
export type PlantLog = (message: string) => void;

type MetricAliases = Map<string, { sensorId: string; alias: number }>;

interface EdgeNode {
  group: string;
  node: string;
  client: MqttClient | undefined;
  bdSeq: number;
  seq: number;
  /** device ('' = node-level) → metric name → [sensorId, alias]. */
  devices: Map<string, MetricAliases>;
}

/**
 * The plant's MQTT side: plain sensors published with QoS 1 from a persistent session (unacked
 * publishes survive a broker restart), Sparkplug B edge nodes (one clean-session client each with
 * its NDEATH as will, births on connect and on a rebirth request, DDATA/NDATA per step with
 * aliases and seq), and command topics that move the simulated actuators.
 */
export class MqttPlantPublisher {
  readonly #url: string;
  readonly #plantId: string;
  readonly #bindings: WireBindings;
  readonly #apply: ApplyCommand;
  readonly #log: PlantLog;
  readonly #latest = new Map<string, Reading>();
  readonly #edges: EdgeNode[] = [];
  #client: MqttClient | undefined;
  published = 0;
  /** Plain-topic readings the broker acknowledged (PUBACK), per sensor: what must reach storage. */
  readonly acked = new Map<string, number>();

  constructor(
    url: string,
    plantId: string,
    bindings: WireBindings,
    apply: ApplyCommand,
    log: PlantLog,
  ) {
    this.#url = url;
    this.#plantId = plantId;
    this.#bindings = bindings;
    this.#apply = apply;
    this.#log = log;
    const byNode = new Map<string, EdgeNode>();
    let alias = 1;
    for (const s of bindings.sparkplugSensors) {
      const key = `${s.group}/${s.node}`;
      const edge: EdgeNode = byNode.get(key) ?? {
        group: s.group,
        node: s.node,
        client: undefined,
        bdSeq: 0,
        seq: 0,
        devices: new Map(),
      };
      byNode.set(key, edge);
      const metrics =
        edge.devices.get(s.device) ?? new Map<string, { sensorId: string; alias: number }>();
      metrics.set(s.metric, { sensorId: s.sensor.id, alias: alias++ });
      edge.devices.set(s.device, metrics);
    }
    this.#edges = [...byNode.values()];
  }

  async start(): Promise<void> {
    const client = mqtt.connect(this.#url, {
      clientId: `twinspace-plant-${this.#plantId}`.slice(0, 64),
      // 3.1.1, which every broker speaks; a persistent session keeps unacked QoS 1 publishes
      // (mqtt.js resends them after a reconnect) across a broker restart.
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 500,
    });
    this.#client = client;
    client.on('error', (error) => this.#log(`mqtt: ${error.message}`));
    const topics = this.#bindings.mqttActuators.map((a) => a.topic);
    client.on('connect', () => {
      if (topics.length > 0) client.subscribe(topics, { qos: 1 });
    });
    client.on('message', (topic, payload) => this.#command(topic, payload));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await Promise.all(this.#edges.map((edge) => this.#startEdge(edge)));
  }

  async stop(): Promise<void> {
    const clients = [this.#client, ...this.#edges.map((e) => e.client)].filter(
      (c): c is MqttClient => c !== undefined,
    );
    await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
  }

  /** Publishes one step's readings per binding. */
  publish(readings: readonly Reading[], wireT: number): void {
    for (const r of readings) this.#latest.set(r.sensorId, r);
    const client = this.#client;
    if (client) {
      for (const { sensor, topic, format } of this.#bindings.mqttSensors) {
        const r = this.#latest.get(sensor.id);
        if (!r) continue;
        if (format === 'number') {
          // A bare number cannot say "bad": a failed sensor simply stops reporting.
          if (r.quality === 'bad') continue;
          client.publish(topic, String(r.value), { qos: 1 }, (error) => {
            if (!error) this.#countAck(sensor.id);
          });
        } else {
          const body = {
            value: r.quality === 'bad' ? null : r.value,
            t: wireT,
            quality: r.quality,
          };
          client.publish(topic, JSON.stringify(body), { qos: 1 }, (error) => {
            if (!error) this.#countAck(sensor.id);
          });
        }
        this.published += 1;
      }
    }
    for (const edge of this.#edges) this.#edgeData(edge, wireT);
  }

  #countAck(sensorId: string): void {
    this.acked.set(sensorId, (this.acked.get(sensorId) ?? 0) + 1);
  }

  #command(topic: string, payload: Buffer): void {
    const binding = this.#bindings.mqttActuators.find((a) => a.topic === topic);
    if (!binding) return;
    const value = commandValue(payload.toString('utf8'));
    if (value === undefined) {
      this.#log(
        `command on ${topic}: expected {"value": number} or a number, got ${payload.toString('utf8').slice(0, 80)}`,
      );
      return;
    }
    const error = this.#apply(binding.actuator.id, value);
    if (error) this.#log(`command on ${topic} refused: ${error}`);
  }

  async #startEdge(edge: EdgeNode): Promise<void> {
    const base = `spBv1.0/${edge.group}`;
    const deathPayload = () =>
      Buffer.from(
        encodeSparkplugPayload({
          metrics: [
            { name: 'bdSeq', datatype: SPARKPLUG_DATATYPES.UInt64, longValue: BigInt(edge.bdSeq) },
          ],
        }),
      );
    const client = mqtt.connect(this.#url, {
      clientId: `twinspace-edge-${edge.group}-${edge.node}`.slice(0, 64),
      clean: true,
      reconnectPeriod: 500,
      will: {
        topic: `${base}/NDEATH/${edge.node}`,
        payload: deathPayload(),
        qos: 1,
        retain: false,
      },
    });
    edge.client = client;
    client.on('error', (error) => this.#log(`sparkplug ${edge.node}: ${error.message}`));
    client.on('connect', () => {
      client.subscribe(`${base}/NCMD/${edge.node}`, { qos: 0 });
      this.#births(edge);
    });
    client.on('message', (_topic, payload) => {
      try {
        const metrics = decodeSparkplugPayload(payload).metrics;
        if (metrics.some((m) => m.name === REBIRTH_METRIC && m.booleanValue === true))
          this.#births(edge);
      } catch {
        this.#log(`sparkplug ${edge.node}: an NCMD that is not a Sparkplug payload`);
      }
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  }

  #births(edge: EdgeNode): void {
    const client = edge.client;
    if (!client) return;
    const base = `spBv1.0/${edge.group}`;
    const now = Date.now();
    edge.seq = 0;
    const nodeMetrics: SparkplugMetric[] = [
      { name: 'bdSeq', datatype: SPARKPLUG_DATATYPES.UInt64, longValue: BigInt(edge.bdSeq) },
      ...this.#metrics(edge.devices.get('') ?? (new Map() as MetricAliases), true),
    ];
    client.publish(
      `${base}/NBIRTH/${edge.node}`,
      Buffer.from(encodeSparkplugPayload({ timestamp: now, seq: 0, metrics: nodeMetrics })),
      { qos: 0 },
    );
    for (const [device, metrics] of edge.devices) {
      if (device === '') continue;
      edge.seq = (edge.seq + 1) % 256;
      const payload = encodeSparkplugPayload({
        timestamp: now,
        seq: edge.seq,
        metrics: this.#metrics(metrics, true),
      });
      client.publish(`${base}/DBIRTH/${edge.node}/${device}`, Buffer.from(payload), { qos: 0 });
    }
  }

  #edgeData(edge: EdgeNode, wireT: number): void {
    const client = edge.client;
    if (!client?.connected) return;
    const base = `spBv1.0/${edge.group}`;
    for (const [device, metrics] of edge.devices) {
      edge.seq = (edge.seq + 1) % 256;
      const payload = encodeSparkplugPayload({
        timestamp: wireT,
        seq: edge.seq,
        metrics: this.#metrics(metrics, false, wireT),
      });
      const topic =
        device === '' ? `${base}/NDATA/${edge.node}` : `${base}/DDATA/${edge.node}/${device}`;
      client.publish(topic, Buffer.from(payload), { qos: 0 });
      this.published += metrics.size;
    }
  }

  /** Births carry names, aliases and datatypes; data carries aliases only (Sparkplug's bandwidth rule). */
  #metrics(metrics: MetricAliases, birth: boolean, t?: number): SparkplugMetric[] {
    const out: SparkplugMetric[] = [];
    for (const [name, { sensorId, alias }] of metrics) {
      const r = this.#latest.get(sensorId);
      const metric: SparkplugMetric = birth
        ? { name, alias, datatype: SPARKPLUG_DATATYPES.Double }
        : { alias };
      if (t !== undefined) metric.timestamp = t;
      if (!r || r.quality === 'bad') metric.isNull = true;
      else metric.doubleValue = r.value;
      out.push(metric);
    }
    return out;
  }
}

/** `{"value": n}` or a bare number. */
function commandValue(text: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'number' && Number.isFinite(parsed)) return parsed;
    if (typeof parsed === 'object' && parsed !== null && 'value' in parsed) {
      const value = parsed.value;
      if (typeof value === 'number' && Number.isFinite(value)) return value;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
