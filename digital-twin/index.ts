// The public surface of digital-twin/. Other folders import only from here.
export { assertNever } from './assert-never.js';
export {
  ACTUATOR_KINDS,
  EQUIPMENT_KINDS,
  PLANT_SCHEMA_VERSION,
  SENSOR_KINDS,
  SENSOR_UNITS,
  SIGNALS_BY_EQUIPMENT_KIND,
} from './plant.js';
export type {
  Actuator,
  ActuatorBinding,
  ActuatorKind,
  Equipment,
  EquipmentKind,
  Plant,
  Range,
  Sensor,
  SensorBinding,
  SensorKind,
  SensorLimits,
  Vec3,
  Zone,
} from './plant.js';
export { compilePlant } from './compiled-plant.js';
export type { CompiledPlant } from './compiled-plant.js';
export { QUALITIES } from './reading.js';
export type { Quality, Reading } from './reading.js';
export {
  CAPSULE_STATES,
  CLOSED_CAPSULE_STATES,
  RULE_KINDS,
  SEVERITIES,
  SYSTEM_ACTOR,
} from './capsule.js';
export type { Actor, Capsule, CapsuleAction, CapsuleState, RuleKind, Severity } from './capsule.js';
export { FAULT_KINDS, REJECTION_CODES } from './events.js';
export type {
  ActuatorChangedEvent,
  AnnotationEvent,
  CapsuleChangedEvent,
  CapsuleRaisedEvent,
  CommandAcceptedEvent,
  CommandRejectedEvent,
  EventBody,
  ExpectationsEvent,
  Fault,
  FaultClearedEvent,
  FaultInjectedEvent,
  FaultKind,
  ReadingsEvent,
  RejectionCode,
  TwinEvent,
  TwinEventType,
} from './events.js';
export { COMMAND_TYPES } from './commands.js';
export type { Command, CommandAck, CommandType } from './commands.js';
// Plant-file validation and the synthetic plant generator.
export { validatePlant } from './plant-validation.js';
export type { PlantValidationResult } from './plant-validation.js';
export { formatProblems } from './validation-errors.js';
export type { PlantProblem } from './validation-errors.js';
// reducer, rules, decisions, hash, snapshots
export {
  actuatorValue,
  capsuleNumber,
  cloneTwinState,
  compareCapsuleIds,
  createTwinState,
  getCapsule,
  isUsable,
  openCapsules,
  sensorReading,
  CLOSED_CAPSULE_MEMORY,
  QUALITY_BAD,
  QUALITY_GOOD,
  QUALITY_NONE,
  QUALITY_UNCERTAIN,
  SENSOR_FLOAT_FIELDS,
  ZONE_HI,
  ZONE_HIHI,
  ZONE_LO,
  ZONE_LOLO,
  ZONE_NORMAL,
} from './twin-state.js';
export type { SensorFloatField, TwinState } from './twin-state.js';
export {
  CAPSULE_TRANSITIONS,
  findTransition,
  isClosedState,
  isLegalTransition,
} from './capsule-lifecycle.js';
export type { CapsuleTransition, CapsuleTrigger } from './capsule-lifecycle.js';
export { ruleConfig } from './rules/rule-config.js';
export type { RuleConfig, RuleInstance } from './rules/rule-config.js';
export { apply, sequenceEvents } from './reducer.js';
export { evaluateRules } from './rules/evaluate-rules.js';
export { CONSENSUS_MIN_CHANGE } from './rules/consensus.js';
export { capsulePriority, PRIORITY_TABLE } from './rules/capsule-text.js';
export { canonicalJson, hashState } from './state-hash.js';
export { decide, MAX_ANNOTATION_LENGTH, MAX_SHELVE_MS } from './decide.js';
export type { Decision } from './decide.js';
export {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_MAGIC,
  SNAPSHOT_VERSION,
} from './snapshot-codec.js';
export type { Snapshot } from './snapshot-codec.js';
// simulator, scenarios, synthetic plants
export { createPrng, Prng } from './prng.js';
export type { PrngState } from './prng.js';
export {
  activeFaults,
  actuatorCommand,
  clearFault,
  createSimulator,
  decodeSimState,
  DEFAULT_DRIFT_SHARE_PER_MINUTE,
  DEFAULT_STEP_MS,
  DEFAULT_WEAR_PER_HOUR,
  encodeSimState,
  FAULT_TARGET_KINDS,
  faultProblem,
  injectFault,
  PARAM_SPECS,
  setActuator,
  SIM_CODEC_VERSION,
  stepSimulator,
  trueValue,
} from './simulator/index.js';
export type {
  FaultProblem,
  FaultTargets,
  ParamSpec,
  SimState,
  SimStep,
  SimulatorOptions,
} from './simulator/index.js';
export { scenarioStepsDue, validateScenario } from './scenario.js';
export type { Scenario, ScenarioStep, ScenarioValidationResult } from './scenario.js';
export {
  generateSyntheticPlant,
  SYNTHETIC_MAX_SENSORS,
  SYNTHETIC_MIN_SENSORS,
} from './synthetic-plant.js';
export type { SyntheticPlantOptions } from './synthetic-plant.js';
// runs: simulator, scenario, reducer and rules in fixed steps
export {
  advance,
  advanceUntil,
  commit,
  createRun,
  decodeRun,
  encodeRun,
  externalSensorMask,
  ingestReadings,
  mirrorToSimulator,
  replayEvent,
  runCommand,
} from './run.js';
export type { Run, RunCommandResult, RunOptions } from './run.js';
// capsule changes, shared by the reducer and the stored projection
export { applyCapsuleChange } from './capsule-change.js';
export {
  applyMissionControl,
  CAPSULE_LEAD_MS,
  createMission,
  MAX_SPAN_MS,
  MAX_SPEED,
  MIN_SPEED,
  MISSION_CONTROLS,
  MISSION_KINDS,
  MISSION_STATES,
  MISSION_TRANSITIONS,
  playheadAtEnd,
  playheadT,
  resolveSpan,
} from './mission.js';
export type {
  Mission,
  MissionControl,
  MissionControlResult,
  MissionControlType,
  MissionKind,
  MissionState,
  Playhead,
  SpanContext,
  SpanRequest,
  SpanResult,
} from './mission.js';
// Who may do what, and what blocks a plant-writing command.
export {
  isAction,
  isPlantWriting,
  isUserRole,
  PERMISSIONS,
  permits,
  PLANT_WRITING_COMMANDS,
  refusal,
  ROUTE_ACTIONS,
  USER_ROLES,
} from './permissions.js';
export type { Action, Role, RouteAction, UserRole } from './permissions.js';
export { checkInterlocks } from './interlocks.js';
export type { InterlockVerdict } from './interlocks.js';
export { INTERLOCK_COMMANDS } from './plant.js';
export type { Interlock, InterlockCommand } from './plant.js';
export { describeCommand } from './command-summary.js';
// what-if branches (SPEC B)
export {
  BRANCH_CHUNK_MS,
  BRANCH_COMMAND_TYPES,
  branchChunkEvents,
  DRY_RUN_HORIZON_MS,
  dryRun,
  computeBranch,
  MAX_BRANCH_HORIZON_MS,
  MAX_BRANCH_MODIFICATIONS,
  MIN_BRANCH_HORIZON_MS,
  MODIFICATION_KINDS,
  offsetLabel,
  recordedInterventions,
  validateBranch,
} from './branch.js';
export type {
  ActuatorDelta,
  BaselineSource,
  BranchChunkInputs,
  BranchCommand,
  BranchDefinition,
  BranchInput,
  BranchModification,
  BranchOutput,
  BranchResult,
  BranchValidationResult,
  Predictions,
  SensorDelta,
  TimelineDelta,
} from './branch.js';
// JSON that keeps every number exact (NaN, ±Infinity), for the log and for branch chunks
export { decodePayload, encodePayload, storableText } from './exact-json.js';
