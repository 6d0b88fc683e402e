/** Validation of a plant file's `interlocks[]` (SPEC I-1): every bad field is named. */
import { INTERLOCK_COMMANDS } from './plant.js';
import type { IdIndex } from './plant-id-index.js';
import type { ProblemCollector } from './validation-errors.js';
import { fieldPath, indexPath } from './validation-errors.js';

const INTERLOCK_KEYS = ['id', 'description', 'actuatorId', 'commands', 'direction', 'while'];
const WHILE_KEYS = ['sensorId', 'actuatorId', 'above', 'below'];
const DIRECTIONS = ['any', 'increase', 'decrease'] as const;

export function checkInterlockList(p: ProblemCollector, value: unknown, ids: IdIndex): void {
  if (value === undefined) return;
  const list = p.array(value, 'interlocks') ?? [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const path = indexPath('interlocks', i);
    const interlock = p.object(item, path);
    if (interlock === undefined) return;
    p.knownKeys(interlock, INTERLOCK_KEYS, path);
    const id = p.nonEmptyString(interlock.id, fieldPath(path, 'id'));
    if (id !== undefined) {
      if (seen.has(id)) p.add(fieldPath(path, 'id'), `interlock id ${id} is used twice`);
      seen.add(id);
    }
    p.nonEmptyString(interlock.description, fieldPath(path, 'description'));
    const actuatorId = p.nonEmptyString(interlock.actuatorId, fieldPath(path, 'actuatorId'));
    if (actuatorId !== undefined && !ids.actuators.has(actuatorId))
      p.add(fieldPath(path, 'actuatorId'), `unknown actuator ${actuatorId}`);
    if (interlock.commands !== undefined) {
      const commands = p.array(interlock.commands, fieldPath(path, 'commands')) ?? [];
      commands.forEach((command, j) =>
        p.oneOf(command, INTERLOCK_COMMANDS, indexPath(fieldPath(path, 'commands'), j)),
      );
    }
    if (interlock.direction !== undefined)
      p.oneOf(interlock.direction, DIRECTIONS, fieldPath(path, 'direction'));
    const whilePath = fieldPath(path, 'while');
    const condition = p.object(interlock.while, whilePath);
    if (condition === undefined) return;
    p.knownKeys(condition, WHILE_KEYS, whilePath);
    const { sensorId, actuatorId: onActuator } = condition;
    if ((sensorId === undefined) === (onActuator === undefined)) {
      p.add(whilePath, 'expected exactly one of sensorId or actuatorId');
    } else if (sensorId !== undefined) {
      const sid = p.nonEmptyString(sensorId, fieldPath(whilePath, 'sensorId'));
      if (sid !== undefined && !ids.sensors.has(sid))
        p.add(fieldPath(whilePath, 'sensorId'), `unknown sensor ${sid}`);
    } else {
      const aid = p.nonEmptyString(onActuator, fieldPath(whilePath, 'actuatorId'));
      if (aid !== undefined && !ids.actuators.has(aid))
        p.add(fieldPath(whilePath, 'actuatorId'), `unknown actuator ${aid}`);
    }
    if (condition.above === undefined && condition.below === undefined)
      p.add(whilePath, 'expected a bound: above or below');
    if (condition.above !== undefined) p.finite(condition.above, fieldPath(whilePath, 'above'));
    if (condition.below !== undefined) p.finite(condition.below, fieldPath(whilePath, 'below'));
  });
}
