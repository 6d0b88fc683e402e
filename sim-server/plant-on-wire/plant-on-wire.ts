import { readFileSync } from 'node:fs';
import {
  actuatorCommand,
  compilePlant,
  createSimulator,
  formatProblems,
  setActuator,
  stepSimulator,
  validatePlant,
} from '../../digital-twin/index.js';
import type { CompiledPlant, SimState } from '../../digital-twin/index.js';
import { MqttPlantPublisher } from './mqtt-plant-publisher.js';
import type { PlantLog } from './mqtt-plant-publisher.js';
import { OpcuaPlantServer } from './opcua-plant-server.js';
import type { PlantOnWireArgs } from './plant-on-wire-args.js';
import { wireBindings } from './wire-bindings.js';

/** Loads and validates a plant file; throws an Error listing every problem. */
export function loadPlantFile(path: string): CompiledPlant {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `--plant: cannot read "${path}" (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const result = validatePlant(json);
  if (!result.ok)
    throw new Error(
      `--plant: "${path}" is not a valid plant file:\n${formatProblems(result.errors)}`,
    );
  return compilePlant(result.plant);
}

/**
 * The simulator as a plant on the wire: it steps in (scaled) real time, publishes every sensor
 * the way its binding says, and obeys commands that arrive over MQTT or OPC-UA. Readings go out
 * stamped with the wall clock (as a real device's would), unique and increasing per step, so a
 * consumer's (sensor, t) dedupe works; the time scale only changes how fast the physics runs.
 */
export class PlantOnWire {
  readonly plant: CompiledPlant;
  readonly #args: PlantOnWireArgs;
  readonly #sim: SimState;
  readonly #mqtt: MqttPlantPublisher | undefined;
  readonly #opcua: OpcuaPlantServer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastWireT = 0;
  #stepsDone = 0;
  #startedAt = 0;

  constructor(plant: CompiledPlant, args: PlantOnWireArgs, pkiDir: string, log: PlantLog) {
    this.plant = plant;
    this.#args = args;
    this.#sim = createSimulator(plant, { seed: args.seed, t0: Date.now(), stepMs: args.stepMs });
    const bindings = wireBindings(plant, args.exposePrefix);
    const apply = (actuatorId: string, value: number): string | undefined => {
      try {
        setActuator(this.#sim, actuatorId, value);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    };
    this.#mqtt = args.mqttUrl
      ? new MqttPlantPublisher(args.mqttUrl, plant.plant.id, bindings, apply, log)
      : undefined;
    this.#opcua = args.opcuaPort
      ? new OpcuaPlantServer(args.opcuaPort, bindings, apply, log, pkiDir)
      : undefined;
  }

  get steps(): number {
    return this.#stepsDone;
  }

  /** Plain-topic MQTT readings the broker acknowledged, per sensor id. */
  get mqttAcked(): Record<string, number> {
    return Object.fromEntries(this.#mqtt?.acked ?? []);
  }

  async start(): Promise<void> {
    await this.#opcua?.start((id) => actuatorCommand(this.#sim, id));
    await this.#mqtt?.start();
    this.#startedAt = Date.now();
    const tickMs = Math.max(5, Math.min(50, this.#args.stepMs / this.#args.timeScale));
    this.#timer = setInterval(() => this.#tick(), tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([this.#mqtt?.stop(), this.#opcua?.stop()]);
  }

  /** Runs the steps that are due by now; a stalled event loop catches up at most one second. */
  #tick(): void {
    const due = Math.floor(
      ((Date.now() - this.#startedAt) * this.#args.timeScale) / this.#args.stepMs,
    );
    const maxCatchUp = Math.max(1, Math.ceil((1000 * this.#args.timeScale) / this.#args.stepMs));
    if (due - this.#stepsDone > maxCatchUp) this.#stepsDone = due - maxCatchUp;
    while (this.#stepsDone < due) {
      const step = stepSimulator(this.#sim);
      this.#stepsDone += 1;
      const wireT = Math.max(this.#lastWireT + 1, Date.now());
      this.#lastWireT = wireT;
      this.#mqtt?.publish(step.readings, wireT);
      this.#opcua?.publish(step.readings, wireT);
    }
  }
}
