/** A user's intent. Every command gets exactly one ack: accepted or rejected with a reason. */
export type Command =
  | { type: 'capsule.ack'; commandId: string; capsuleId: string; note?: string }
  | { type: 'capsule.resolve'; commandId: string; capsuleId: string; note?: string }
  | {
      type: 'capsule.shelve';
      commandId: string;
      capsuleId: string;
      /** How long to shelve, ms; the capsule returns to its previous state when it expires. */
      durationMs: number;
      note?: string;
    }
  | { type: 'capsule.unshelve'; commandId: string; capsuleId: string; note?: string }
  | { type: 'capsule.dismiss'; commandId: string; capsuleId: string; note?: string }
  | { type: 'valve.actuate'; commandId: string; actuatorId: string; position: number }
  | { type: 'pump.start'; commandId: string; actuatorId: string }
  | { type: 'pump.stop'; commandId: string; actuatorId: string }
  | { type: 'setpoint.change'; commandId: string; actuatorId: string; value: number }
  | {
      type: 'annotation.add';
      commandId: string;
      text: string;
      equipmentId?: string;
      capsuleId?: string;
    };

export type CommandType = Command['type'];

export const COMMAND_TYPES: readonly CommandType[] = [
  'capsule.ack',
  'capsule.resolve',
  'capsule.shelve',
  'capsule.unshelve',
  'capsule.dismiss',
  'valve.actuate',
  'pump.start',
  'pump.stop',
  'setpoint.change',
  'annotation.add',
];

/** The one answer every command gets. */
export interface CommandAck {
  commandId: string;
  status: 'accepted' | 'rejected';
  reason?: string;
  code?: string;
}
