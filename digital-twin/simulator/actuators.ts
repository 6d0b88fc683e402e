import { asSimulation } from './sim-state.js';
import type { SimState } from './sim-state.js';

/**
 * Command an actuator: valve position (0–1), pump/motor run (0 or 1), or a setpoint in its unit.
 * The physics follows on the next steps (valves stroke, machines spin up or coast down).
 * Throws an Error naming the actuator for an unknown id or a value outside its range.
 */
export function setActuator(state: SimState, actuatorId: string, value: number): void {
  const sim = asSimulation(state);
  const compiled = sim.plant;
  const a = compiled.actuatorIndex.get(actuatorId);
  if (a === undefined) {
    throw new Error(
      `unknown actuator "${actuatorId}": plant ${compiled.plant.id} has no actuator with that id`,
    );
  }
  const actuator = compiled.actuators[a];
  if (actuator === undefined) throw new Error(`Invariant: actuator index ${a} out of bounds`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`actuator "${actuatorId}": expected a finite number, got ${String(value)}`);
  }
  const { min, max } = actuator.range;
  if (value < min || value > max) {
    throw new Error(
      `actuator "${actuatorId}" (${actuator.kind}): value ${value} is out of range ${min}..${max}`,
    );
  }
  if (
    (actuator.kind === 'pump.run' || actuator.kind === 'motor.run') &&
    value !== 0 &&
    value !== 1
  ) {
    throw new Error(
      `actuator "${actuatorId}" (${actuator.kind}): expected 0 (stop) or 1 (run), got ${value}`,
    );
  }
  sim.act[a] = value;
}

/** The commanded value of an actuator (what setActuator last set, or its initial value). */
export function actuatorCommand(state: SimState, actuatorId: string): number {
  const sim = asSimulation(state);
  const a = sim.plant.actuatorIndex.get(actuatorId);
  if (a === undefined) {
    throw new Error(
      `unknown actuator "${actuatorId}": plant ${sim.plant.plant.id} has no actuator with that id`,
    );
  }
  return sim.act[a] ?? NaN;
}
