import { KIND } from './model.js';
import { MOTOR_P, PARAMS_PER_EQUIPMENT, PUMP_P } from './params.js';
import type { Simulation } from './sim-state.js';
import { SLOT, SLOTS_PER_EQUIPMENT } from './state-layout.js';

/**
 * Pumps, compressors and motors: run state → speed (first-order spin-up and coast-down), then
 * load → power and current, bearing wear → vibration and bearing temperature.
 * The rotating params share slots across the three kinds (params.ts), so PUMP_P serves all.
 */

const NP = PARAMS_PER_EQUIPMENT;
const NS = SLOTS_PER_EQUIPMENT;
/** Below this speed (rpm) a coasting machine is at rest; stops the exponential tail. */
const REST_RPM = 0.5;
/** Vibration a stopped machine still picks up from its neighbours, mm/s. */
const BACKGROUND_VIBRATION = 0.1;
/** Share of rated power a centrifugal machine draws at shut-off (no flow). */
const SHUTOFF_POWER_SHARE = 0.45;
/** Share of rated current a running motor draws unloaded (magnetising). */
const NO_LOAD_CURRENT_SHARE = 0.3;

/** Whether a machine is commanded to run and not tripped. */
export function isRunning(sim: Simulation, i: number): boolean {
  if (sim.tripped[i] === 1) return false;
  const a = sim.model.runActuator[i] ?? -1;
  const command = a >= 0 ? (sim.act[a] ?? 0) : (sim.model.params[i * NP + PUMP_P.running] ?? 0);
  return command >= 0.5;
}

/** Target speed: the speed setpoint when the machine has one, else nominal; 0 when stopped. */
function targetSpeed(sim: Simulation, i: number): number {
  if (!isRunning(sim, i)) return 0;
  const sp = sim.model.speedSetpoint[i] ?? -1;
  return sp >= 0 ? (sim.act[sp] ?? 0) : (sim.model.params[i * NP + PUMP_P.speedNominal] ?? 0);
}

/** Spin machines towards their target speed; runs before the flow network reads speeds. */
export function updateSpeeds(sim: Simulation, dtS: number): void {
  const { rotating, params } = sim.model;
  const x = sim.x;
  for (let k = 0; k < rotating.length; k++) {
    const i = rotating[k] ?? 0;
    const row = i * NS;
    const target = targetSpeed(sim, i);
    const tau = params[i * NP + PUMP_P.spinTime] ?? 1;
    const speed = x[row + SLOT.SPEED] ?? 0;
    let next = speed + (target - speed) * (1 - Math.exp(-dtS / Math.max(tau, 1e-3)));
    if (target === 0 && next < REST_RPM) next = 0;
    x[row + SLOT.SPEED] = next;
  }
}

/** Power, current, vibration and bearing temperature, after the flow network set each flow. */
export function updateMachineOutputs(sim: Simulation, dtS: number, dtMs: number): void {
  const { rotating, params, kind } = sim.model;
  const x = sim.x;
  for (let k = 0; k < rotating.length; k++) {
    const i = rotating[k] ?? 0;
    const row = i * NS;
    const p = i * NP;
    const speedNominal = params[p + PUMP_P.speedNominal] ?? 1;
    const sf = Math.max(0, (x[row + SLOT.SPEED] ?? 0) / (speedNominal > 0 ? speedNominal : 1));
    const powerNominal = params[p + PUMP_P.powerNominal] ?? 0;
    let power: number;
    if (kind[i] === KIND.motor) {
      // Fan/agitator law: power goes with the cube of speed.
      power = powerNominal * (params[p + MOTOR_P.load] ?? 0) * sf * sf * sf;
    } else {
      const flowNominal = params[p + PUMP_P.flowNominal] ?? 0;
      const lf = flowNominal > 0 ? (x[row + SLOT.FLOW] ?? 0) / flowNominal : 0;
      power = powerNominal * sf * (SHUTOFF_POWER_SHARE * sf * sf + (1 - SHUTOFF_POWER_SHARE) * lf);
    }
    const currentNominal = params[p + PUMP_P.currentNominal] ?? 0;
    const loadShare = powerNominal > 0 ? power / powerNominal : 0;
    x[row + SLOT.POWER] = power;
    x[row + SLOT.CURRENT] =
      sf > 0.01
        ? currentNominal * (NO_LOAD_CURRENT_SHARE * sf + (1 - NO_LOAD_CURRENT_SHARE) * loadShare)
        : 0;

    const wear = (x[row + SLOT.WEAR] ?? 0) + (sim.wearRate[i] ?? 0) * dtMs * Math.min(sf, 1);
    x[row + SLOT.WEAR] = wear;
    x[row + SLOT.VIBRATION] =
      BACKGROUND_VIBRATION + ((params[p + PUMP_P.vibrationBase] ?? 0) + wear) * sf;

    const ambient = params[p + PUMP_P.ambientTemperature] ?? 20;
    const target =
      ambient +
      (params[p + PUMP_P.bearingTemperatureRise] ?? 0) * loadShare +
      (params[p + PUMP_P.wearTemperatureRise] ?? 0) * wear * Math.min(sf, 1);
    const tau = Math.max(params[p + PUMP_P.thermalTau] ?? 1, 1e-3);
    const temperature = x[row + SLOT.TEMPERATURE] ?? ambient;
    x[row + SLOT.TEMPERATURE] = temperature + (target - temperature) * (1 - Math.exp(-dtS / tau));
  }
}

/** Starting state: running machines at speed and warm, stopped ones at rest and ambient. */
export function initRotating(sim: Simulation): void {
  const { rotating, params } = sim.model;
  const x = sim.x;
  for (let k = 0; k < rotating.length; k++) {
    const i = rotating[k] ?? 0;
    const row = i * NS;
    const p = i * NP;
    const speed = targetSpeed(sim, i);
    const speedNominal = params[p + PUMP_P.speedNominal] ?? 1;
    const sf = speedNominal > 0 ? speed / speedNominal : 0;
    x[row + SLOT.SPEED] = speed;
    x[row + SLOT.VIBRATION] = BACKGROUND_VIBRATION + (params[p + PUMP_P.vibrationBase] ?? 0) * sf;
    x[row + SLOT.TEMPERATURE] =
      (params[p + PUMP_P.ambientTemperature] ?? 20) +
      (params[p + PUMP_P.bearingTemperatureRise] ?? 0) * 0.8 * Math.min(sf, 1);
    x[row + SLOT.OUT_T] = params[p + PUMP_P.inletTemperature] ?? 20;
  }
}
