// The simulator's public surface; digital-twin/index.ts re-exports it.
export { actuatorCommand, setActuator } from './actuators.js';
export { decodeSimState, encodeSimState, SIM_CODEC_VERSION } from './codec.js';
export {
  activeFaults,
  clearFault,
  DEFAULT_DRIFT_SHARE_PER_MINUTE,
  DEFAULT_WEAR_PER_HOUR,
  FAULT_TARGET_KINDS,
  faultProblem,
  injectFault,
} from './faults.js';
export type { FaultProblem, FaultTargets } from './faults.js';
export { PARAM_SPECS } from './params.js';
export type { ParamSpec } from './params.js';
export type { SimState } from './sim-state.js';
export { createSimulator, DEFAULT_STEP_MS, stepSimulator, trueValue } from './simulator.js';
export type { SimStep, SimulatorOptions } from './simulator.js';
