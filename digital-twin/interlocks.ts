/**
 * Interlocks (SPEC I-1 … I-5): conditions declared in the plant file under which a plant-writing
 * command must not run, evaluated against the twin state by one pure function. The confirmation
 * step shows the verdict and `decide` refuses a blocked command (D-10), so nothing reaches the
 * plant while an interlock holds.
 */
import type { Command } from './commands.js';
import type { Interlock, InterlockCommand } from './plant.js';
import { QUALITY_BAD, QUALITY_NONE } from './twin-state.js';
import type { TwinState } from './twin-state.js';

/** What the interlocks say about one command. */
export type InterlockVerdict =
  | { ok: true; checked: string[] }
  | { ok: false; interlockId: string; description: string; reason: string; checked: string[] };

type PlantCommand = Extract<Command, { type: InterlockCommand }>;

function isPlantCommand(command: Command): command is PlantCommand {
  return (
    command.type === 'valve.actuate' ||
    command.type === 'pump.start' ||
    command.type === 'pump.stop' ||
    command.type === 'setpoint.change'
  );
}

/** The value the command asks for (pump.start 1, pump.stop 0). */
function target(command: PlantCommand): number {
  switch (command.type) {
    case 'valve.actuate':
      return command.position;
    case 'pump.start':
      return 1;
    case 'pump.stop':
      return 0;
    case 'setpoint.change':
      return command.value;
  }
}

/** I-2: the interlocks that apply to this command on this actuator, in plant-file order. */
function applicable(state: TwinState, command: PlantCommand): Interlock[] {
  const index = state.plant.actuatorIndex.get(command.actuatorId);
  const current = index === undefined ? NaN : state.actuators[index]!;
  const wanted = target(command);
  return (state.plant.plant.interlocks ?? []).filter((interlock) => {
    if (interlock.actuatorId !== command.actuatorId) return false;
    if (interlock.commands !== undefined && !interlock.commands.includes(command.type))
      return false;
    if (interlock.direction === 'increase') return wanted > current;
    if (interlock.direction === 'decrease') return wanted < current;
    return true;
  });
}

/**
 * I-3 / I-4: whether the condition holds now. A sensor without a usable reading cannot prove the
 * plant is safe, so it holds (fail-safe): the command is blocked and the reason says why.
 */
function holds(state: TwinState, interlock: Interlock): string | null {
  const condition = interlock.while;
  let value: number;
  let what: string;
  if (condition.sensorId !== undefined) {
    const i = state.plant.sensorIndex.get(condition.sensorId);
    const quality = i === undefined ? QUALITY_NONE : state.quality[i]!;
    value = i === undefined ? NaN : state.value[i]!;
    if (
      i === undefined ||
      quality === QUALITY_NONE ||
      quality === QUALITY_BAD ||
      Number.isNaN(value)
    )
      return `${condition.sensorId} has no good reading, so the interlock cannot be verified`;
    const unit = state.plant.sensors[i]!.unit;
    what = `${condition.sensorId} reads ${round(value)} ${unit}`;
  } else {
    const i = state.plant.actuatorIndex.get(condition.actuatorId ?? '');
    if (i === undefined) return `${condition.actuatorId ?? '?'} is not in the plant`;
    value = state.actuators[i]!;
    what = `${condition.actuatorId ?? '?'} is at ${round(value)}`;
  }
  if (condition.above !== undefined && value > condition.above)
    return `${what} (above ${condition.above})`;
  if (condition.below !== undefined && value < condition.below)
    return `${what} (below ${condition.below})`;
  return null;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * I-1 … I-5: evaluates every interlock that applies to `command`. Commands that do not write to
 * the plant pass with nothing checked; the first interlock that holds blocks the command.
 */
export function checkInterlocks(state: TwinState, command: Command): InterlockVerdict {
  if (!isPlantCommand(command)) return { ok: true, checked: [] };
  const checked: string[] = [];
  for (const interlock of applicable(state, command)) {
    checked.push(interlock.id);
    const reason = holds(state, interlock);
    if (reason !== null) {
      return {
        ok: false,
        interlockId: interlock.id,
        description: interlock.description,
        reason: `interlock ${interlock.id} blocks ${command.type} on ${command.actuatorId}: ${interlock.description} — ${reason}`,
        checked,
      };
    }
  }
  return { ok: true, checked };
}
