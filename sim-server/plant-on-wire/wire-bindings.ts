import type { Actuator, CompiledPlant, Sensor } from '../../digital-twin/index.js';
import { sparkplugAddress } from '../ingest/sparkplug/index.js';

/** Which sensor goes out which way, and where each actuator listens, for one plant. */
export interface WireBindings {
  mqttSensors: { sensor: Sensor; topic: string; format: 'json' | 'number' }[];
  /** Sparkplug sensors by edge-node address (`group/node`), each with its device ('' = the node). */
  sparkplugSensors: {
    sensor: Sensor;
    group: string;
    node: string;
    device: string;
    metric: string;
  }[];
  opcuaSensors: { sensor: Sensor; nodeId: string }[];
  mqttActuators: { actuator: Actuator; topic: string }[];
  opcuaActuators: { actuator: Actuator; nodeId: string }[];
}

/**
 * Reads the plant file's bindings. With `exposePrefix`, simulator-bound sensors also go out as
 * JSON on `<prefix>/<sensorId>` and as OPC-UA `ns=1;s=<sensorId>`, and simulator-bound actuators
 * listen on `<prefix>/<actuatorId>/set` and `ns=1;s=<actuatorId>`: the demo plant binds
 * everything to the simulator, and this puts it on the wire without editing the file.
 */
export function wireBindings(plant: CompiledPlant, exposePrefix: string | undefined): WireBindings {
  const out: WireBindings = {
    mqttSensors: [],
    sparkplugSensors: [],
    opcuaSensors: [],
    mqttActuators: [],
    opcuaActuators: [],
  };
  for (const sensor of plant.sensors) {
    const b = sensor.binding;
    switch (b.source) {
      case 'simulator':
        if (exposePrefix !== undefined) {
          out.mqttSensors.push({ sensor, topic: `${exposePrefix}/${sensor.id}`, format: 'json' });
          out.opcuaSensors.push({ sensor, nodeId: `ns=1;s=${sensor.id}` });
        }
        break;
      case 'mqtt':
        if (b.payload === 'sparkplug') {
          const address = sparkplugAddress(b.topic);
          if (address === undefined || b.metric === undefined) break;
          const [group = '', node = '', device = ''] = address.split('/');
          out.sparkplugSensors.push({ sensor, group, node, device, metric: b.metric });
        } else {
          out.mqttSensors.push({ sensor, topic: b.topic, format: b.payload });
        }
        break;
      case 'opcua':
        out.opcuaSensors.push({ sensor, nodeId: b.nodeId });
        break;
    }
  }
  for (const actuator of plant.actuators) {
    const b = actuator.binding;
    switch (b.source) {
      case 'simulator':
        if (exposePrefix !== undefined) {
          out.mqttActuators.push({ actuator, topic: `${exposePrefix}/${actuator.id}/set` });
          out.opcuaActuators.push({ actuator, nodeId: `ns=1;s=${actuator.id}` });
        }
        break;
      case 'mqtt':
        out.mqttActuators.push({ actuator, topic: b.commandTopic });
        break;
      case 'opcua':
        out.opcuaActuators.push({ actuator, nodeId: b.nodeId });
        break;
    }
  }
  return out;
}
