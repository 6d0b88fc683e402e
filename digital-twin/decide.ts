import type { Actor, Capsule, CapsuleState } from './capsule.js';
import { CAPSULE_TRANSITIONS, findTransition } from './capsule-lifecycle.js';
import type { CapsuleTrigger } from './capsule-lifecycle.js';
import type { Command } from './commands.js';
import type { CapsuleChangedEvent, EventBody, RejectionCode } from './events.js';
import { checkInterlocks } from './interlocks.js';
import { isAction, permits, refusal } from './permissions.js';
import type { ActuatorKind } from './plant.js';
import type { TwinState } from './twin-state.js';

/** What `decide` answers: the events that make an accepted command happen, or why not. */
export type Decision =
  | { status: 'accepted'; events: EventBody[] }
  | { status: 'rejected'; code: RejectionCode; reason: string };

/** The longest shelf (D-5): shelving is a short-term nuisance measure, not a way to hide alarms. */
export const MAX_SHELVE_MS = 24 * 60 * 60_000;
/** Annotation text limit (D-7), in characters. */
export const MAX_ANNOTATION_LENGTH = 2_000;

type CapsuleCommand = Extract<Command, { capsuleId: string; type: `capsule.${string}` }>;

/**
 * Decide a user's command against the twin state at time t (SPEC D-1 … D-9). Pure: the state is
 * only read. Accepted commands yield `command.accepted` followed by the events that carry out
 * its effect; the caller sequences and applies them. Rejections name what was wrong.
 */
export function decide(state: TwinState, command: Command, actor: Actor, t: number): Decision {
  const malformed = checkShape(command);
  if (malformed !== undefined) return reject('invalid_command', malformed);
  if (!isAction(command.type)) {
    const unknown: { type?: unknown } = command;
    return reject('invalid_command', `unknown command type ${JSON.stringify(unknown.type)}`);
  }
  if (!permits(actor.role, command.type)) {
    return reject(
      'not_permitted',
      `${actor.name} (${actor.id}): ${refusal(actor.role, command.type)}`,
    );
  }
  switch (command.type) {
    case 'capsule.ack':
    case 'capsule.resolve':
    case 'capsule.shelve':
    case 'capsule.unshelve':
    case 'capsule.dismiss':
      return decideCapsule(state, command, actor, t);
    case 'valve.actuate':
      return decideActuator(
        state,
        command,
        actor,
        ['valve.position'],
        'position',
        command.position,
      );
    case 'pump.start':
      return decideActuator(state, command, actor, ['pump.run', 'motor.run'], 'run', 1);
    case 'pump.stop':
      return decideActuator(state, command, actor, ['pump.run', 'motor.run'], 'run', 0);
    case 'setpoint.change':
      return decideActuator(state, command, actor, ['setpoint'], 'setpoint', command.value);
    case 'annotation.add':
      return decideAnnotation(state, command, actor);
    default: {
      // Commands arrive from the network: a type the union does not know is bad input, not a bug.
      const unknown: { type?: unknown } = command;
      return reject('invalid_command', `unknown command type ${JSON.stringify(unknown.type)}`);
    }
  }
}

function reject(code: RejectionCode, reason: string): Decision {
  return { status: 'rejected', code, reason };
}

function accept(command: Command, actor: Actor, ...effects: EventBody[]): Decision {
  return { status: 'accepted', events: [{ type: 'command.accepted', command, actor }, ...effects] };
}

/** The fields each command type cannot do without (the rest are optional). */
const REQUIRED: { readonly [K in Command['type']]: readonly string[] } = {
  'capsule.ack': ['capsuleId'],
  'capsule.resolve': ['capsuleId'],
  'capsule.shelve': ['capsuleId', 'durationMs'],
  'capsule.unshelve': ['capsuleId'],
  'capsule.dismiss': ['capsuleId'],
  'valve.actuate': ['actuatorId', 'position'],
  'pump.start': ['actuatorId'],
  'pump.stop': ['actuatorId'],
  'setpoint.change': ['actuatorId', 'value'],
  'annotation.add': ['text'],
};

/** D-9: the fields every command of its type needs, with the types it needs them in. */
function checkShape(command: Command): string | undefined {
  const c = command as unknown as Record<string, unknown>;
  if (typeof c.commandId !== 'string' || c.commandId === '') {
    return 'commandId: expected a non-empty string';
  }
  const required = Object.hasOwn(REQUIRED, c.type as string)
    ? REQUIRED[c.type as Command['type']]
    : [];
  const missing = required.find((field) => c[field] === undefined);
  if (missing !== undefined) return `${missing}: required for ${String(c.type)}`;
  if ('text' in c && typeof c.text !== 'string') {
    return `text: expected a string, got ${describe(c.text)}`;
  }
  for (const field of ['capsuleId', 'actuatorId', 'equipmentId'] as const) {
    if (field in c && c[field] !== undefined && (typeof c[field] !== 'string' || c[field] === '')) {
      return `${field}: expected a non-empty string, got ${describe(c[field])}`;
    }
  }
  for (const field of ['position', 'value', 'durationMs'] as const) {
    if (field in c && (typeof c[field] !== 'number' || !Number.isFinite(c[field]))) {
      return `${field}: expected a finite number, got ${describe(c[field])}`;
    }
  }
  if ('note' in c && c.note !== undefined && typeof c.note !== 'string') {
    return `note: expected a string, got ${typeof c.note}`;
  }
  return undefined;
}

/** A value for an error message: numbers as written (NaN stays NaN), the rest as JSON. */
function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

const VERB: { readonly [K in CapsuleCommand['type']]: string } = {
  'capsule.ack': 'ack',
  'capsule.resolve': 'resolve',
  'capsule.shelve': 'shelve',
  'capsule.unshelve': 'unshelve',
  'capsule.dismiss': 'dismiss',
};

/** D-2 … D-5: capsule lifecycle commands follow CAPSULE_TRANSITIONS and nothing else. */
function decideCapsule(
  state: TwinState,
  command: CapsuleCommand,
  actor: Actor,
  t: number,
): Decision {
  const verb = VERB[command.type];
  const capsule = state.capsules.get(command.capsuleId);
  if (capsule === undefined) {
    const closed = state.closedCapsules.get(command.capsuleId);
    return reject(
      'unknown_capsule',
      closed === undefined
        ? `unknown capsule ${command.capsuleId}: no open capsule has that id`
        : `capsule ${command.capsuleId} is closed (${closed}); it cannot ${verb} any more`,
    );
  }
  const trigger: CapsuleTrigger = command.type;
  const to = targetState(command, capsule);
  const transition = findTransition(capsule.state, to, trigger);
  if (transition === undefined) {
    const from = CAPSULE_TRANSITIONS.filter((tr) => tr.trigger === trigger).map((tr) => tr.from);
    const required = [...new Set(from)].join(' or ');
    return reject(
      'illegal_transition',
      `capsule ${capsule.id} is ${capsule.state}; ${verb} requires ${required}`,
    );
  }
  const changes: CapsuleChangedEvent['changes'] = { state: to };
  if (command.type === 'capsule.shelve') {
    if (command.durationMs <= 0 || command.durationMs > MAX_SHELVE_MS) {
      return reject(
        'invalid_command',
        `durationMs: expected more than 0 and at most ${MAX_SHELVE_MS} ms (24 h), got ${command.durationMs}`,
      );
    }
    changes.shelvedUntil = t + command.durationMs;
    changes.shelvedFrom = capsule.state;
  } else if (command.type === 'capsule.unshelve') {
    changes.shelvedUntil = null;
    changes.shelvedFrom = null;
  }
  const event: EventBody = {
    type: 'capsule.changed',
    capsuleId: capsule.id,
    action: transition.action,
    actor,
    changes,
  };
  if (command.note !== undefined) event.note = command.note;
  return accept(command, actor, event);
}

/** The state a capsule command asks for; unshelving returns to where the shelf began (C-5). */
function targetState(command: CapsuleCommand, capsule: Capsule): CapsuleState {
  switch (command.type) {
    case 'capsule.ack':
      return 'acknowledged';
    case 'capsule.resolve':
      return 'resolved';
    case 'capsule.shelve':
      return 'shelved';
    case 'capsule.unshelve':
      return capsule.shelvedFrom ?? 'active';
    case 'capsule.dismiss':
      return 'dismissed';
  }
}

/** D-6: the actuator must exist, be of a kind the command drives, and the value in its range. */
function decideActuator(
  state: TwinState,
  command: Extract<Command, { actuatorId: string }>,
  actor: Actor,
  kinds: readonly ActuatorKind[],
  what: string,
  value: number,
): Decision {
  const index = state.plant.actuatorIndex.get(command.actuatorId);
  if (index === undefined) {
    return reject('unknown_actuator', `unknown actuator ${command.actuatorId}`);
  }
  const actuator = state.plant.actuators[index]!;
  if (!kinds.includes(actuator.kind)) {
    return reject(
      'wrong_actuator_kind',
      `${actuator.id} is a ${actuator.kind} actuator; ${command.type} needs ${kinds.join(' or ')}`,
    );
  }
  const { min, max } = actuator.range;
  if (value < min || value > max) {
    const unit = actuator.unit === undefined ? '' : ` ${actuator.unit}`;
    return reject(
      'value_out_of_range',
      `${what} ${value}${unit} is outside ${actuator.id}'s range ${min}..${max}${unit}`,
    );
  }
  // D-10: an interlock that holds blocks the command, naming itself.
  const verdict = checkInterlocks(state, command);
  if (!verdict.ok) return reject('interlock', verdict.reason);
  return accept(command, actor, {
    type: 'actuator.changed',
    actuatorId: actuator.id,
    value,
    actor,
  });
}

/** D-7: an annotation needs text and, where it names them, known equipment and capsule. */
function decideAnnotation(
  state: TwinState,
  command: Extract<Command, { type: 'annotation.add' }>,
  actor: Actor,
): Decision {
  const text = typeof command.text === 'string' ? command.text.trim() : '';
  if (text === '') return reject('invalid_command', 'text: expected a non-empty annotation text');
  if (text.length > MAX_ANNOTATION_LENGTH) {
    return reject(
      'invalid_command',
      `text: expected at most ${MAX_ANNOTATION_LENGTH} characters, got ${text.length}`,
    );
  }
  const equipmentId = command.equipmentId ?? null;
  if (equipmentId !== null && !state.plant.equipmentById.has(equipmentId)) {
    return reject('invalid_command', `equipmentId: unknown equipment ${equipmentId}`);
  }
  const capsuleId = command.capsuleId ?? null;
  if (
    capsuleId !== null &&
    !state.capsules.has(capsuleId) &&
    !state.closedCapsules.has(capsuleId)
  ) {
    return reject('unknown_capsule', `unknown capsule ${capsuleId}: cannot annotate it`);
  }
  return accept(command, actor, {
    type: 'annotation',
    annotationId: `A-${state.annotations + 1}`,
    text,
    actor,
    equipmentId,
    capsuleId,
  });
}
