import { assertNever } from './assert-never.js';
import type { IdIndex } from './plant-id-index.js';
import { describeValue, fieldPath } from './validation-errors.js';
import type { ProblemCollector } from './validation-errors.js';

/**
 * Checks for the `binding` of sensors and actuators: how readings arrive and where commands go.
 * Part of `validatePlant`; every address may be claimed by one sensor (or one actuator) only.
 */

const BINDING_SOURCES = ['simulator', 'mqtt', 'opcua'] as const;
const MQTT_PAYLOADS = ['json', 'number', 'sparkplug'] as const;
const SENSOR_MQTT_KEYS = ['source', 'topic', 'payload', 'metric'] as const;
const SENSOR_OPCUA_KEYS = [
  'source',
  'endpoint',
  'nodeId',
  'samplingIntervalMs',
  'deadband',
] as const;
const ACTUATOR_MQTT_KEYS = ['source', 'commandTopic', 'confirmSensor'] as const;
const ACTUATOR_OPCUA_KEYS = ['source', 'endpoint', 'nodeId'] as const;

// `opc.tcp://host[:port][/path]`; the host may be a bracketed IPv6 literal.
const OPCUA_ENDPOINT = /^opc\.tcp:\/\/(?:\[[0-9A-Fa-f:.]+\]|[^\s/:[\]]+)(?::\d{1,5})?(?:\/\S*)?$/;
// The OPC-UA NodeId string form (Part 6, 5.3.1.10): optional `ns=<index>;` or `nsu=<uri>;`,
// then `i=<uint>`, `s=<string>`, `g=<guid>` or `b=<base64>`.
const OPCUA_NODE_ID =
  /^(?:(?:ns=\d+|nsu=[^;]+);)?(?:i=\d+|s=[\s\S]+|g=[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|b=[A-Za-z0-9+/]+={0,2})$/;

/** A concrete MQTT topic: wildcards belong in subscriptions, not in one sensor's address. */
function checkTopic(p: ProblemCollector, value: unknown, path: string): string | undefined {
  const topic = p.nonEmptyString(value, path);
  if (topic !== undefined && /[+#]/.test(topic)) {
    p.add(path, `expected a topic without wildcards (+, #), got ${describeValue(topic)}`);
    return undefined;
  }
  return topic;
}

/** OPC-UA endpoint and NodeId; returns the binding address when both are well formed. */
function checkOpcuaAddress(
  p: ProblemCollector,
  binding: Record<string, unknown>,
  path: string,
): string | undefined {
  const endpointPath = fieldPath(path, 'endpoint');
  const endpoint = p.nonEmptyString(binding.endpoint, endpointPath);
  const endpointOk = endpoint !== undefined && OPCUA_ENDPOINT.test(endpoint);
  if (endpoint !== undefined && !endpointOk) {
    p.add(
      endpointPath,
      `expected an OPC-UA endpoint like opc.tcp://host:4840, got ${describeValue(endpoint)}`,
    );
  }
  const nodeIdPath = fieldPath(path, 'nodeId');
  const nodeId = p.nonEmptyString(binding.nodeId, nodeIdPath);
  const nodeIdOk = nodeId !== undefined && OPCUA_NODE_ID.test(nodeId);
  if (nodeId !== undefined && !nodeIdOk) {
    p.add(
      nodeIdPath,
      `expected an OPC-UA NodeId like ns=2;s=Reactor.Temperature or ns=3;i=1001, got ${describeValue(nodeId)}`,
    );
  }
  return endpointOk && nodeIdOk ? `opcua\u0000${endpoint}\u0000${nodeId}` : undefined;
}

/** Claim a binding address; a second claimant is a problem, since a reading must have one owner. */
function claimBinding(
  p: ProblemCollector,
  claimed: Map<string, string>,
  key: string | undefined,
  path: string,
  describe: string,
): void {
  if (key === undefined) return;
  const first = claimed.get(key);
  if (first === undefined) claimed.set(key, path);
  else p.add(path, `duplicate binding: ${describe} is already bound at ${first}`);
}

export function checkSensorBinding(
  p: ProblemCollector,
  value: unknown,
  path: string,
  ids: IdIndex,
): void {
  const binding = p.object(value, path);
  if (binding === undefined) return;
  const source = p.oneOf(binding.source, BINDING_SOURCES, fieldPath(path, 'source'));
  switch (source) {
    case undefined:
      return;
    case 'simulator':
      p.knownKeys(binding, ['source'], path);
      return;
    case 'mqtt': {
      p.knownKeys(binding, SENSOR_MQTT_KEYS, path);
      const topic = checkTopic(p, binding.topic, fieldPath(path, 'topic'));
      const payload = p.oneOf(binding.payload, MQTT_PAYLOADS, fieldPath(path, 'payload'));
      const metricPath = fieldPath(path, 'metric');
      let metric: string | undefined;
      if (payload === 'sparkplug') {
        metric = p.nonEmptyString(binding.metric, metricPath);
      } else if (binding.metric !== undefined && payload !== undefined) {
        p.add(metricPath, `metric is only used with payload "sparkplug", not "${payload}"`);
      }
      if (topic !== undefined && (payload !== 'sparkplug' || metric !== undefined)) {
        const what =
          metric === undefined
            ? `MQTT topic "${topic}"`
            : `MQTT topic "${topic}" metric "${metric}"`;
        claimBinding(p, ids.sensorBindings, `mqtt\u0000${topic}\u0000${metric ?? ''}`, path, what);
      }
      return;
    }
    case 'opcua': {
      p.knownKeys(binding, SENSOR_OPCUA_KEYS, path);
      const key = checkOpcuaAddress(p, binding, path);
      if (binding.samplingIntervalMs !== undefined) {
        p.nonNegative(binding.samplingIntervalMs, fieldPath(path, 'samplingIntervalMs'));
      }
      if (binding.deadband !== undefined) {
        p.nonNegative(binding.deadband, fieldPath(path, 'deadband'));
      }
      claimBinding(
        p,
        ids.sensorBindings,
        key,
        path,
        `OPC-UA node ${String(binding.nodeId)} on ${String(binding.endpoint)}`,
      );
      return;
    }
    default:
      assertNever(source, 'binding source');
  }
}

export function checkActuatorBinding(
  p: ProblemCollector,
  value: unknown,
  path: string,
  ids: IdIndex,
): void {
  const binding = p.object(value, path);
  if (binding === undefined) return;
  const source = p.oneOf(binding.source, BINDING_SOURCES, fieldPath(path, 'source'));
  switch (source) {
    case undefined:
      return;
    case 'simulator':
      p.knownKeys(binding, ['source'], path);
      return;
    case 'mqtt': {
      p.knownKeys(binding, ACTUATOR_MQTT_KEYS, path);
      const topic = checkTopic(p, binding.commandTopic, fieldPath(path, 'commandTopic'));
      if (binding.confirmSensor !== undefined) {
        const confirmPath = fieldPath(path, 'confirmSensor');
        const sensor = p.nonEmptyString(binding.confirmSensor, confirmPath);
        if (sensor !== undefined && !ids.sensors.has(sensor)) {
          p.add(confirmPath, `unknown sensor "${sensor}"`);
        }
      }
      claimBinding(
        p,
        ids.actuatorBindings,
        topic === undefined ? undefined : `mqtt\u0000${topic}`,
        path,
        `MQTT command topic "${topic}"`,
      );
      return;
    }
    case 'opcua': {
      p.knownKeys(binding, ACTUATOR_OPCUA_KEYS, path);
      const key = checkOpcuaAddress(p, binding, path);
      claimBinding(
        p,
        ids.actuatorBindings,
        key,
        path,
        `OPC-UA node ${String(binding.nodeId)} on ${String(binding.endpoint)}`,
      );
      return;
    }
    default:
      assertNever(source, 'binding source');
  }
}
