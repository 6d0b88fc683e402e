import { assertNever } from '../../../digital-twin/index.js';
import type { CompiledPlant, Quality, Reading, Sensor } from '../../../digital-twin/index.js';
import { checkCandidate } from '../payload/index.js';
import type { PayloadReason, ReadingLimits } from '../payload/index.js';
import type { WireDecoder, WireOutcome, WireReply } from '../mqtt/wire-decoder.js';
import { ProtobufError } from './protobuf-wire.js';
import {
  decodeSparkplugPayload,
  encodeSparkplugPayload,
  metricNumber,
  SPARKPLUG_DATATYPES,
} from './sparkplug-payload.js';
import type { SparkplugMetric, SparkplugPayload } from './sparkplug-payload.js';
import {
  addressOf,
  parseSparkplugTopic,
  SPARKPLUG_NAMESPACE,
  sparkplugAddress,
} from './sparkplug-topic.js';
import type { SparkplugTopic } from './sparkplug-topic.js';

/** What a birth certificate told us about one edge node or device. */
interface Birth {
  /** alias → metric name, and metric name → datatype, as the birth declared them. */
  aliases: Map<number, string>;
  datatypes: Map<string, number>;
}

interface NodeState {
  birth: Birth | undefined;
  bdSeq: number | undefined;
  /** The last seq seen from this node (0–255), across its own and its devices' messages. */
  seq: number | undefined;
  devices: Map<string, Birth>;
  /** A rebirth was requested and has not come yet: ask once, not on every message. */
  rebirthRequested: boolean;
}

export const REBIRTH_METRIC = 'Node Control/Rebirth';
const BDSEQ_METRIC = 'bdSeq';

/**
 * Sparkplug B (spBv1.0) as a host application reads it: births declare metrics and aliases,
 * data messages must follow their birth with consecutive `seq` (mod 256), a death (NDEATH with
 * the matching `bdSeq`, or DDEATH) turns that node's or device's sensors `bad`, and anything out
 * of order (a seq gap, data without a birth) asks the edge node for a rebirth with an NCMD.
 * Pure state machine: the MQTT source does the publishing.
 */
export class SparkplugDecoder implements WireDecoder {
  readonly subscriptions: readonly string[];
  /** address (`group/node[/device]`) → metric name → sensor. */
  readonly #sensors = new Map<string, Map<string, Sensor>>();
  readonly #nodes = new Map<string, NodeState>();
  readonly #limits: ReadingLimits;

  constructor(plant: CompiledPlant, limits: ReadingLimits) {
    this.#limits = limits;
    const groups = new Set<string>();
    for (const sensor of plant.sensors) {
      const b = sensor.binding;
      if (b.source !== 'mqtt' || b.payload !== 'sparkplug' || b.metric === undefined) continue;
      const address = sparkplugAddress(b.topic);
      if (address === undefined) continue;
      groups.add(address.split('/')[0] ?? '');
      const metrics = this.#sensors.get(address) ?? new Map<string, Sensor>();
      metrics.set(b.metric, sensor);
      this.#sensors.set(address, metrics);
    }
    this.subscriptions = [...groups].sort().map((g) => `${SPARKPLUG_NAMESPACE}/${g}/#`);
  }

  claims(topic: string): boolean {
    return topic.startsWith(`${SPARKPLUG_NAMESPACE}/`);
  }

  /** Whether the edge node's birth is current (tests and diagnostics). */
  isOnline(group: string, node: string, device?: string): boolean {
    const state = this.#nodes.get(addressOf(group, node, undefined));
    if (!state?.birth) return false;
    return device === undefined || state.devices.has(device);
  }

  decode(topic: string, bytes: Uint8Array, receivedAt: number): WireOutcome {
    const out: WireOutcome = { readings: [], rejections: [], replies: [] };
    const parsed = parseSparkplugTopic(topic);
    if (!parsed) {
      return fail(
        out,
        'sparkplug_topic',
        `topic: "${clip(topic)}" is not spBv1.0/<group>/<type>/<node>[/<device>]`,
      );
    }
    // Commands are edge-bound (ours included, echoed back by our own subscription).
    if (parsed.type === 'NCMD' || parsed.type === 'DCMD') return out;
    if (bytes.byteLength > this.#limits.maxPayloadBytes) {
      return fail(
        out,
        'too_large',
        `payload: ${bytes.byteLength} bytes exceeds the ${this.#limits.maxPayloadBytes}-byte limit`,
      );
    }
    let payload: SparkplugPayload;
    try {
      payload = decodeSparkplugPayload(bytes);
    } catch (error) {
      if (!(error instanceof ProtobufError)) throw error;
      return fail(out, 'sparkplug_decode', `payload: not a Sparkplug B Payload (${error.message})`);
    }
    const nodeKey = addressOf(parsed.group, parsed.node, undefined);
    const node = this.#nodes.get(nodeKey) ?? {
      birth: undefined,
      bdSeq: undefined,
      seq: undefined,
      devices: new Map<string, Birth>(),
      rebirthRequested: false,
    };
    this.#nodes.set(nodeKey, node);
    switch (parsed.type) {
      case 'NBIRTH': {
        node.birth = birthOf(payload);
        node.bdSeq = bdSeqOf(payload);
        node.seq = payload.seq;
        node.devices.clear();
        node.rebirthRequested = false;
        this.#readings(out, nodeKey, node.birth, payload, receivedAt);
        return out;
      }
      case 'NDEATH': {
        const bdSeq = bdSeqOf(payload);
        // A will message from an older session arriving late must not kill the current one.
        if (node.birth && node.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== node.bdSeq)
          return out;
        node.birth = undefined;
        node.seq = undefined;
        this.#markBad(out, nodeKey, receivedAt);
        for (const device of node.devices.keys())
          this.#markBad(out, addressOf(parsed.group, parsed.node, device), receivedAt);
        node.devices.clear();
        return out;
      }
      case 'NDATA':
      case 'DBIRTH':
      case 'DDATA':
      case 'DDEATH':
        return this.#sequenced(out, parsed, node, payload, receivedAt);
      default:
        return assertNever(parsed.type, 'Sparkplug message type');
    }
  }

  /** Messages that carry `seq` after the node's birth. */
  #sequenced(
    out: WireOutcome,
    parsed: SparkplugTopic,
    node: NodeState,
    payload: SparkplugPayload,
    receivedAt: number,
  ): WireOutcome {
    if (!node.birth) {
      this.#askRebirth(out, parsed, node);
      return fail(
        out,
        'sparkplug_no_birth',
        `topic: ${parsed.type} from ${parsed.group}/${parsed.node} before its NBIRTH`,
      );
    }
    if (payload.seq !== undefined) {
      const expected = node.seq === undefined ? undefined : (node.seq + 1) % 256;
      if (expected !== undefined && payload.seq !== expected) this.#askRebirth(out, parsed, node);
      node.seq = payload.seq;
    }
    const device = parsed.device;
    switch (parsed.type) {
      case 'NDATA':
        this.#readings(
          out,
          addressOf(parsed.group, parsed.node, undefined),
          node.birth,
          payload,
          receivedAt,
        );
        return out;
      case 'DBIRTH': {
        if (device === undefined) return out;
        const birth = birthOf(payload);
        node.devices.set(device, birth);
        this.#readings(
          out,
          addressOf(parsed.group, parsed.node, device),
          birth,
          payload,
          receivedAt,
        );
        return out;
      }
      case 'DDATA': {
        if (device === undefined) return out;
        const birth = node.devices.get(device);
        if (!birth) {
          this.#askRebirth(out, parsed, node);
          return fail(
            out,
            'sparkplug_no_birth',
            `topic: DDATA from device ${parsed.group}/${parsed.node}/${device} before its DBIRTH`,
          );
        }
        this.#readings(
          out,
          addressOf(parsed.group, parsed.node, device),
          birth,
          payload,
          receivedAt,
        );
        return out;
      }
      case 'DDEATH':
        if (device === undefined) return out;
        node.devices.delete(device);
        this.#markBad(out, addressOf(parsed.group, parsed.node, device), receivedAt);
        return out;
      case 'NBIRTH':
      case 'NDEATH':
      case 'NCMD':
      case 'DCMD':
        return out; // handled by `decode` before sequencing
      default:
        return assertNever(parsed.type, 'Sparkplug message type');
    }
  }

  #readings(
    out: WireOutcome,
    address: string,
    birth: Birth,
    payload: SparkplugPayload,
    receivedAt: number,
  ): void {
    const sensors = this.#sensors.get(address);
    for (const metric of payload.metrics) {
      let name = metric.name;
      if (name === undefined && metric.alias !== undefined) {
        name = birth.aliases.get(metric.alias);
        if (name === undefined) {
          out.rejections.push({
            reason: 'sparkplug_unknown_alias',
            message: `metrics: alias ${metric.alias} is not declared in ${address}'s birth certificate`,
          });
          continue;
        }
      }
      if (name === undefined) continue;
      const sensor = sensors?.get(name);
      if (!sensor) continue; // Edge nodes publish far more metrics than a twin binds; not an error.
      const datatype = metric.datatype ?? birth.datatypes.get(name);
      const t = metric.timestamp ?? payload.timestamp ?? receivedAt;
      let quality: Quality = 'good';
      let value = Number.NaN;
      if (metric.isNull === true) {
        quality = 'bad';
      } else {
        const number = metricNumber(metric, datatype);
        if (number === undefined) {
          out.rejections.push({
            reason: 'sparkplug_value',
            message: `metrics.${name}: datatype ${String(datatype)} does not carry a number`,
          });
          continue;
        }
        value = number;
      }
      const check = checkCandidate(sensor, { value, t, quality }, receivedAt, this.#limits);
      if (check.ok) out.readings.push(check.reading);
      else
        out.rejections.push({ reason: check.reason, message: `metrics.${name}: ${check.message}` });
    }
  }

  #markBad(out: WireOutcome, address: string, receivedAt: number): void {
    const sensors = this.#sensors.get(address);
    if (!sensors) return;
    for (const sensor of sensors.values()) {
      const reading: Reading = {
        sensorId: sensor.id,
        t: receivedAt,
        value: Number.NaN,
        quality: 'bad',
      };
      out.readings.push(reading);
    }
  }

  #askRebirth(out: WireOutcome, parsed: SparkplugTopic, node: NodeState): void {
    if (node.rebirthRequested) return;
    node.rebirthRequested = true;
    out.replies.push(rebirthRequest(parsed.group, parsed.node));
  }
}

/** The NCMD a host sends to make an edge node publish its births again. */
export function rebirthRequest(group: string, node: string, timestamp?: number): WireReply {
  const payload: SparkplugPayload = {
    metrics: [{ name: REBIRTH_METRIC, datatype: SPARKPLUG_DATATYPES.Boolean, booleanValue: true }],
  };
  if (timestamp !== undefined) payload.timestamp = timestamp;
  return {
    topic: `${SPARKPLUG_NAMESPACE}/${group}/NCMD/${node}`,
    payload: encodeSparkplugPayload(payload),
    qos: 0,
  };
}

function birthOf(payload: SparkplugPayload): Birth {
  const birth: Birth = { aliases: new Map(), datatypes: new Map() };
  for (const metric of payload.metrics) {
    if (metric.name === undefined) continue;
    if (metric.alias !== undefined) birth.aliases.set(metric.alias, metric.name);
    if (metric.datatype !== undefined) birth.datatypes.set(metric.name, metric.datatype);
  }
  return birth;
}

function bdSeqOf(payload: SparkplugPayload): number | undefined {
  const metric: SparkplugMetric | undefined = payload.metrics.find((m) => m.name === BDSEQ_METRIC);
  if (!metric) return undefined;
  return metricNumber(metric, metric.datatype ?? SPARKPLUG_DATATYPES.UInt64);
}

function fail(out: WireOutcome, reason: PayloadReason, message: string): WireOutcome {
  out.rejections.push({ reason, message });
  return out;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
