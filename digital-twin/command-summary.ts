/** What a plant-writing command will do, in words, for its confirmation (SPEC P-4). */
import type { Command } from './commands.js';
import type { TwinState } from './twin-state.js';

function percent(value: number): string {
  return `${Math.round(value * 100)} %`;
}

export function describeCommand(state: TwinState, command: Command): string {
  if (
    command.type !== 'valve.actuate' &&
    command.type !== 'pump.start' &&
    command.type !== 'pump.stop' &&
    command.type !== 'setpoint.change'
  )
    return command.type;
  const index = state.plant.actuatorIndex.get(command.actuatorId);
  if (index === undefined) return `${command.type} on unknown actuator ${command.actuatorId}`;
  const actuator = state.plant.actuators[index]!;
  const equipment = state.plant.actuatorEquipment[index]!;
  const label = `${actuator.id} (${actuator.name ?? equipment.name})`;
  const current = state.actuators[index]!;
  switch (command.type) {
    case 'valve.actuate': {
      const verb =
        command.position > current ? 'Open' : command.position < current ? 'Close' : 'Hold';
      return `${verb} ${label} from ${percent(current)} to ${percent(command.position)}`;
    }
    case 'pump.start':
      return `Start ${label}${current >= 0.5 ? ' (it is already running)' : ''}`;
    case 'pump.stop':
      return `Stop ${label}${current < 0.5 ? ' (it is already stopped)' : ''}`;
    case 'setpoint.change': {
      const unit = actuator.unit === undefined ? '' : ` ${actuator.unit}`;
      return `Change ${label} from ${current}${unit} to ${command.value}${unit}`;
    }
  }
}
