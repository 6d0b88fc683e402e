/**
 * Scenario scripts: time-stamped faults and commands that play against a plant (a demo, a test,
 * a what-if branch). `atMs` is milliseconds after the run starts. Validation reports every
 * problem with its JSON path and, given the plant, checks every fault target and actuator.
 */
import { assertNever } from './assert-never.js';
import type { Actor } from './capsule.js';
import type { Command, CommandType } from './commands.js';
import { COMMAND_TYPES } from './commands.js';
import type { Fault } from './events.js';
import { FAULT_KINDS } from './events.js';
import type { ActuatorKind, Plant } from './plant.js';
import { faultProblem } from './simulator/faults.js';
import type { FaultTargets } from './simulator/faults.js';
import { fieldPath, indexPath, ProblemCollector, ROOT_PATH } from './validation-errors.js';
import type { PlantProblem } from './validation-errors.js';

export interface Scenario {
  id: string;
  name: string;
  plantId: string;
  description: string;
  steps: ScenarioStep[];
}

export type ScenarioStep = { atMs: number } & (
  { fault: Fault } | { clearFault: Fault } | { command: Command; actor?: Actor }
);

export type ScenarioValidationResult =
  { ok: true; scenario: Scenario } | { ok: false; problems: PlantProblem[] };

const SCENARIO_KEYS = ['id', 'name', 'plantId', 'description', 'steps'] as const;
const FAULT_KEYS = ['kind', 'target', 'magnitude'] as const;
const ACTOR_KEYS = ['id', 'name', 'role'] as const;
const ACTOR_ROLES = ['operator', 'engineer', 'viewer', 'system'] as const;
const STEP_ACTIONS = ['fault', 'clearFault', 'command'] as const;

/** Fields each command type carries besides `type` and `commandId`. */
const COMMAND_FIELDS: { readonly [K in CommandType]: readonly string[] } = {
  'capsule.ack': ['capsuleId', 'note'],
  'capsule.resolve': ['capsuleId', 'note'],
  'capsule.shelve': ['capsuleId', 'durationMs', 'note'],
  'capsule.unshelve': ['capsuleId', 'note'],
  'capsule.dismiss': ['capsuleId', 'note'],
  'valve.actuate': ['actuatorId', 'position'],
  'pump.start': ['actuatorId'],
  'pump.stop': ['actuatorId'],
  'setpoint.change': ['actuatorId', 'value'],
  'annotation.add': ['text', 'equipmentId', 'capsuleId'],
};

/** The actuator kinds a command may drive. */
const COMMAND_ACTUATOR_KINDS: Partial<Record<CommandType, readonly ActuatorKind[]>> = {
  'valve.actuate': ['valve.position'],
  'pump.start': ['pump.run', 'motor.run'],
  'pump.stop': ['pump.run', 'motor.run'],
  'setpoint.change': ['setpoint'],
};

/** Check an untrusted scenario file; with a plant, also every fault target and actuator it names. */
export function validateScenario(input: unknown, plant?: Plant): ScenarioValidationResult {
  const p = new ProblemCollector();
  const scenario = p.object(input, ROOT_PATH);
  if (scenario === undefined) return { ok: false, problems: p.problems };
  p.knownKeys(scenario, SCENARIO_KEYS, ROOT_PATH);
  p.nonEmptyString(scenario.id, 'id');
  p.nonEmptyString(scenario.name, 'name');
  p.string(scenario.description, 'description');
  const plantId = p.nonEmptyString(scenario.plantId, 'plantId');
  if (plant !== undefined && plantId !== undefined && plantId !== plant.id) {
    p.add('plantId', `the scenario is for plant "${plantId}", not "${plant.id}"`);
  }
  const index = plant === undefined ? undefined : indexPlant(plant);
  const steps = p.array(scenario.steps, 'steps') ?? [];
  const commandIds = new Map<string, string>();
  let previousAt = 0;
  steps.forEach((value, i) => {
    const path = indexPath('steps', i);
    const step = p.object(value, path);
    if (step === undefined) return;
    const at = p.nonNegative(step.atMs, fieldPath(path, 'atMs'));
    if (at !== undefined) {
      if (at < previousAt) {
        p.add(
          fieldPath(path, 'atMs'),
          `expected steps in time order: ${at} is before the previous step's ${previousAt}`,
        );
      }
      previousAt = Math.max(previousAt, at);
    }
    const actions = STEP_ACTIONS.filter((action) => step[action] !== undefined);
    if (actions.length !== 1) {
      p.add(
        path,
        actions.length === 0
          ? 'expected one of fault, clearFault or command'
          : `expected exactly one of fault, clearFault or command, got ${actions.join(' and ')}`,
      );
    }
    const action = actions[0];
    p.knownKeys(
      step,
      action === 'command' ? ['atMs', 'command', 'actor'] : ['atMs', ...actions],
      path,
    );
    if (action === 'fault' || action === 'clearFault') {
      checkFault(p, step[action], fieldPath(path, action), index);
    } else if (action === 'command') {
      const commandId = checkCommand(p, step.command, fieldPath(path, 'command'), index);
      if (commandId !== undefined) {
        const first = commandIds.get(commandId);
        if (first !== undefined) {
          p.add(
            fieldPath(fieldPath(path, 'command'), 'commandId'),
            `duplicate commandId "${commandId}" (first used at ${first}); every command gets its own ack`,
          );
        } else commandIds.set(commandId, path);
      }
      if (step.actor !== undefined) checkActor(p, step.actor, fieldPath(path, 'actor'));
    }
  });
  if (p.problems.length > 0) return { ok: false, problems: p.problems };
  // Every field the Scenario type names has been checked above.
  return { ok: true, scenario: input as Scenario };
}

/** Steps with fromMs < atMs ≤ toMs, in file order. */
export function scenarioStepsDue(scenario: Scenario, fromMs: number, toMs: number): ScenarioStep[] {
  return scenario.steps.filter((step) => step.atMs > fromMs && step.atMs <= toMs);
}

interface PlantIndex extends FaultTargets {
  plantId: string;
  actuators: Map<string, { kind: ActuatorKind; min: number; max: number }>;
  equipment: Set<string>;
}

function indexPlant(plant: Plant): PlantIndex {
  const equipmentKinds = new Map(plant.equipment.map((e) => [e.id, e.kind]));
  const sensors = new Set<string>();
  const actuators: PlantIndex['actuators'] = new Map();
  for (const equipment of plant.equipment) {
    for (const sensor of equipment.sensors) sensors.add(sensor.id);
    for (const a of equipment.actuators) {
      actuators.set(a.id, { kind: a.kind, min: a.range.min, max: a.range.max });
    }
  }
  return {
    plantId: plant.id,
    actuators,
    equipment: new Set(equipmentKinds.keys()),
    equipmentKind: (id) => equipmentKinds.get(id),
    hasSensor: (id) => sensors.has(id),
  };
}

function checkFault(
  p: ProblemCollector,
  value: unknown,
  path: string,
  index: PlantIndex | undefined,
): void {
  const fault = p.object(value, path);
  if (fault === undefined) return;
  p.knownKeys(fault, FAULT_KEYS, path);
  const kind = p.oneOf(fault.kind, FAULT_KINDS, fieldPath(path, 'kind'));
  const target = p.nonEmptyString(fault.target, fieldPath(path, 'target'));
  const magnitudeOk =
    fault.magnitude === undefined ||
    p.finite(fault.magnitude, fieldPath(path, 'magnitude')) !== undefined;
  if (kind === undefined || target === undefined || !magnitudeOk) return;
  const permissive: FaultTargets = {
    equipmentKind: () => undefined,
    hasSensor: () => true,
  };
  // Without a plant only the magnitude's own bounds can be checked.
  const problem = faultProblem(fault, index ?? permissive);
  if (problem !== undefined && (index !== undefined || problem.field === 'magnitude')) {
    p.add(fieldPath(path, problem.field), problem.message);
  }
}

function checkActor(p: ProblemCollector, value: unknown, path: string): void {
  const actor = p.object(value, path);
  if (actor === undefined) return;
  p.knownKeys(actor, ACTOR_KEYS, path);
  p.nonEmptyString(actor.id, fieldPath(path, 'id'));
  p.nonEmptyString(actor.name, fieldPath(path, 'name'));
  p.oneOf(actor.role, ACTOR_ROLES, fieldPath(path, 'role'));
}

/** Checks one command; returns its commandId when it has a usable one. */
function checkCommand(
  p: ProblemCollector,
  value: unknown,
  path: string,
  index: PlantIndex | undefined,
): string | undefined {
  const command = p.object(value, path);
  if (command === undefined) return undefined;
  const type = p.oneOf(command.type, COMMAND_TYPES, fieldPath(path, 'type'));
  const commandId = p.nonEmptyString(command.commandId, fieldPath(path, 'commandId'));
  if (type === undefined) return commandId;
  p.knownKeys(command, ['type', 'commandId', ...COMMAND_FIELDS[type]], path);
  const optionalString = (key: string): void => {
    if (command[key] !== undefined) p.string(command[key], fieldPath(path, key));
  };
  switch (type) {
    case 'capsule.ack':
    case 'capsule.resolve':
    case 'capsule.unshelve':
    case 'capsule.dismiss':
      p.nonEmptyString(command.capsuleId, fieldPath(path, 'capsuleId'));
      optionalString('note');
      break;
    case 'capsule.shelve':
      p.nonEmptyString(command.capsuleId, fieldPath(path, 'capsuleId'));
      p.positive(command.durationMs, fieldPath(path, 'durationMs'));
      optionalString('note');
      break;
    case 'valve.actuate':
    case 'pump.start':
    case 'pump.stop':
    case 'setpoint.change':
      checkActuatorCommand(p, command, type, path, index);
      break;
    case 'annotation.add': {
      p.nonEmptyString(command.text, fieldPath(path, 'text'));
      optionalString('capsuleId');
      const equipmentPath = fieldPath(path, 'equipmentId');
      if (command.equipmentId !== undefined) {
        const id = p.nonEmptyString(command.equipmentId, equipmentPath);
        if (id !== undefined && index !== undefined && !index.equipment.has(id)) {
          p.add(equipmentPath, `unknown equipment "${id}"`);
        }
      }
      break;
    }
    default:
      assertNever(type, 'command type');
  }
  return commandId;
}

function checkActuatorCommand(
  p: ProblemCollector,
  command: Record<string, unknown>,
  type: 'valve.actuate' | 'pump.start' | 'pump.stop' | 'setpoint.change',
  path: string,
  index: PlantIndex | undefined,
): void {
  const idPath = fieldPath(path, 'actuatorId');
  const id = p.nonEmptyString(command.actuatorId, idPath);
  let value: number | undefined;
  let valuePath = '';
  if (type === 'valve.actuate') {
    valuePath = fieldPath(path, 'position');
    value = p.finite(command.position, valuePath);
    if (value !== undefined && (value < 0 || value > 1)) {
      p.add(valuePath, `expected a valve position within 0..1, got ${value}`);
      value = undefined;
    }
  } else if (type === 'setpoint.change') {
    valuePath = fieldPath(path, 'value');
    value = p.finite(command.value, valuePath);
  }
  if (id === undefined || index === undefined) return;
  const actuator = index.actuators.get(id);
  if (actuator === undefined) {
    p.add(idPath, `unknown actuator "${id}" in plant "${index.plantId}"`);
    return;
  }
  const kinds = COMMAND_ACTUATOR_KINDS[type] ?? [];
  if (!kinds.includes(actuator.kind)) {
    p.add(idPath, `"${id}" is a ${actuator.kind} actuator; ${type} drives ${kinds.join(' or ')}`);
    return;
  }
  if (value !== undefined && (value < actuator.min || value > actuator.max)) {
    p.add(
      valuePath,
      `expected within ${id}'s range ${actuator.min}..${actuator.max}, got ${value}`,
    );
  }
}
