/**
 * The plant's real sources for one server: an MQTT source when `MQTT_URL` is set, an OPC-UA source
 * when `OPCUA_ENDPOINTS` is, each owning the sensors and actuators the plant file binds to it.
 * Whatever no configured source owns stays with the simulator, so a plant file with real
 * bindings still runs on embedded defaults.
 */
import type { CompiledPlant } from '../../digital-twin/index.js';
import type { Logger } from '../logger.js';
import type { ActuatorWriter } from '../live/live-engine.js';
import { MqttSource } from './mqtt/index.js';
import type { MqttConnectionOptions } from './mqtt/mqtt-env.js';
import type { SourceLog } from './mqtt/index.js';
import { OpcuaSource } from './opcua/index.js';
import type { OpcuaConnectionOptions } from './opcua/index.js';
import type { ReadingSink, SourceWriteResult } from './source.js';

export interface LiveSourcesConfig {
  mqtt: MqttConnectionOptions | null;
  opcua: OpcuaConnectionOptions | null;
}

/** Ids of the sensors whose readings a configured source delivers (the simulator's are dropped). */
export function externalSensorIds(plant: CompiledPlant, config: LiveSourcesConfig): string[] {
  const endpoints = config.opcua?.endpoints ? new Set(config.opcua.endpoints) : undefined;
  const ids: string[] = [];
  for (const sensor of plant.sensors) {
    const b = sensor.binding;
    if (b.source === 'mqtt' && config.mqtt !== null) ids.push(sensor.id);
    else if (
      b.source === 'opcua' &&
      config.opcua !== null &&
      (endpoints === undefined || endpoints.has(b.endpoint))
    )
      ids.push(sensor.id);
  }
  return ids;
}

export class LiveSources implements ActuatorWriter {
  readonly mqtt: MqttSource | null;
  readonly opcua: OpcuaSource | null;
  readonly externalSensors: readonly string[];

  constructor(plant: CompiledPlant, config: LiveSourcesConfig, log: Logger) {
    const sourceLog: SourceLog = (level, message) => log[level](message);
    this.mqtt =
      config.mqtt === null ? null : new MqttSource({ ...config.mqtt, plant, log: sourceLog });
    this.opcua =
      config.opcua === null ? null : new OpcuaSource({ ...config.opcua, plant, log: sourceLog });
    this.externalSensors = externalSensorIds(plant, config);
  }

  /** One line for the startup log: who delivers how many sensors. */
  describe(plantSensors: number): string {
    const parts = [];
    if (this.mqtt) parts.push('MQTT');
    if (this.opcua) parts.push('OPC-UA');
    const simulated = plantSensors - this.externalSensors.length;
    return parts.length === 0
      ? `sensors    all ${plantSensors} from the simulator`
      : `sensors    ${this.externalSensors.length} from ${parts.join(' + ')}, ${simulated} from the simulator`;
  }

  /** Starts each configured source with its own sink; resolves once each is up or still trying. */
  async start(sinkFor: (source: 'mqtt' | 'opcua') => ReadingSink): Promise<void> {
    await Promise.all([this.mqtt?.start(sinkFor('mqtt')), this.opcua?.start(sinkFor('opcua'))]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.mqtt?.stop(), this.opcua?.stop()]);
  }

  /** Readings received but not yet stored and acknowledged, across sources. */
  queueDepth(): number {
    return (this.mqtt?.stats.ackWindowDepth ?? 0) + (this.opcua?.stats.pending ?? 0);
  }

  /** Per configured source, 1 while it is connected (OPC-UA: every endpoint), else 0. */
  connected(): Record<string, number> {
    const up: Record<string, number> = {};
    if (this.mqtt) up['mqtt'] = this.mqtt.stats.connected ? 1 : 0;
    if (this.opcua) up['opcua'] = this.opcua.stats.endpoints.every((e) => e.connected) ? 1 : 0;
    return up;
  }

  handles(actuatorId: string): boolean {
    return this.#owner(actuatorId) !== undefined;
  }

  write(actuatorId: string, value: number): Promise<SourceWriteResult> {
    const owner = this.#owner(actuatorId);
    if (owner === undefined)
      return Promise.resolve({ ok: false, reason: `no live source carries ${actuatorId}` });
    return owner.write(actuatorId, value);
  }

  #owner(actuatorId: string): MqttSource | OpcuaSource | undefined {
    if (this.opcua?.handles(actuatorId)) return this.opcua;
    if (this.mqtt?.handles(actuatorId)) return this.mqtt;
    return undefined;
  }
}
