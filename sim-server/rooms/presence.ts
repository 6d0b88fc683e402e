/**
 * Presence shared by the live room and the replay rooms: who is in the room, the colour others
 * see them in, and what they point at, with their head and hands for avatars.
 */
import { PresenceState } from './plant-state.js';
import type { PresenceMessage } from './room-messages.js';

// Presence colours, picked by join order; distinct on a dark background.
const COLORS = [
  '#4cc9f0',
  '#f72585',
  '#b5e48c',
  '#ffb703',
  '#9d4edd',
  '#fb8500',
  '#06d6a0',
  '#ef476f',
];

/** The colour of the n-th client to join a room. */
export function presenceColor(joinIndex: number): string {
  return COLORS[joinIndex % COLORS.length] ?? '#ffffff';
}

/** A fresh presence entry: nothing selected, no cursor, head or hands yet. */
export function createPresence(fields: {
  sessionId: string;
  name: string;
  role: string;
  color: string;
  device: string;
  joinedAt: number;
}): PresenceState {
  const presence = new PresenceState();
  presence.sessionId = fields.sessionId;
  presence.name = fields.name;
  presence.role = fields.role;
  presence.color = fields.color;
  presence.joinedAt = fields.joinedAt;
  presence.selection = '';
  presence.hasCursor = false;
  presence.cursorX = 0;
  presence.cursorY = 0;
  presence.cursorZ = 0;
  presence.device = fields.device;
  presence.connected = true;
  presence.hasHead = false;
  presence.headX = 0;
  presence.headY = 0;
  presence.headZ = 0;
  presence.headYaw = 0;
  presence.headPitch = 0;
  presence.hasLeftHand = false;
  presence.leftX = 0;
  presence.leftY = 0;
  presence.leftZ = 0;
  presence.hasRightHand = false;
  presence.rightX = 0;
  presence.rightY = 0;
  presence.rightZ = 0;
  return presence;
}

/** Copies a validated presence message onto a client's entry; absent fields stay as they were. */
export function applyPresence(presence: PresenceState, message: PresenceMessage): void {
  const { selection, cursor, device, head, leftHand, rightHand } = message;
  if (selection !== undefined) presence.selection = selection ?? '';
  if (cursor !== undefined) {
    presence.hasCursor = cursor !== null;
    if (cursor !== null) {
      presence.cursorX = cursor.x;
      presence.cursorY = cursor.y;
      presence.cursorZ = cursor.z;
    }
  }
  if (device !== undefined) presence.device = device;
  if (head !== undefined) {
    presence.hasHead = head !== null;
    if (head !== null) {
      presence.headX = head.x;
      presence.headY = head.y;
      presence.headZ = head.z;
      presence.headYaw = head.yaw;
      presence.headPitch = head.pitch;
    }
  }
  if (leftHand !== undefined) {
    presence.hasLeftHand = leftHand !== null;
    if (leftHand !== null) {
      presence.leftX = leftHand.x;
      presence.leftY = leftHand.y;
      presence.leftZ = leftHand.z;
    }
  }
  if (rightHand !== undefined) {
    presence.hasRightHand = rightHand !== null;
    if (rightHand !== null) {
      presence.rightX = rightHand.x;
      presence.rightY = rightHand.y;
      presence.rightZ = rightHand.z;
    }
  }
}
