import { asInt32, ProtobufReader, ProtobufWriter, WIRE } from './protobuf-wire.js';

/** Sparkplug B 3.0 metric datatypes (the ones that carry a number, plus String for completeness). */
export const SPARKPLUG_DATATYPES = Object.freeze({
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
});

/** One metric as it travels; value fields as in the Sparkplug B `Payload.Metric` message. */
export interface SparkplugMetric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  intValue?: number;
  longValue?: bigint;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
}

/** The Sparkplug B `Payload` message (`dataset`, `template` and `body` contents are skipped). */
export interface SparkplugPayload {
  timestamp?: number;
  metrics: SparkplugMetric[];
  seq?: number;
  uuid?: string;
}

/** Decodes a Sparkplug B payload; throws `ProtobufError` on malformed bytes. */
export function decodeSparkplugPayload(bytes: Uint8Array): SparkplugPayload {
  const reader = new ProtobufReader(bytes);
  const payload: SparkplugPayload = { metrics: [] };
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.varint) payload.timestamp = reader.varint();
    else if (field === 2 && wire === WIRE.bytes) {
      const [start, end] = reader.span();
      payload.metrics.push(decodeMetric(new ProtobufReader(bytes, start, end)));
    } else if (field === 3 && wire === WIRE.varint) payload.seq = reader.varint();
    else if (field === 4 && wire === WIRE.bytes) payload.uuid = reader.string();
    else reader.skip(wire);
  }
  return payload;
}

function decodeMetric(reader: ProtobufReader): SparkplugMetric {
  const metric: SparkplugMetric = {};
  while (!reader.done) {
    const { field, wire } = reader.tag();
    switch (field) {
      case 1:
        if (wire !== WIRE.bytes) break;
        metric.name = reader.string();
        continue;
      case 2:
        if (wire !== WIRE.varint) break;
        metric.alias = reader.varint();
        continue;
      case 3:
        if (wire !== WIRE.varint) break;
        metric.timestamp = reader.varint();
        continue;
      case 4:
        if (wire !== WIRE.varint) break;
        metric.datatype = reader.varint();
        continue;
      case 5:
        if (wire !== WIRE.varint) break;
        metric.isHistorical = reader.varint() !== 0;
        continue;
      case 6:
        if (wire !== WIRE.varint) break;
        metric.isTransient = reader.varint() !== 0;
        continue;
      case 7:
        if (wire !== WIRE.varint) break;
        metric.isNull = reader.varint() !== 0;
        continue;
      case 10:
        if (wire !== WIRE.varint) break;
        metric.intValue = reader.varint();
        continue;
      case 11:
        if (wire !== WIRE.varint) break;
        metric.longValue = reader.varintBig();
        continue;
      case 12:
        if (wire !== WIRE.fixed32) break;
        metric.floatValue = reader.float32();
        continue;
      case 13:
        if (wire !== WIRE.fixed64) break;
        metric.doubleValue = reader.float64();
        continue;
      case 14:
        if (wire !== WIRE.varint) break;
        metric.booleanValue = reader.varint() !== 0;
        continue;
      case 15:
        if (wire !== WIRE.bytes) break;
        metric.stringValue = reader.string();
        continue;
      default:
        break;
    }
    reader.skip(wire);
  }
  return metric;
}

/** Encodes a Sparkplug B payload (used by the plant on the wire, rebirth requests and tests). */
export function encodeSparkplugPayload(payload: SparkplugPayload): Uint8Array {
  const writer = new ProtobufWriter();
  if (payload.timestamp !== undefined) writer.tag(1, WIRE.varint).varint(payload.timestamp);
  for (const metric of payload.metrics) writer.tag(2, WIRE.bytes).bytes(encodeMetric(metric));
  if (payload.seq !== undefined) writer.tag(3, WIRE.varint).varint(payload.seq);
  if (payload.uuid !== undefined) writer.tag(4, WIRE.bytes).string(payload.uuid);
  return writer.finish();
}

function encodeMetric(metric: SparkplugMetric): Uint8Array {
  const w = new ProtobufWriter();
  if (metric.name !== undefined) w.tag(1, WIRE.bytes).string(metric.name);
  if (metric.alias !== undefined) w.tag(2, WIRE.varint).varint(metric.alias);
  if (metric.timestamp !== undefined) w.tag(3, WIRE.varint).varint(metric.timestamp);
  if (metric.datatype !== undefined) w.tag(4, WIRE.varint).varint(metric.datatype);
  if (metric.isHistorical !== undefined) w.tag(5, WIRE.varint).varint(metric.isHistorical ? 1 : 0);
  if (metric.isTransient !== undefined) w.tag(6, WIRE.varint).varint(metric.isTransient ? 1 : 0);
  if (metric.isNull !== undefined) w.tag(7, WIRE.varint).varint(metric.isNull ? 1 : 0);
  // uint32 on the wire: negative Int8/16/32 values travel as their two's complement.
  if (metric.intValue !== undefined) w.tag(10, WIRE.varint).varint(metric.intValue >>> 0);
  if (metric.longValue !== undefined) w.tag(11, WIRE.varint).varintBig(metric.longValue);
  if (metric.floatValue !== undefined) w.tag(12, WIRE.fixed32).float32(metric.floatValue);
  if (metric.doubleValue !== undefined) w.tag(13, WIRE.fixed64).float64(metric.doubleValue);
  if (metric.booleanValue !== undefined) w.tag(14, WIRE.varint).varint(metric.booleanValue ? 1 : 0);
  if (metric.stringValue !== undefined) w.tag(15, WIRE.bytes).string(metric.stringValue);
  return w.finish();
}

/**
 * A metric's value as a number: integers by their datatype's signedness, Boolean as 0/1.
 * `undefined` when the datatype carries no number (String, DataSet, …) or no value was sent.
 */
export function metricNumber(
  metric: SparkplugMetric,
  datatype: number | undefined,
): number | undefined {
  const D = SPARKPLUG_DATATYPES;
  switch (datatype) {
    case D.Int8:
    case D.Int16:
    case D.Int32:
      return metric.intValue === undefined ? undefined : asInt32(metric.intValue);
    case D.UInt8:
    case D.UInt16:
    case D.UInt32:
      return metric.intValue;
    case D.Int64:
      return metric.longValue === undefined
        ? undefined
        : Number(BigInt.asIntN(64, metric.longValue));
    case D.UInt64:
    case D.DateTime:
      return metric.longValue === undefined ? undefined : Number(metric.longValue);
    case D.Float:
      return metric.floatValue;
    case D.Double:
      return metric.doubleValue;
    case D.Boolean:
      return metric.booleanValue === undefined ? undefined : metric.booleanValue ? 1 : 0;
    case undefined:
    default:
      return undefined;
  }
}
